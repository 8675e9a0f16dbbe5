import { afterAll, describe, expect, it } from "vitest";
import { toExecution } from "../../src/store/executions.js";
import { openStore, type Store } from "../../src/store/index.js";
import { tempDir } from "./helpers.js";
import { migrateProposal, scaleProposal } from "./worlds.js";

const tmp = tempDir();
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
  tmp.cleanup();
});
let n = 0;
const fresh = () => {
  const path = tmp.path(`repo-${++n}.db`);
  const store = openStore(path);
  stores.push(store);
  return { path, repo: store.executions };
};

const steps = (id: string, names: string[]) => names.map((name) => ({ name, idempotencyKey: `${id}/${name}` }));

describe("ExecutionRepository", () => {
  it("stores an execution with its steps pending and reads it back, also from a second connection", async () => {
    const { path, repo } = fresh();
    const p = migrateProposal("p-1");
    await repo.create({ id: "exec-p-1", proposal: p, server: "sim", state: "running", startedAtMs: 1_000, steps: steps(p.id, ["a", "b"]) });

    const other = openStore(path);
    stores.push(other);
    const e = await other.executions.require("exec-p-1");
    expect([e.proposalId, e.workloadId, e.type, e.server, e.state, e.startedAtMs, e.endedAtMs, e.notBeforeMs, e.data]).toEqual(["p-1", "llm-finetune", "migrate", "sim", "running", 1_000, null, null, {}]);
    expect(e.proposal).toEqual(p);
    expect(e.steps.map((s) => [s.idx, s.name, s.idempotencyKey, s.status, s.attempts])).toEqual([
      [0, "a", "p-1/a", "pending", 0],
      [1, "b", "p-1/b", "pending", 0],
    ]);
    expect((await other.executions.getByProposalId("p-1"))?.id).toBe("exec-p-1");
    expect(toExecution(e)).toMatchObject({ id: "exec-p-1", proposalId: "p-1", result: "running", endedAtMs: null });
  });

  it("writes a transition of the execution and one step together", async () => {
    const { repo } = fresh();
    const p = scaleProposal("p-2");
    await repo.create({ id: "x", proposal: p, server: "sim", state: "running", startedAtMs: 0, steps: steps(p.id, ["a"]) });
    const after = await repo.update("x", { state: "waiting", notBeforeMs: 50, data: { launched: ["i-1"] } }, { idx: 0, patch: { status: "running", attempts: 1, startedAtMs: 10, output: { ok: true } } });
    expect([after.state, after.notBeforeMs, after.data]).toEqual(["waiting", 50, { launched: ["i-1"] }]);
    expect([after.steps[0]!.status, after.steps[0]!.attempts, after.steps[0]!.startedAtMs, after.steps[0]!.output]).toEqual(["running", 1, 10, { ok: true }]);
    // a step that does not exist aborts the whole transition: the execution row is unchanged
    await expect(repo.update("x", { state: "running" }, { idx: 7, patch: { status: "running" } })).rejects.toThrow(/no step 7/);
    expect((await repo.require("x")).state).toBe("waiting");
  });

  it("keeps one execution per proposal, answering a second create with the first, and refuses states and end times that do not fit together", async () => {
    const { repo } = fresh();
    const p = scaleProposal("p-3");
    const first = await repo.create({ id: "a", proposal: p, server: "sim", state: "running", startedAtMs: 0, steps: [] });
    expect("created" in first && first.created.id).toBe("a");
    const again = await repo.create({ id: "b", proposal: p, server: "sim", state: "refused", startedAtMs: 5, steps: [] });
    expect("existing" in again && [again.existing.id, again.existing.state]).toEqual(["a", "running"]);
    expect(await repo.get("b")).toBeNull();
    // finished without an end time, or unfinished with one
    await expect(repo.update("a", { state: "succeeded" })).rejects.toThrow(/CHECK/);
    await expect(repo.update("a", { endedAtMs: 5 })).rejects.toThrow(/CHECK/);
    await expect(repo.update("a", { state: "paused" as never })).rejects.toThrow(/CHECK/);
    expect((await repo.require("a")).state).toBe("running");
  });

  it("records a running execution only while fewer than maxInFlight are in flight, and a refusal whatever the count", async () => {
    const { repo } = fresh();
    await repo.create({ id: "one", proposal: scaleProposal("p-one"), server: "sim", state: "running", startedAtMs: 0, steps: [] }, { maxInFlight: 2 });
    await repo.create({ id: "two", proposal: scaleProposal("p-two"), server: "sim", state: "running", startedAtMs: 0, steps: [] }, { maxInFlight: 2 });
    expect(await repo.create({ id: "three", proposal: scaleProposal("p-three"), server: "sim", state: "running", startedAtMs: 0, steps: [] }, { maxInFlight: 2 })).toEqual({ queued: { inFlight: 2, maxInFlight: 2 } });
    expect(await repo.get("three")).toBeNull();
    const refused = await repo.create({ id: "no", proposal: scaleProposal("p-no"), server: "sim", state: "refused", startedAtMs: 0, steps: [], error: "refused" }, { maxInFlight: 2 });
    expect("created" in refused && refused.created.state).toBe("refused");
  });

  it("lists unfinished executions oldest first and counts them as in flight", async () => {
    const { repo } = fresh();
    await repo.create({ id: "late", proposal: scaleProposal("p-late"), server: "sim", state: "running", startedAtMs: 20, steps: [] });
    await repo.create({ id: "early", proposal: scaleProposal("p-early"), server: "sim", state: "running", startedAtMs: 10, steps: [] });
    await repo.create({ id: "no", proposal: scaleProposal("p-no"), server: "sim", state: "refused", startedAtMs: 5, steps: [], error: "refused" });
    await repo.create({ id: "done", proposal: scaleProposal("p-done"), server: "sim", state: "running", startedAtMs: 1, steps: [] });
    await repo.update("done", { state: "compensated", endedAtMs: 3 });
    await repo.update("late", { state: "compensating" });
    expect((await repo.listUnfinished()).map((e) => e.id)).toEqual(["early", "late"]);
    expect(await repo.countInFlight()).toBe(2);
    expect((await repo.require("no")).endedAtMs).toBe(5);
  });

  it("lists every execution by start, names the proposals waiting for the world until later, and counts executions by state", async () => {
    const { repo } = fresh();
    await repo.create({ id: "s", proposal: scaleProposal("p-s"), server: "sim", state: "running", startedAtMs: 30, steps: [] });
    await repo.create({ id: "m", proposal: migrateProposal("p-m"), server: "sim", state: "running", startedAtMs: 10, steps: [] });
    await repo.create({ id: "w", proposal: scaleProposal("p-w"), server: "sim", state: "running", startedAtMs: 20, steps: [] });
    await repo.update("s", { state: "waiting", notBeforeMs: 100 });
    await repo.update("w", { state: "waiting", notBeforeMs: 50 });
    await repo.update("m", { state: "succeeded", endedAtMs: 40 });
    expect((await repo.list()).map((e) => e.id)).toEqual(["m", "w", "s"]);
    // strictly later: one due now is left to run
    expect(await repo.notDueProposalIds(50)).toEqual(["p-s"]);
    expect((await repo.notDueProposalIds(49)).sort()).toEqual(["p-s", "p-w"]);
    expect(await repo.countByState()).toEqual({ succeeded: 1, waiting: 2 });
    expect(await repo.countByState("scale")).toEqual({ waiting: 2 });
    expect(await repo.countByState("failover")).toEqual({});
  });
});
