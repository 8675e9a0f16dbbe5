import { describe, expect, it } from "vitest";
import { InvalidTransitionError, PROPOSAL_STATUSES, PROPOSAL_TRANSITIONS, ProposalConflictError, ProposalNotFoundError, type ProposalStatus } from "../../src/store/index.js";
import { decision, HOUR, memoryStore, migrateProposal, MINUTE, T0 } from "./helpers.js";

describe("ProposalRepository", () => {
  const store = memoryStore();
  const proposals = store.proposals;
  const by = { actor: "agent:builtin" };

  it("stores a proposal as proposed and reads back the same body", async () => {
    const p = migrateProposal("p-1");
    expect(await proposals.insert(p)).toBe(true);
    expect(await proposals.get("p-1")).toEqual({ proposal: p, status: "proposed", statusAtMs: T0, executingAtMs: null });
    expect(await proposals.get("nope")).toBeNull();
  });

  it("treats inserting the same proposal again as a no-op, and a different body under the same id as a conflict", async () => {
    expect(await proposals.insert(migrateProposal("p-1"))).toBe(false);
    await expect(proposals.insert(migrateProposal("p-1", { rationale: "something else" }))).rejects.toThrow(ProposalConflictError);
  });

  it("refuses a proposal that fails its schema", async () => {
    await expect(proposals.insert(migrateProposal("p-nan", { costDeltaUsdPerHour: Number.NaN }))).rejects.toThrow();
    expect(await proposals.get("p-nan")).toBeNull();
  });

  it("follows the allowed path from proposed to succeeded and records when execution started", async () => {
    await proposals.insert(migrateProposal("p-2"));
    expect(await proposals.setStatus("p-2", "decided", { atMs: T0 + 1, ...by })).toBe(true);
    expect(await proposals.setStatus("p-2", "executing", { atMs: T0 + 2, actor: "executor" })).toBe(true);
    expect(await proposals.setStatus("p-2", "executing", { atMs: T0 + 3, actor: "executor" })).toBe(false);
    expect(await proposals.setStatus("p-2", "succeeded", { atMs: T0 + 4, actor: "executor" })).toBe(true);
    expect(await proposals.get("p-2")).toMatchObject({ status: "succeeded", statusAtMs: T0 + 4, executingAtMs: T0 + 2 });
  });

  it("throws a typed error naming from and to for a move the lifecycle does not allow, and changes nothing", async () => {
    await proposals.insert(migrateProposal("p-3"));
    const attempt = () => proposals.setStatus("p-3", "executing", { atMs: T0 + 1, ...by });
    await expect(attempt()).rejects.toThrow(InvalidTransitionError);
    await expect(attempt()).rejects.toThrow("cannot go from proposed to executing");
    await expect(attempt()).rejects.toMatchObject({ proposalId: "p-3", from: "proposed", to: "executing" });
    expect(await proposals.status("p-3")).toBe("proposed");
    await proposals.setStatus("p-3", "denied", { atMs: T0 + 1, actor: "policy" });
    for (const to of PROPOSAL_STATUSES.filter((s) => s !== "denied")) {
      await expect(proposals.setStatus("p-3", to, { atMs: T0 + 2, ...by })).rejects.toThrow(InvalidTransitionError);
    }
  });

  it("throws ProposalNotFoundError for an unknown id", async () => {
    await expect(proposals.setStatus("ghost", "decided", { atMs: T0, ...by })).rejects.toThrow(ProposalNotFoundError);
  });

  it("allows exactly the moves of PROPOSAL_TRANSITIONS from every status, and every status is reachable", async () => {
    const s = memoryStore();
    const pathTo = new Map<ProposalStatus, ProposalStatus[]>([["proposed", []]]);
    for (const [from, path] of pathTo) for (const to of PROPOSAL_TRANSITIONS[from]) if (!pathTo.has(to)) pathTo.set(to, [...path, to]);
    expect([...pathTo.keys()].sort()).toEqual([...PROPOSAL_STATUSES].sort());

    for (const from of PROPOSAL_STATUSES) {
      for (const to of PROPOSAL_STATUSES.filter((t) => t !== from)) {
        const id = `${from}->${to}`;
        await s.proposals.insert(migrateProposal(id));
        for (const step of pathTo.get(from)!) await s.proposals.setStatus(id, step, { atMs: T0, ...by });
        const move = s.proposals.setStatus(id, to, { atMs: T0 + 1, ...by });
        if (PROPOSAL_TRANSITIONS[from].includes(to)) expect(await move, id).toBe(true);
        else await expect(move, id).rejects.toThrow(`cannot go from ${from} to ${to}`);
      }
    }
  });

  it("audits creation and every status change in order", async () => {
    const events = (await store.audit.forSubject("p-2")).map((r) => [r.event, r.actor, r.payload["to"] ?? null]);
    expect(events).toEqual([
      ["proposal.created", "agent:builtin", null],
      ["proposal.status", "agent:builtin", "decided"],
      ["proposal.status", "executor", "executing"],
      ["proposal.status", "executor", "succeeded"],
    ]);
  });

  it("lists proposals by one or several statuses, oldest first", async () => {
    expect((await proposals.listByStatus("succeeded")).map((s) => s.proposal.id)).toEqual(["p-2"]);
    expect((await proposals.listByStatus(["proposed", "denied"])).map((s) => s.proposal.id)).toEqual(["p-1", "p-3"]);
  });

  it("counts actions that started executing in the last hour per workload and fleet, for the flap guard", async () => {
    const s = memoryStore();
    const start = async (id: string, workloadId: string, atMs: number) => {
      await s.proposals.insert(migrateProposal(id, { workloadId, createdAtMs: atMs - 1 }));
      await s.proposals.setStatus(id, "decided", { atMs: atMs - 1, actor: "policy" });
      await s.proposals.setStatus(id, "executing", { atMs, actor: "executor" });
    };
    const now = T0 + 5 * HOUR;
    await start("old", "a", now - HOUR - 1);
    await start("edge", "a", now - HOUR);
    await start("recent", "a", now - MINUTE);
    await start("other", "b", now - MINUTE);
    await start("future", "a", now + 1);
    await s.proposals.insert(migrateProposal("never", { workloadId: "a", createdAtMs: now - MINUTE }));
    expect(await s.proposals.actionCounts("a", now)).toEqual({ workload: 2, fleet: 3 });
    expect(await s.proposals.actionCounts("b", now)).toEqual({ workload: 1, fleet: 3 });
    expect(await s.proposals.actionCounts("a", now, 10 * HOUR)).toEqual({ workload: 3, fleet: 4 });

    // A finished action still counts: what matters is when it started.
    await s.proposals.setStatus("recent", "failed", { atMs: now, actor: "executor" });
    expect((await s.proposals.actionCounts("a", now)).workload).toBe(2);
    expect((await s.proposals.inFlight()).map((f) => f.proposalId).sort()).toEqual(["edge", "future", "old", "other"]);
    expect(await s.proposals.failureTimes(now - HOUR, now)).toEqual([now]);
  });

  it("keeps a decision and its status change together when the caller wraps them in one unit of work", async () => {
    await proposals.insert(migrateProposal("p-tx"));
    await expect(
      store.unitOfWork(async (tx) => {
        await tx.decisions.insert(decision("p-tx", T0 + MINUTE), "initial");
        await tx.proposals.setStatus("p-tx", "succeeded", { atMs: T0 + MINUTE, actor: "policy" });
      }),
    ).rejects.toThrow(InvalidTransitionError);
    expect(await store.decisions.listFor("p-tx")).toEqual([]);
    expect((await store.audit.forSubject("p-tx")).map((r) => r.event)).toEqual(["proposal.created"]);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it("lists every proposal oldest first, says what was proposed since a time, and counts them by status", async () => {
    const s = memoryStore();
    await s.proposals.insert(migrateProposal("late", { createdAtMs: T0 + 2 * MINUTE, findingIds: ["f-1", "f-2"] }));
    await s.proposals.insert(migrateProposal("early", { createdAtMs: T0, findingIds: ["f-0"] }));
    await s.proposals.insert(migrateProposal("middle", { createdAtMs: T0 + MINUTE, findingIds: [] }));
    await s.proposals.setStatus("early", "denied", { atMs: T0 + MINUTE, actor: "policy" });
    expect((await s.proposals.list()).map((p) => [p.proposal.id, p.status])).toEqual([
      ["early", "denied"],
      ["middle", "proposed"],
      ["late", "proposed"],
    ]);
    expect((await s.proposals.list(1)).map((p) => p.proposal.id)).toEqual(["early"]);
    // strictly after: a proposal made at the time asked about is not counted
    const since = await s.proposals.answeredSince(T0);
    expect(since).toHaveLength(2);
    expect(since).toEqual(expect.arrayContaining([{ type: "migrate", findingIds: [] }, { type: "migrate", findingIds: ["f-1", "f-2"] }]));
    expect(await s.proposals.answeredSince(T0 + 2 * MINUTE)).toEqual([]);
    expect(await s.proposals.countByStatus()).toEqual({ denied: 1, proposed: 2 });
  });
});
