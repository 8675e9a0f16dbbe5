import type { Store } from "../store/index.js";
import { ApprovalNotFoundError, ApprovalNotPendingError, ApprovalExpiredError, SelfApprovalError, StoreError } from "../store/index.js";

/** Where an answer came from. */
export type ApprovalChannel = "cli" | "http" | "slack" | "mcp" | "sim";

export interface ApprovalRequestView {
  proposalId: string;
  workloadId: string;
  type: string;
  proposer: string;
  status: string;
  requestedAtMs: number;
  expiresAtMs: number;
  rationale: string;
  reasons: { id: string; reason: string }[];
  costDeltaUsdPerHour: number;
  oneOffCostUsd: number;
  expectedDowntimeMs: number;
}

/** Why an answer was refused, as a kind the channels map to their own errors (HTTP status, exit code). */
export class ApprovalRefusedError extends Error {
  constructor(
    readonly kind: "not-found" | "not-pending" | "expired" | "self-approval" | "not-allowed",
    message: string,
  ) {
    super(message);
  }
}

/** Pending approval requests, oldest first, with what a human needs to decide. */
export async function pendingApprovals(store: Store): Promise<ApprovalRequestView[]> {
  const views: ApprovalRequestView[] = [];
  for (const a of await store.approvals.listPending()) {
    const p = (await store.proposals.get(a.proposalId))!.proposal;
    const decision = await store.decisions.latest(a.proposalId);
    views.push({
      proposalId: a.proposalId,
      workloadId: p.workloadId,
      type: p.type,
      proposer: p.proposer,
      status: a.status,
      requestedAtMs: a.requestedAtMs,
      expiresAtMs: a.expiresAtMs,
      rationale: p.rationale,
      reasons: (decision?.reasons ?? []).map((r) => ({ id: r.id, reason: r.reason })),
      costDeltaUsdPerHour: p.costDeltaUsdPerHour,
      oneOffCostUsd: p.oneOffCostUsd,
      expectedDowntimeMs: p.expectedDowntimeMs,
    });
  }
  return views;
}

/**
 * Records a human's answer to an approval request, with who gave it and through which channel. The
 * proposer can never approve its own proposal; `mayApprove` (the policy engine's `approve` action) is
 * asked first when given. The waiting proposal thread picks the answer up on the next tick.
 */
export async function answerApproval(
  store: Store,
  proposalId: string,
  answer: { decision: "approve" | "reject"; approver: string; channel: ApprovalChannel; reason?: string | undefined; atMs: number },
  mayApprove?: (approver: string, proposer: string, workloadId: string) => { allowed: boolean; reasons: { id: string; reason: string }[] },
) {
  const stored = await store.proposals.get(proposalId);
  if (!stored) throw new ApprovalRefusedError("not-found", `no proposal ${proposalId}; list pending ones with skyops approvals`);
  const proposer = stored.proposal.proposer;
  if (answer.decision === "approve" && mayApprove) {
    const verdict = mayApprove(answer.approver, proposer, stored.proposal.workloadId);
    if (!verdict.allowed) throw new ApprovalRefusedError(verdict.reasons.some((r) => r.id === "no-self-approval") ? "self-approval" : "not-allowed", `${answer.approver} may not approve ${proposalId}: ${verdict.reasons.map((r) => r.reason).join("; ")}`);
  }
  try {
    return await store.approvals.decide(proposalId, {
      status: answer.decision === "approve" ? "approved" : "rejected",
      approver: answer.approver,
      proposer,
      channel: answer.channel,
      reason: answer.reason,
      atMs: answer.atMs,
    });
  } catch (error) {
    if (error instanceof ApprovalNotFoundError) throw new ApprovalRefusedError("not-found", `${proposalId} has no approval request (it may have run on its own, or been denied)`);
    if (error instanceof SelfApprovalError) throw new ApprovalRefusedError("self-approval", error.message);
    if (error instanceof ApprovalExpiredError) throw new ApprovalRefusedError("expired", error.message);
    if (error instanceof ApprovalNotPendingError) throw new ApprovalRefusedError("not-pending", error.message);
    if (error instanceof StoreError) throw new ApprovalRefusedError("not-pending", error.message);
    throw error;
  }
}
