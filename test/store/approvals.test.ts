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
  const waiting = async (id: string, expiresAtMs = EXPIRES) => {
    await proposals.insert(migrateProposal(id));
    return approvals.request(id, T0, expiresAtMs);
  };

  it("requests approval as pending and moves the proposal to waiting-approval", async () => {
    const a = await waiting("a-1");
    expect(a).toEqual({ proposalId: "a-1", status: "pending", requestedAtMs: T0, expiresAtMs: EXPIRES, decidedAtMs: null, approver: null, channel: null, reason: null });
    expect(await proposals.status("a-1")).toBe("waiting-approval");
  });

  it("returns the existing approval when the same request comes again", async () => {
    expect(await approvals.request("a-1", T0 + 5 * MINUTE, EXPIRES + HOUR)).toMatchObject({ requestedAtMs: T0, expiresAtMs: EXPIRES });
    expect((await store.audit.forSubject("a-1")).filter((r) => r.event === "approval.requested")).toHaveLength(1);
  });

  it("records who approved, on which channel and why, and moves the proposal to approved", async () => {
    const a = await approvals.decide("a-1", answer());
    expect(a).toMatchObject({ status: "approved", approver: "user:alice", channel: "slack", reason: "looks right", decidedAtMs: T0 + MINUTE });
    expect(await proposals.status("a-1")).toBe("approved");
    const decided = (await store.audit.forSubject("a-1")).find((r) => r.event === "approval.decided")!;
    expect(decided).toMatchObject({ actor: "user:alice", payload: { status: "approved", channel: "slack", reason: "looks right" } });
  });

  it("answers an approval only once", async () => {
    await expect(approvals.decide("a-1", answer({ status: "rejected", approver: "user:bob" }))).rejects.toThrow(ApprovalNotPendingError);
    expect((await approvals.get("a-1"))?.approver).toBe("user:alice");
  });

  it("records a rejection and moves the proposal to rejected", async () => {
    await waiting("a-2");
    await approvals.decide("a-2", answer({ status: "rejected", approver: "user:bob", channel: "cli", reason: null }));
    expect(await approvals.get("a-2")).toMatchObject({ status: "rejected", approver: "user:bob", channel: "cli", reason: null });
    expect(await proposals.status("a-2")).toBe("rejected");
  });

  it("never lets the proposer answer its own proposal, whether named as passed in or as stored", async () => {
    await waiting("a-3");
    await expect(approvals.decide("a-3", answer({ approver: "user:carol", proposer: "user:carol" }))).rejects.toThrow(SelfApprovalError);
    await expect(approvals.decide("a-3", answer({ approver: "agent:builtin" }))).rejects.toThrow(SelfApprovalError);
    await expect(approvals.decide("a-3", answer({ approver: "builtin", proposer: "someone-else" }))).rejects.toThrow(SelfApprovalError);
    await expect(approvals.decide("a-3", answer({ status: "rejected", approver: "agent:builtin" }))).rejects.toThrow(/cannot approve or reject/);
    expect((await approvals.get("a-3"))?.status).toBe("pending");
    expect(await proposals.status("a-3")).toBe("waiting-approval");
  });

  it("refuses an answer at or after expiry, and an answer for a proposal nobody asked about", async () => {
    await expect(approvals.decide("a-3", answer({ atMs: EXPIRES }))).rejects.toThrow(ApprovalExpiredError);
    await expect(approvals.decide("never-asked", answer())).rejects.toThrow(ApprovalNotFoundError);
    await expect(approvals.request("not-stored", T0, EXPIRES)).rejects.toThrow(ProposalNotFoundError);
    await expect(approvals.request("a-3", T0, T0)).rejects.toThrow(/must expire after/);
  });

  it("expires every pending approval that is due, moving their proposals to expired, and returns their ids", async () => {
    await waiting("a-4", EXPIRES + MINUTE);
    await waiting("a-5", EXPIRES + 10 * MINUTE);
    expect((await approvals.listPending()).map((a) => a.proposalId)).toEqual(["a-3", "a-4", "a-5"]);
    expect(await approvals.expireDue(EXPIRES - 1)).toEqual([]);
    expect(await approvals.expireDue(EXPIRES + MINUTE)).toEqual(["a-3", "a-4"]);
    expect(await approvals.get("a-4")).toMatchObject({ status: "expired", decidedAtMs: EXPIRES + MINUTE, approver: null });
    expect(await proposals.status("a-3")).toBe("expired");
    expect((await approvals.listPending()).map((a) => a.proposalId)).toEqual(["a-5"]);
    await expect(approvals.decide("a-4", answer({ atMs: T0 + 2 * MINUTE }))).rejects.toThrow(ApprovalNotPendingError);
    expect((await approvals.request("a-4", EXPIRES + 2 * MINUTE, EXPIRES + HOUR)).status).toBe("expired");
  });

  it("refuses an answer once the proposal was superseded, writing nothing, and expiry then leaves the proposal as it is", async () => {
    await proposals.setStatus("a-5", "superseded", { atMs: T0 + 2 * MINUTE, actor: "agent:builtin" });
    await expect(approvals.decide("a-5", answer())).rejects.toThrow(InvalidTransitionError);
    expect((await approvals.get("a-5"))?.status).toBe("pending");
    expect(await approvals.expireDue(EXPIRES + HOUR)).toEqual(["a-5"]);
    expect(await proposals.status("a-5")).toBe("superseded");
    expect((await store.audit.verify()).ok).toBe(true);
  });
});

