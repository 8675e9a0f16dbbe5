import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { openStore, type AuditEntry } from "../../src/store/index.js";
import { finding, T0, tempDir } from "./helpers.js";

const dir = tempDir("perf");
const N = 10_000;

function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

describe("store throughput on a real file", () => {
  it("appends 10,000 audit rows, upserts 10,000 findings and verifies the chain, each well under 2 s", () => {
    const store = openStore(join(dir, "perf.db"));
    const entries: AuditEntry[] = Array.from({ length: N }, (_, i) => ({
      atMs: T0 + i,
      actor: "agent:builtin",
      event: "proposal.status",
      subject: `p-${i % 500}`,
      payload: { from: "decided", to: "executing", i },
    }));
    const batch = timed(() => store.audit.appendMany(entries));
    const single = timed(() => {
      for (const e of entries.slice(0, 1_000)) store.audit.append(e);
    });
    const verify = timed(() => store.audit.verify());
    const findings = Array.from({ length: N }, (_, i) => finding(`surge:w-${i}`, T0, { workloadId: `w-${i}` }));
    const upsert = timed(() => store.findings.upsertMany(findings));
    const refresh = timed(() => store.findings.upsertMany(findings.map((f) => ({ ...f, atMs: T0 + 60_000 }))));
    const list = timed(() => store.findings.listOpen());
    store.close();

    console.log(
      `store timings: audit appendMany ${N} ${batch.ms.toFixed(0)} ms; audit append x1000 (one tx each) ${single.ms.toFixed(0)} ms; ` +
        `verify ${N + 1_000} rows ${verify.ms.toFixed(0)} ms; findings upsertMany ${N} new ${upsert.ms.toFixed(0)} ms, ` +
        `${N} refreshed ${refresh.ms.toFixed(0)} ms; listOpen ${N} ${list.ms.toFixed(0)} ms`,
    );
    expect(verify.value).toEqual({ ok: true, rows: N + 1_000 });
    expect(list.value).toHaveLength(N);
    expect(batch.ms).toBeLessThan(2_000);
    expect(upsert.ms).toBeLessThan(2_000);
    expect(refresh.ms).toBeLessThan(2_000);
    expect(verify.ms).toBeLessThan(2_000);
  });
});
