import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditRowHash, canonicalJson, GENESIS_HASH, openStore, SecretInPayloadError, sha256Hex, type Store } from "../../src/store/index.js";
import { onTheFile, T0, tempDir } from "./helpers.js";

const dir = tempDir("audit");
let n = 0;

/** A file-backed store with `rows` audit rows, and `tamper` to change its rows behind its back. */
async function chain(rows: number): Promise<{ store: Store; tamper: (sql: string, ...params: unknown[]) => void }> {
  const path = join(dir, `chain-${++n}.db`);
  const store = openStore(path);
  await store.audit.appendMany(
    Array.from({ length: rows }, (_, i) => ({ atMs: T0 + i, actor: "agent:builtin", event: "test.step", subject: `p-${i % 3}`, payload: { i, note: `step ${i}` } })),
  );
  return { store, tamper: (sql, ...params) => onTheFile(path, (db) => (params.length > 0 ? db.prepare(sql).run(...params) : db.exec(sql))) };
}

describe("AuditLog", () => {
  it("links each row to the one before, from the genesis hash, with a hash anyone can recompute", async () => {
    const { store } = await chain(3);
    const [first, second] = (await store.audit.forSubject("p-0")).concat(await store.audit.forSubject("p-1")).sort((a, b) => a.seq - b.seq);
    expect(first!.prevHash).toBe(GENESIS_HASH);
    expect(second!.prevHash).toBe(first!.hash);
    const fields = { seq: 1, atMs: T0, actor: "agent:builtin", event: "test.step", subject: "p-0", payload: { i: 0, note: "step 0" } };
    expect(first!.hash).toBe(sha256Hex(GENESIS_HASH + canonicalJson(fields)));
    expect(first!.hash).toBe(auditRowHash(GENESIS_HASH, fields));
    expect(await store.audit.verify()).toEqual({ ok: true, rows: 3 });
    await store.close();
  });

  it("hashes canonical JSON, so the order of payload keys does not matter", async () => {
    const a = openStore(":memory:");
    const b = openStore(":memory:");
    const rowA = await a.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { b: 1, a: { d: [1, 2], c: "z" } } });
    const rowB = await b.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { a: { c: "z", d: [1, 2] }, b: 1 } });
    expect(rowA.hash).toBe(rowB.hash);
    await a.close();
    await b.close();
  });

  it("verifies an empty chain", async () => {
    const store = openStore(":memory:");
    expect(await store.audit.verify()).toEqual({ ok: true, rows: 0 });
    await store.close();
  });

  it("names the first row whose payload was changed", async () => {
    const { store, tamper } = await chain(10);
    tamper("UPDATE audit SET payload = ? WHERE seq = 4", JSON.stringify({ i: 3, note: "nothing happened" }));
    tamper("UPDATE audit SET payload = ? WHERE seq = 7", JSON.stringify({ i: 99 }));
    expect(await store.audit.verify()).toEqual({ ok: false, rows: 4, firstBroken: { seq: 4, problem: expect.stringMatching(/hash does not match/) } });
    await store.close();
  });

  it("names the row after a deleted middle row", async () => {
    const { store, tamper } = await chain(10);
    tamper("DELETE FROM audit WHERE seq = 5");
    const result = await store.audit.verify();
    expect(result.firstBroken).toEqual({ seq: 6, problem: "row 5 is missing (deleted) before this row" });
    expect(result.ok).toBe(false);
    await store.close();
  });

  it("names the row after a deleted and renumbered middle row, by its broken link", async () => {
    const { store, tamper } = await chain(6);
    tamper("DELETE FROM audit WHERE seq = 3; UPDATE audit SET seq = seq - 1 WHERE seq > 3");
    expect((await store.audit.verify()).firstBroken).toEqual({ seq: 3, problem: "prev_hash does not match the hash of row 2" });
    await store.close();
  });

  it("names the row whose hash was edited, even when the next row's link was edited to match", async () => {
    const { store, tamper } = await chain(10);
    const forged = "f".repeat(64);
    tamper("UPDATE audit SET hash = ? WHERE seq = 8", forged);
    tamper("UPDATE audit SET prev_hash = ? WHERE seq = 9", forged);
    expect((await store.audit.verify()).firstBroken).toEqual({ seq: 8, problem: expect.stringMatching(/hash does not match/) });
    await store.close();
  });

  it("names the first row when its link to the genesis hash was changed", async () => {
    const { store, tamper } = await chain(2);
    tamper("UPDATE audit SET prev_hash = ? WHERE seq = 1", "1".repeat(64));
    expect((await store.audit.verify()).firstBroken).toEqual({ seq: 1, problem: "prev_hash is not the genesis hash" });
    await store.close();
  });

  it("names a payload that is no longer JSON", async () => {
    const { store, tamper } = await chain(3);
    tamper("UPDATE audit SET payload = '{oops' WHERE seq = 2");
    expect((await store.audit.verify()).firstBroken).toEqual({ seq: 2, problem: "payload is not valid JSON" });
    await store.close();
  });

  it("notices a cut tail, and a row appended after the cut does not hide it", async () => {
    const { store, tamper } = await chain(5);
    tamper("DELETE FROM audit WHERE seq >= 4");
    expect((await store.audit.verify()).firstBroken).toEqual({ seq: 4, problem: "rows 4..5 are missing after the last row (the chain was cut)" });
    const next = await store.audit.append({ atMs: T0 + 100, actor: "skyops", event: "test.after-cut", subject: null, payload: {} });
    expect(next.seq).toBe(6);
    expect((await store.audit.verify()).firstBroken).toEqual({ seq: 6, problem: "rows 4..5 are missing (deleted) before this row" });
    await store.close();
  });

  it("refuses a payload that carries a credential-named key and writes nothing", async () => {
    const { store } = await chain(1);
    await expect(store.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { slack: { bot_token: "xoxb-1" } } })).rejects.toThrow(SecretInPayloadError);
    await expect(store.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { headers: [{ Authorization: "Bearer y" }] } })).rejects.toThrow("$.headers[0].Authorization");
    expect(await store.audit.verify()).toEqual({ ok: true, rows: 1 });
    await store.close();
  });
});
