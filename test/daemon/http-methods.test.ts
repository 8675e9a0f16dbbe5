import { afterEach, describe, expect, it } from "vitest";
import { CHAT, startTestDaemon, tokenOf, type TestDaemon } from "./helpers.js";

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

const READING = ["/healthz", "/readyz", "/metrics", "/v1/status", "/v1/approvals"];

describe("the daemon's HTTP API", () => {
  it("answers 405 with Allow to every method but GET and HEAD on its reading paths", async () => {
    d = await startTestDaemon({ workloads: [CHAT] });
    await d.ticks(1);
    const url = d.daemon.httpUrl!;
    for (const path of READING) {
      for (const method of ["PUT", "POST", "DELETE", "PATCH", "OPTIONS"]) {
        const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${tokenOf("alice")}`, "content-type": "application/json" }, body: method === "OPTIONS" ? undefined : "{}" });
        expect([path, method, res.status, res.headers.get("allow")]).toEqual([path, method, 405, "GET, HEAD"]);
        expect(((await res.json()) as { error: string }).error).toBe("method-not-allowed");
      }
      expect((await fetch(`${url}${path}`)).status).toBeLessThan(405);
      expect((await fetch(`${url}${path}`, { method: "HEAD" })).status).toBeLessThan(405);
    }
  }, 60_000);

  it("answers 405 with Allow: POST to anything but POST on an approval", async () => {
    d = await startTestDaemon({ workloads: [CHAT] });
    const res = await fetch(`${d.daemon.httpUrl!}/v1/approvals/p-1`, { method: "PUT", body: "{}" });
    expect([res.status, res.headers.get("allow")]).toEqual([405, "POST"]);
  }, 60_000);

  it("never serves the status to a changing method beyond loopback, token or not", async () => {
    d = await startTestDaemon({ workloads: [CHAT] }, { http: "0.0.0.0:0" });
    const url = `http://127.0.0.1:${new URL(d.daemon.httpUrl!).port}`;
    const res = await fetch(`${url}/v1/status`, { method: "PUT" });
    expect(res.status).toBe(405);
    expect(JSON.stringify(await res.json())).not.toContain("workloads");
  }, 60_000);

  it("answers a proposal id that is not valid percent-encoding with 400, after the token, never 500", async () => {
    d = await startTestDaemon({ workloads: [CHAT] });
    expect((await d.post("/v1/approvals/%E0", { decision: "approve" }, null)).status).toBe(401);
    const bad = await d.post("/v1/approvals/%E0", { decision: "approve" });
    expect([bad.status, (bad.json as { error: string }).error]).toEqual([400, "bad-path"]);
    expect((await fetch(`${d.daemon.httpUrl!}/v1/approvals/%E0`, { method: "GET" })).status).toBe(400);
  }, 60_000);
});
