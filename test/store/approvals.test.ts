import { describe, expect, it } from "vitest";
import {
  ApprovalExpiredError,
  ApprovalNotFoundError,
  ApprovalNotPendingError,
  InvalidTransitionError,
  ProposalNotFoundError,
  SelfApprovalError,
  type ApprovalAnswer,
} from "../../src/store/index.js";
import { HOUR, memoryStore, migrateProposal, MINUTE, T0 } from "./helpers.js";

const EXPIRES = T0 + 30 * MINUTE;

describe("ApprovalRepository", () => {
  const store = memoryStore();
  const { approvals, proposals } = store;
  const answer = (over: Partial<ApprovalAnswer> = {}): ApprovalAnswer => ({
    status: "approved",
    approver: "user:alice",
    proposer: "agent:builtin",
    channel: "slack",
    reason: "looks right",
    atMs: T0 + MINUTE,
    ...over,
  });
  const waiting = (id: string, expiresAtMs = EXPIRES) => {
    proposals.insert(migrateProposal(id));
    return approvals.request(id, T0, expiresAtMs);
  };

  it("requests approval as pending and moves the proposal to waiting-approval", () => {
    const a = waiting("a-1");
    expect(a).toEqual({ proposalId: "a-1", status: "pending", requestedAtMs: T0, expiresAtMs: EXPIRES, decidedAtMs: null, approver: null, channel: null, reason: null });
    expect(proposals.status("a-1")).toBe("waiting-approval");
  });

  it("returns the existing approval when the same request comes again", () => {
    expect(approvals.request("a-1", T0 + 5 * MINUTE, EXPIRES + HOUR)).toMatchObject({ requestedAtMs: T0, expiresAtMs: EXPIRES });
    expect(store.audit.forSubject("a-1").filter((r) => r.event === "approval.requested")).toHaveLength(1);
  });

  it("records who approved, on which channel and why, and moves the proposal to approved", () => {
    const a = approvals.decide("a-1", answer());
    expect(a).toMatchObject({ status: "approved", approver: "user:alice", channel: "slack", reason: "looks right", decidedAtMs: T0 + MINUTE });
    expect(proposals.status("a-1")).toBe("approved");
    const decided = store.audit.forSubject("a-1").find((r) => r.event === "approval.decided")!;
    expect(decided).toMatchObject({ actor: "user:alice", payload: { status: "approved", channel: "slack", reason: "looks right" } });
  });

  it("answers an approval only once", () => {
    expect(() => approvals.decide("a-1", answer({ status: "rejected", approver: "user:bob" }))).toThrow(ApprovalNotPendingError);
    expect(approvals.get("a-1")?.approver).toBe("user:alice");
  });

  it("records a rejection and moves the proposal to rejected", () => {
    waiting("a-2");
    approvals.decide("a-2", answer({ status: "rejected", approver: "user:bob", channel: "cli", reason: null }));
    expect(approvals.get("a-2")).toMatchObject({ status: "rejected", approver: "user:bob", channel: "cli", reason: null });
    expect(proposals.status("a-2")).toBe("rejected");
  });

  it("never lets the proposer answer its own proposal, whether named as passed in or as stored", () => {
    waiting("a-3");
    expect(() => approvals.decide("a-3", answer({ approver: "user:carol", proposer: "user:carol" }))).toThrow(SelfApprovalError);
    expect(() => approvals.decide("a-3", answer({ approver: "agent:builtin" }))).toThrow(SelfApprovalError);
    expect(() => approvals.decide("a-3", answer({ approver: "builtin", proposer: "someone-else" }))).toThrow(SelfApprovalError);
    expect(() => approvals.decide("a-3", answer({ status: "rejected", approver: "agent:builtin" }))).toThrow(/cannot approve or reject/);
    expect(approvals.get("a-3")?.status).toBe("pending");
    expect(proposals.status("a-3")).toBe("waiting-approval");
  });

  it("refuses an answer at or after expiry, and an answer for a proposal nobody asked about", () => {
    expect(() => approvals.decide("a-3", answer({ atMs: EXPIRES }))).toThrow(ApprovalExpiredError);
    expect(() => approvals.decide("never-asked", answer())).toThrow(ApprovalNotFoundError);
    expect(() => approvals.request("not-stored", T0, EXPIRES)).toThrow(ProposalNotFoundError);
    expect(() => approvals.request("a-3", T0, T0)).toThrow(/must expire after/);
  });

  it("expires every pending approval that is due, moving their proposals to expired, and returns their ids", () => {
    waiting("a-4", EXPIRES + MINUTE);
    waiting("a-5", EXPIRES + 10 * MINUTE);
    expect(approvals.listPending().map((a) => a.proposalId)).toEqual(["a-3", "a-4", "a-5"]);
    expect(approvals.expireDue(EXPIRES - 1)).toEqual([]);
    expect(approvals.expireDue(EXPIRES + MINUTE)).toEqual(["a-3", "a-4"]);
    expect(approvals.get("a-4")).toMatchObject({ status: "expired", decidedAtMs: EXPIRES + MINUTE, approver: null });
    expect(proposals.status("a-3")).toBe("expired");
    expect(approvals.listPending().map((a) => a.proposalId)).toEqual(["a-5"]);
    expect(() => approvals.decide("a-4", answer({ atMs: T0 + 2 * MINUTE }))).toThrow(ApprovalNotPendingError);
    expect(approvals.request("a-4", EXPIRES + 2 * MINUTE, EXPIRES + HOUR).status).toBe("expired");
  });

  it("refuses an answer once the proposal was superseded, writing nothing, and expiry then leaves the proposal as it is", () => {
    proposals.setStatus("a-5", "superseded", { atMs: T0 + 2 * MINUTE, actor: "agent:builtin" });
    expect(() => approvals.decide("a-5", answer())).toThrow(InvalidTransitionError);
    expect(approvals.get("a-5")?.status).toBe("pending");
    expect(approvals.expireDue(EXPIRES + HOUR)).toEqual(["a-5"]);
    expect(proposals.status("a-5")).toBe("superseded");
    expect(store.audit.verify().ok).toBe(true);
  });
});

