import type { ApprovalChannel, ApprovalStatus } from "../domain/index.js";

export { APPROVAL_CHANNELS, type ApprovalChannel } from "../domain/index.js";

export interface Approval {
  proposalId: string;
  status: ApprovalStatus;
  requestedAtMs: number;
  expiresAtMs: number;
  /** When it was approved, rejected or expired; null while pending. */
  decidedAtMs: number | null;
  /** Who approved or rejected it (`user:alice`, `slack:U024BE7LH`); null while pending or when it expired. */
  approver: string | null;
  channel: ApprovalChannel | null;
  reason: string | null;
}

export interface ApprovalAnswer {
  status: "approved" | "rejected";
  /** The identity of whoever answered, as the channel authenticated it. */
  approver: string;
  /**
   * The identity of whoever proposed the action, named the way approvers are named. The answer is
   * refused when it equals `approver`; the stored proposer (`builtin`, `agent:builtin`) is refused too.
   */
  proposer: string;
  channel: ApprovalChannel;
  reason?: string | null;
  atMs: number;
}

/**
 * Approvals: `pending → approved | rejected | expired`, one per proposal. Each change moves the proposal
 * (`waiting-approval` → `approved` / `rejected` / `expired`) and appends to the audit chain atomically
 * with it, so a human's answer and the proposal's status always land together or not at all.
 */
export interface ApprovalRepository {
  get(proposalId: string): Promise<Approval | null>;
  /**
   * Asks for approval of a stored proposal until `expiresAtMs`, and moves the proposal to
   * `waiting-approval`. Idempotent: when an approval was already requested, returns it unchanged
   * (whatever its status) — a repeated request never reopens an answered or expired one.
   */
  request(proposalId: string, requestedAtMs: number, expiresAtMs: number, actor?: string): Promise<Approval>;
  /**
   * Records a human's answer. Refuses, by type: no approval requested (`ApprovalNotFoundError`), the
   * proposer answering its own proposal (`SelfApprovalError`), an answer to one no longer pending
   * (`ApprovalNotPendingError`), an answer at or after expiry (`ApprovalExpiredError`). A proposal that
   * is no longer `waiting-approval` (superseded) throws `InvalidTransitionError` and nothing is written.
   */
  decide(proposalId: string, answer: ApprovalAnswer): Promise<Approval>;
  /**
   * Marks every pending approval whose expiry is at or before `nowMs` as expired, moves its proposal to
   * `expired` if it is still waiting for approval, and returns the proposal ids, earliest expiry first.
   */
  expireDue(nowMs: number): Promise<string[]>;
  /** Pending approvals, soonest expiry first. */
  listPending(): Promise<Approval[]>;
  /** Every approval ever requested, in the order they were requested (then by proposal id). */
  list(): Promise<Approval[]>;
}
