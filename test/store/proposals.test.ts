import { describe, expect, it } from "vitest";
import { InvalidTransitionError, PROPOSAL_STATUSES, PROPOSAL_TRANSITIONS, ProposalConflictError, ProposalNotFoundError, type ProposalStatus } from "../../src/store/index.js";
import { decision, HOUR, memoryStore, migrateProposal, MINUTE, T0 } from "./helpers.js";

describe("ProposalRepository", () => {
  const store = memoryStore();
  const proposals = store.proposals;
  const by = { actor: "agent:builtin" };

  it("stores a proposal as proposed and reads back the same body", () => {
    const p = migrateProposal("p-1");
    expect(proposals.insert(p)).toBe(true);
    expect(proposals.get("p-1")).toEqual({ proposal: p, status: "proposed", statusAtMs: T0, executingAtMs: null });
    expect(proposals.get("nope")).toBeNull();
  });

  it("treats inserting the same proposal again as a no-op, and a different body under the same id as a conflict", () => {
    expect(proposals.insert(migrateProposal("p-1"))).toBe(false);
    expect(() => proposals.insert(migrateProposal("p-1", { rationale: "something else" }))).toThrow(ProposalConflictError);
  });

  it("refuses a proposal that fails its schema", () => {
    expect(() => proposals.insert(migrateProposal("p-nan", { costDeltaUsdPerHour: Number.NaN }))).toThrow();
    expect(proposals.get("p-nan")).toBeNull();
  });

  it("follows the allowed path from proposed to succeeded and records when execution started", () => {
    proposals.insert(migrateProposal("p-2"));
    expect(proposals.setStatus("p-2", "decided", { atMs: T0 + 1, ...by })).toBe(true);
    expect(proposals.setStatus("p-2", "executing", { atMs: T0 + 2, actor: "executor" })).toBe(true);
    expect(proposals.setStatus("p-2", "executing", { atMs: T0 + 3, actor: "executor" })).toBe(false);
    expect(proposals.setStatus("p-2", "succeeded", { atMs: T0 + 4, actor: "executor" })).toBe(true);
    expect(proposals.get("p-2")).toMatchObject({ status: "succeeded", statusAtMs: T0 + 4, executingAtMs: T0 + 2 });
  });

  it("throws a typed error naming from and to for a move the lifecycle does not allow, and changes nothing", () => {
    proposals.insert(migrateProposal("p-3"));
    const attempt = () => proposals.setStatus("p-3", "executing", { atMs: T0 + 1, ...by });
    expect(attempt).toThrow(InvalidTransitionError);
    expect(attempt).toThrow("cannot go from proposed to executing");
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ proposalId: "p-3", from: "proposed", to: "executing" });
    }
    expect(proposals.status("p-3")).toBe("proposed");
    proposals.setStatus("p-3", "denied", { atMs: T0 + 1, actor: "policy" });
    for (const to of PROPOSAL_STATUSES.filter((s) => s !== "denied")) {
      expect(() => proposals.setStatus("p-3", to, { atMs: T0 + 2, ...by })).toThrow(InvalidTransitionError);
    }
  });

  it("throws ProposalNotFoundError for an unknown id", () => {
    expect(() => proposals.setStatus("ghost", "decided", { atMs: T0, ...by })).toThrow(ProposalNotFoundError);
  });

  it("allows exactly the moves of PROPOSAL_TRANSITIONS from every status, and every status is reachable", () => {
    const s = memoryStore();
    const pathTo = new Map<ProposalStatus, ProposalStatus[]>([["proposed", []]]);
    for (const [from, path] of pathTo) for (const to of PROPOSAL_TRANSITIONS[from]) if (!pathTo.has(to)) pathTo.set(to, [...path, to]);
    expect([...pathTo.keys()].sort()).toEqual([...PROPOSAL_STATUSES].sort());

    for (const from of PROPOSAL_STATUSES) {
      for (const to of PROPOSAL_STATUSES.filter((t) => t !== from)) {
        const id = `${from}->${to}`;
        s.proposals.insert(migrateProposal(id));
        for (const step of pathTo.get(from)!) s.proposals.setStatus(id, step, { atMs: T0, ...by });
        const move = () => s.proposals.setStatus(id, to, { atMs: T0 + 1, ...by });
        if (PROPOSAL_TRANSITIONS[from].includes(to)) expect(move(), id).toBe(true);
        else expect(move, id).toThrow(`cannot go from ${from} to ${to}`);
      }
    }
  });

  it("audits creation and every status change in order", () => {
    const events = store.audit.forSubject("p-2").map((r) => [r.event, r.actor, r.payload["to"] ?? null]);
    expect(events).toEqual([
      ["proposal.created", "agent:builtin", null],
      ["proposal.status", "agent:builtin", "decided"],
      ["proposal.status", "executor", "executing"],
      ["proposal.status", "executor", "succeeded"],
    ]);
  });

  it("lists proposals by one or several statuses, oldest first", () => {
    expect(proposals.listByStatus("succeeded").map((s) => s.proposal.id)).toEqual(["p-2"]);
    expect(proposals.listByStatus(["proposed", "denied"]).map((s) => s.proposal.id)).toEqual(["p-1", "p-3"]);
  });

  it("counts actions that started executing in the last hour per workload and fleet, for the flap guard", () => {
    const s = memoryStore();
    const start = (id: string, workloadId: string, atMs: number) => {
      s.proposals.insert(migrateProposal(id, { workloadId, createdAtMs: atMs - 1 }));
      s.proposals.setStatus(id, "decided", { atMs: atMs - 1, actor: "policy" });
      s.proposals.setStatus(id, "executing", { atMs, actor: "executor" });
    };
    const now = T0 + 5 * HOUR;
    start("old", "a", now - HOUR - 1);
    start("edge", "a", now - HOUR);
    start("recent", "a", now - MINUTE);
    start("other", "b", now - MINUTE);
    start("future", "a", now + 1);
    s.proposals.insert(migrateProposal("never", { workloadId: "a", createdAtMs: now - MINUTE }));
    expect(s.proposals.actionCounts("a", now)).toEqual({ workload: 2, fleet: 3 });
    expect(s.proposals.actionCounts("b", now)).toEqual({ workload: 1, fleet: 3 });
    expect(s.proposals.actionCounts("a", now, 10 * HOUR)).toEqual({ workload: 3, fleet: 4 });

    // A finished action still counts: what matters is when it started.
    s.proposals.setStatus("recent", "failed", { atMs: now, actor: "executor" });
    expect(s.proposals.actionCounts("a", now).workload).toBe(2);
    expect(s.proposals.inFlight().map((f) => f.proposalId).sort()).toEqual(["edge", "future", "old", "other"]);
    expect(s.proposals.failureTimes(now - HOUR, now)).toEqual([now]);
  });

  it("keeps a decision and its status change together when the caller wraps them in one transaction", () => {
    proposals.insert(migrateProposal("p-tx"));
    expect(() =>
      store.transaction(() => {
        store.decisions.insert(decision("p-tx", T0 + MINUTE), "initial");
        proposals.setStatus("p-tx", "succeeded", { atMs: T0 + MINUTE, actor: "policy" });
      }),
    ).toThrow(InvalidTransitionError);
    expect(store.decisions.listFor("p-tx")).toEqual([]);
    expect(store.audit.forSubject("p-tx").map((r) => r.event)).toEqual(["proposal.created"]);
    expect(store.audit.verify().ok).toBe(true);
  });
});
