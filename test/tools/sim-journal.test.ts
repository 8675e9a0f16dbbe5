import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultWorldSpec } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/host.js";
import { JOURNAL_FILE } from "../../tools/sim/journal.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), "skyops-sim-state-"));
  dirs.push(d);
  return d;
}
function view(host: SimHost) {
  const w = host.world;
  return JSON.stringify({ now: w.nowMs, events: w.events(), instances: w.listInstances({ includeEnded: true }), totals: w.totals(), workloads: w.listWorkloads() });
}

describe("a simulated world with a state folder", () => {
  it("is rebuilt exactly from its journal by a new process", () => {
    const dir = stateDir();
    const a = new SimHost({ stateDir: dir });
    a.advanceBy(30 * 60_000);
    const launched = a.ops.launch({ cloud: "gcp", region: "us-central1", gpu: { name: "A100", count: 8 }, spot: false, count: 1, workloadId: "llm-finetune", idempotencyKey: "p-1/launch" });
    a.advanceBy(5 * 60_000);
    a.ops.resumeFromCheckpoint({ workloadId: "llm-finetune", instanceIds: launched.map((i) => i.id), idempotencyKey: "p-1/resume" });
    a.ops.setTrafficWeights({ workloadId: "chat-api", weights: { "aws/us-east-1": 10, "gcp/us-central1": 90 }, idempotencyKey: "p-2/weights" });
    a.advanceBy(2 * 60 * 60_000);
    a.close();
    const before = view(a);
    const b = new SimHost({ stateDir: dir });
    expect(view(b)).toBe(before);
    // the same key again changes nothing in the rebuilt world either
    b.ops.launch({ cloud: "gcp", region: "us-central1", gpu: { name: "A100", count: 8 }, spot: false, count: 1, workloadId: "llm-finetune", idempotencyKey: "p-1/launch" });
    expect(b.world.listInstances({ workloadId: "llm-finetune", includeEnded: true })).toHaveLength(a.world.listInstances({ workloadId: "llm-finetune", includeEnded: true }).length);
  });

  it("journals only the calls that took effect, not one the world refused", () => {
    const dir = stateDir();
    const a = new SimHost({ stateDir: dir });
    a.advanceBy(60_000);
    expect(() => a.ops.terminate({ instanceIds: ["i-none"], idempotencyKey: "p-3/terminate" })).toThrow(/unknown instance/);
    a.ops.setTrafficWeights({ workloadId: "chat-api", weights: { "aws/us-east-1": 10, "gcp/us-central1": 90 }, idempotencyKey: "p-3/weights" });
    a.close();
    const ops = readFileSync(join(dir, JOURNAL_FILE), "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { op: string }).op);
    expect(ops.filter((op) => op !== "clock")).toEqual(["world", "setTrafficWeights"]);
    expect(view(new SimHost({ stateDir: dir }))).toBe(view(a));
  });

  it("skips a line torn by a crash mid-write", () => {
    const dir = stateDir();
    const a = new SimHost({ stateDir: dir });
    a.advanceBy(60_000);
    a.close();
    appendFileSync(join(dir, JOURNAL_FILE), '{"atMs": 17487360');
    expect(new SimHost({ stateDir: dir }).world.nowMs).toBe(a.world.nowMs);
  });

  it("refuses the journal of another world, saying so", () => {
    const dir = stateDir();
    new SimHost({ stateDir: dir }).close();
    expect(() => new SimHost({ stateDir: dir, spec: defaultWorldSpec({ seed: 9 }) })).toThrow(/journal of another world/);
  });

  it("refuses a journal that does not replay, naming the entry", () => {
    const dir = stateDir();
    new SimHost({ stateDir: dir }).close();
    const file = join(dir, JOURNAL_FILE);
    writeFileSync(file, readFileSync(file, "utf8") + JSON.stringify({ atMs: Date.UTC(2025, 5, 1, 1), op: "terminate", args: { instanceIds: ["i-none"], idempotencyKey: "k" } }) + "\n");
    expect(() => new SimHost({ stateDir: dir })).toThrow(/journal entry \d+ \(terminate at \d+\) does not replay: unknown instance/);
  });
});
