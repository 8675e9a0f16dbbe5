import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditRowHash, canonicalJson, GENESIS_HASH, openStore, SecretInPayloadError, sha256Hex, type Store } from "../../src/store/index.js";
import { T0, tempDir } from "./helpers.js";

const dir = tempDir("audit");
let n = 0;

/** A file-backed store with `rows` audit rows. */
function chain(rows: number): Store {
  const store = openStore(join(dir, `chain-${++n}.db`));
  store.audit.appendMany(
    Array.from({ length: rows }, (_, i) => ({ atMs: T0 + i, actor: "agent:builtin", event: "test.step", subject: `p-${i % 3}`, payload: { i, note: `step ${i}` } })),
  );
  return store;
}

describe("AuditLog", () => {
  it("links each row to the one before, from the genesis hash, with a hash anyone can recompute", () => {
    const store = chain(3);
    const [first, second] = store.audit.forSubject("p-0").concat(store.audit.forSubject("p-1")).sort((a, b) => a.seq - b.seq);
    expect(first!.prevHash).toBe(GENESIS_HASH);
    expect(second!.prevHash).toBe(first!.hash);
    const fields = { seq: 1, atMs: T0, actor: "agent:builtin", event: "test.step", subject: "p-0", payload: { i: 0, note: "step 0" } };
    expect(first!.hash).toBe(sha256Hex(GENESIS_HASH + canonicalJson(fields)));
    expect(first!.hash).toBe(auditRowHash(GENESIS_HASH, fields));
    expect(store.audit.verify()).toEqual({ ok: true, rows: 3 });
    store.close();
  });

  it("hashes canonical JSON, so the order of payload keys does not matter", () => {
    const a = openStore(":memory:");
    const b = openStore(":memory:");
    const rowA = a.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { b: 1, a: { d: [1, 2], c: "z" } } });
    const rowB = b.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { a: { c: "z", d: [1, 2] }, b: 1 } });
    expect(rowA.hash).toBe(rowB.hash);
    a.close();
    b.close();
  });

  it("verifies an empty chain", () => {
    const store = openStore(":memory:");
    expect(store.audit.verify()).toEqual({ ok: true, rows: 0 });
    store.close();
  });

  it("names the first row whose payload was changed", () => {
    const store = chain(10);
    store.db.prepare("UPDATE audit SET payload = ? WHERE seq = 4").run(JSON.stringify({ i: 3, note: "nothing happened" }));
    store.db.prepare("UPDATE audit SET payload = ? WHERE seq = 7").run(JSON.stringify({ i: 99 }));
    expect(store.audit.verify()).toEqual({ ok: false, rows: 4, firstBroken: { seq: 4, problem: expect.stringMatching(/hash does not match/) } });
    store.close();
  });

  it("names the row after a deleted middle row", () => {
    const store = chain(10);
    store.db.prepare("DELETE FROM audit WHERE seq = 5").run();
    const result = store.audit.verify();
    expect(result.firstBroken).toEqual({ seq: 6, problem: "row 5 is missing (deleted) before this row" });
    expect(result.ok).toBe(false);
    store.close();
  });

  it("names the row after a deleted and renumbered middle row, by its broken link", () => {
    const store = chain(6);
    store.db.exec("DELETE FROM audit WHERE seq = 3; UPDATE audit SET seq = seq - 1 WHERE seq > 3");
    expect(store.audit.verify().firstBroken).toEqual({ seq: 3, problem: "prev_hash does not match the hash of row 2" });
    store.close();
  });

  it("names the row whose hash was edited, even when the next row's link was edited to match", () => {
    const store = chain(10);
    const forged = "f".repeat(64);
    store.db.prepare("UPDATE audit SET hash = ? WHERE seq = 8").run(forged);
    store.db.prepare("UPDATE audit SET prev_hash = ? WHERE seq = 9").run(forged);
    expect(store.audit.verify().firstBroken).toEqual({ seq: 8, problem: expect.stringMatching(/hash does not match/) });
    store.close();
  });

  it("names the first row when its link to the genesis hash was changed", () => {
    const store = chain(2);
    store.db.prepare("UPDATE audit SET prev_hash = ? WHERE seq = 1").run("1".repeat(64));
    expect(store.audit.verify().firstBroken).toEqual({ seq: 1, problem: "prev_hash is not the genesis hash" });
    store.close();
  });

  it("names a payload that is no longer JSON", () => {
    const store = chain(3);
    store.db.prepare("UPDATE audit SET payload = '{oops' WHERE seq = 2").run();
    expect(store.audit.verify().firstBroken).toEqual({ seq: 2, problem: "payload is not valid JSON" });
    store.close();
  });

  it("notices a cut tail, and a row appended after the cut does not hide it", () => {
    const store = chain(5);
    store.db.exec("DELETE FROM audit WHERE seq >= 4");
    expect(store.audit.verify().firstBroken).toEqual({ seq: 4, problem: "rows 4..5 are missing after the last row (the chain was cut)" });
    const next = store.audit.append({ atMs: T0 + 100, actor: "skyops", event: "test.after-cut", subject: null, payload: {} });
    expect(next.seq).toBe(6);
    expect(store.audit.verify().firstBroken).toEqual({ seq: 6, problem: "rows 4..5 are missing (deleted) before this row" });
    store.close();
  });

  it("refuses a payload that carries a credential-named key and writes nothing", () => {
    const store = chain(1);
    expect(() => store.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { slack: { bot_token: "xoxb-1" } } })).toThrow(SecretInPayloadError);
    expect(() => store.audit.append({ atMs: T0, actor: "x", event: "e", subject: null, payload: { headers: [{ Authorization: "Bearer y" }] } })).toThrow("$.headers[0].Authorization");
    expect(store.audit.verify()).toEqual({ ok: true, rows: 1 });
    store.close();
  });
});
