import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/db.js";
import { ExecutionRepository, toExecution } from "../../src/store/executions.js";
import { tempDir } from "./helpers.js";
import { migrateProposal, scaleProposal } from "./worlds.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => {
  const path = tmp.path(`repo-${++n}.db`);
  return { path, db: openDatabase(path) };
};

const steps = (id: string, names: string[]) => names.map((name) => ({ name, idempotencyKey: `${id}/${name}` }));

describe("ExecutionRepository", () => {
  it("stores an execution with its steps pending and reads it back, also from a second connection", () => {
    const { path, db } = fresh();
    const repo = new ExecutionRepository(db);
    const p = migrateProposal("p-1");
    repo.create({ id: "exec-p-1", proposal: p, server: "sim", state: "running", startedAtMs: 1_000, steps: steps(p.id, ["a", "b"]) });

    const other = new ExecutionRepository(openDatabase(path));
    const e = other.require("exec-p-1");
    expect([e.proposalId, e.workloadId, e.type, e.server, e.state, e.startedAtMs, e.endedAtMs, e.notBeforeMs, e.data]).toEqual(["p-1", "llm-finetune", "migrate", "sim", "running", 1_000, null, null, {}]);
    expect(e.proposal).toEqual(p);
    expect(e.steps.map((s) => [s.idx, s.name, s.idempotencyKey, s.status, s.attempts])).toEqual([
      [0, "a", "p-1/a", "pending", 0],
      [1, "b", "p-1/b", "pending", 0],
    ]);
    expect(other.getByProposalId("p-1")?.id).toBe("exec-p-1");
    expect(toExecution(e)).toMatchObject({ id: "exec-p-1", proposalId: "p-1", result: "running", endedAtMs: null });
  });

  it("writes a transition of the execution and one step together", () => {
    const { db } = fresh();
    const repo = new ExecutionRepository(db);
    const p = scaleProposal("p-2");
    repo.create({ id: "x", proposal: p, server: "sim", state: "running", startedAtMs: 0, steps: steps(p.id, ["a"]) });
    const after = repo.update("x", { state: "waiting", notBeforeMs: 50, data: { launched: ["i-1"] } }, { idx: 0, patch: { status: "running", attempts: 1, startedAtMs: 10, output: { ok: true } } });
    expect([after.state, after.notBeforeMs, after.data]).toEqual(["waiting", 50, { launched: ["i-1"] }]);
    expect([after.steps[0]!.status, after.steps[0]!.attempts, after.steps[0]!.startedAtMs, after.steps[0]!.output]).toEqual(["running", 1, 10, { ok: true }]);
    // a step that does not exist aborts the whole transition: the execution row is unchanged
    expect(() => repo.update("x", { state: "running" }, { idx: 7, patch: { status: "running" } })).toThrow(/no step 7/);
    expect(repo.require("x").state).toBe("waiting");
  });

  it("keeps one execution per proposal and refuses states and end times that do not fit together", () => {
    const { db } = fresh();
    const repo = new ExecutionRepository(db);
    const p = scaleProposal("p-3");
    repo.create({ id: "a", proposal: p, server: "sim", state: "running", startedAtMs: 0, steps: [] });
    expect(() => repo.create({ id: "b", proposal: p, server: "sim", state: "running", startedAtMs: 0, steps: [] })).toThrow(/UNIQUE/);
    // finished without an end time, or unfinished with one
    expect(() => repo.update("a", { state: "succeeded" })).toThrow(/CHECK/);
    expect(() => repo.update("a", { endedAtMs: 5 })).toThrow(/CHECK/);
    expect(() => repo.update("a", { state: "paused" as never })).toThrow(/CHECK/);
    expect(repo.require("a").state).toBe("running");
  });

  it("lists unfinished executions oldest first and counts them as in flight", () => {
    const { db } = fresh();
    const repo = new ExecutionRepository(db);
    repo.create({ id: "late", proposal: scaleProposal("p-late"), server: "sim", state: "running", startedAtMs: 20, steps: [] });
    repo.create({ id: "early", proposal: scaleProposal("p-early"), server: "sim", state: "running", startedAtMs: 10, steps: [] });
    repo.create({ id: "no", proposal: scaleProposal("p-no"), server: "sim", state: "refused", startedAtMs: 5, steps: [], error: "refused" });
    repo.create({ id: "done", proposal: scaleProposal("p-done"), server: "sim", state: "running", startedAtMs: 1, steps: [] });
    repo.update("done", { state: "compensated", endedAtMs: 3 });
    repo.update("late", { state: "compensating" });
    expect(repo.listUnfinished().map((e) => e.id)).toEqual(["early", "late"]);
    expect(repo.countInFlight()).toBe(2);
    expect(repo.require("no").endedAtMs).toBe(5);
  });
});
