import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/server/auth.js";
import { CHAT, executed, startTestDaemon, tokenOf, type TestDaemon } from "./helpers.js";

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

/** A raw HTTP request, so that Host and Origin are exactly what a browser or an attacker would send. */
function raw(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: options.method ?? "POST", headers: options.headers ?? {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The daemon with an orphan waiting for a human's approval to terminate it, and one proposal a user (carol) made herself. */
async function waiting(): Promise<{ d: TestDaemon; id: string; carols: string }> {
  const t = await startTestDaemon({ workloads: [CHAT] });
  t.host.ops.launch({ cloud: "aws", region: "us-east-1", instanceType: "g5.xlarge", spot: false, count: 1, workloadId: null, idempotencyKey: "leftover" });
  await t.ticks(40);
  const [pending] = await t.daemon.approvals.pending();
  expect(pending?.type).toBe("terminate");
  // a proposal asked for by a person (as the chat channel will make them), waiting for someone else
  const stored = (await t.daemon.store.proposals.get(pending!.proposalId))!.proposal;
  const carols = { ...stored, id: `${stored.id}-by-carol`, proposer: "user:carol" as const };
  await t.daemon.store.proposals.insert(carols);
  await t.daemon.approvals.request(carols, []);
  return { d: t, id: pending!.proposalId, carols: carols.id };
}

describe("HTTP approvals are authenticated, and identity comes from the token", () => {
  it("refuses no token, a wrong token, a foreign Origin, a foreign Host, an answer in an agent's name and the proposer's own token — changing nothing, auditing each", async () => {
    const w = await waiting();
    d = w.d;
    const url = d.daemon.httpUrl!;
    const host = new URL(url).host;
    const approve = JSON.stringify({ decision: "approve" });
    const json = { "content-type": "application/json", host };
    const alice = { ...json, authorization: `Bearer ${tokenOf("alice")}` };
    const cases: { name: string; path: string; headers: Record<string, string>; body?: string; status: number; error: string }[] = [
      { name: "no token", path: `/v1/approvals/${w.id}`, headers: json, status: 401, error: "unauthenticated" },
      { name: "a wrong token", path: `/v1/approvals/${w.id}`, headers: { ...json, authorization: "Bearer token-of-mallory-0123456789abcdef" }, status: 401, error: "bad-token" },
      // a cross-site text/plain POST from a page the operator has open: no preflight, so only Origin stops it
      { name: "a foreign Origin", path: `/v1/approvals/${w.id}`, headers: { ...alice, "content-type": "text/plain", origin: "http://evil.example" }, status: 403, error: "forbidden-origin" },
      // DNS rebinding: the attacker's name resolves to 127.0.0.1
      { name: "a foreign Host", path: `/v1/approvals/${w.id}`, headers: { ...alice, host: `evil.example:${new URL(url).port}` }, status: 403, error: "forbidden-origin" },
      { name: "as BuiltIn", path: `/v1/approvals/${w.id}`, headers: alice, body: JSON.stringify({ decision: "approve", approver: "BuiltIn" }), status: 403, error: "not-you" },
      { name: "as daemon", path: `/v1/approvals/${w.id}`, headers: alice, body: JSON.stringify({ decision: "approve", approver: "daemon" }), status: 403, error: "not-you" },
      { name: "the proposer's own token", path: `/v1/approvals/${w.carols}`, headers: { ...json, authorization: `Bearer ${tokenOf("carol")}` }, status: 403, error: "self-approval" },
      { name: "the proposer's token, another case", path: `/v1/approvals/${w.carols}`, headers: { ...json, authorization: `Bearer ${tokenOf("carol")}` }, body: JSON.stringify({ decision: "reject", reason: "mine" }), status: 403, error: "self-approval" },
    ];
    for (const c of cases) {
      const res = await raw(url, c.path, { headers: c.headers, body: c.body ?? approve });
      expect([c.name, res.status, res.json["error"]]).toEqual([c.name, c.status, c.error]);
      if (c.status === 401) expect(res.headers["www-authenticate"]).toBe('Bearer realm="skyops"');
    }
    // nothing changed: both requests still wait, nothing ran, nobody answered
    expect((await d.daemon.approvals.pending()).map((a) => a.proposalId).sort()).toEqual([w.id, w.carols].sort());
    expect(await d.daemon.store.proposals.status(w.id)).toBe("waiting-approval");
    await d.ticks(2);
    expect(await executed(d.daemon)).toEqual([]);
    // each refusal is in the audit chain, with who (when known), the channel and why
    const audited = [...(await d.daemon.store.audit.forSubject(w.id)), ...(await d.daemon.store.audit.forSubject(w.carols))].filter((r) => r.event === "approval.refused");
    expect(audited.map((r) => [r.actor, (r.payload as { why: string }).why.match(/: (\d{3}) /)?.[1] ?? "service"]).sort()).toEqual(
      [
        ["anonymous", "401"],
        ["anonymous", "401"],
        ["anonymous", "403"],
        ["anonymous", "403"],
        ["user:alice", "403"],
        ["user:alice", "403"],
        ["user:carol", "service"],
        ["user:carol", "service"],
      ].sort(),
    );
    expect(audited.every((r) => (r.payload as { channel: string }).channel === "http")).toBe(true);
    expect((await d.daemon.store.audit.forSubject(w.id)).some((r) => r.event === "approval.decided")).toBe(false);
    expect((await d.daemon.store.audit.verify()).ok).toBe(true);
  }, 60_000);

  it("takes the approver from the token, case-folded, and lets a same-origin page answer", async () => {
    const w = await waiting();
    d = w.d;
    const url = d.daemon.httpUrl!;
    const res = await raw(url, `/v1/approvals/${w.id}`, {
      headers: { "content-type": "application/json", host: new URL(url).host, origin: url, authorization: `Bearer ${tokenOf("bob")}` },
      body: JSON.stringify({ decision: "approve", approver: "BOB", reason: "the box is mine and idle" }),
    });
    expect(res.status).toBe(200);
    expect(await d.daemon.store.approvals.get(w.id)).toMatchObject({ status: "approved", approver: "user:bob", channel: "http" });
    await d.ticks(3);
    expect((await executed(d.daemon)).map((e) => `${e.type}:${e.state}`)).toEqual(["terminate:succeeded"]);
  }, 60_000);

  it("keeps reads open on loopback, and never logs or stores a token", async () => {
    const w = await waiting();
    d = w.d;
    const url = d.daemon.httpUrl!;
    expect((await raw(url, "/v1/approvals", { method: "GET", headers: { host: new URL(url).host } })).status).toBe(200);
    expect((await raw(url, "/v1/status", { method: "GET", headers: { host: `evil.example:${new URL(url).port}` } })).status).toBe(403);
    await raw(url, `/v1/approvals/${w.id}`, { headers: { "content-type": "application/json", host: new URL(url).host, authorization: `Bearer ${tokenOf("alice")}` }, body: JSON.stringify({ decision: "reject", reason: "no" }) });
    const rows = [...(await d.daemon.store.audit.forSubject(w.id))];
    expect(JSON.stringify(rows)).not.toContain(tokenOf("alice"));
    expect(JSON.stringify(rows)).not.toContain(sha256Hex(tokenOf("alice")));
  }, 60_000);
});

describe("a daemon listening beyond loopback", () => {
  it("needs a token to read /v1 too", async () => {
    d = await startTestDaemon({ workloads: [CHAT] }, { http: "0.0.0.0:0" });
    const port = new URL(d.daemon.httpUrl!).port;
    const url = `http://127.0.0.1:${port}`;
    expect((await raw(url, "/v1/status", { method: "GET", headers: {} })).status).toBe(401);
    expect((await raw(url, "/v1/status", { method: "GET", headers: { authorization: `Bearer ${tokenOf("alice")}` } })).status).toBe(200);
    expect((await raw(url, "/healthz", { method: "GET", headers: {} })).status).toBe(200);
  }, 60_000);
});
