import {
  NO_EVENTS,
  UserNameSchema,
  foldName,
  isAgentPrincipal,
  type ApprovalChannel,
  type EventSink,
  type Proposal,
  type Reason,
} from "../domain/index.js";
import type { PolicyEngine } from "../policy/index.js";
import {
  ApprovalExpiredError,
  ApprovalNotFoundError,
  ApprovalNotPendingError,
  InvalidTransitionError,
  SYSTEM_ACTOR,
  SelfApprovalError,
  type Approval,
  type Repositories,
} from "../store/index.js";

/*
 * The one approvals service: who may answer an approval request, when a request expires, and the record of
 * who answered through which channel. Every channel — the CLI, the HTTP API, the scenario runner's simulated
 * human, and later Slack and MCP chat — answers through `answer`, with the identity its own authentication
 * established (a token's user, the OS user, a signed Slack request), never a name a request body claims.
 *
 * The rules, in the order they are applied:
 * 1. only people answer: a name that is one of skyops' own principals (`builtin`, `llm`, `daemon`, …, in
 *    any case) is refused;
 * 2. never the proposer: a proposal made by a user cannot be answered by that user (names compared
 *    case-folded);
 * 3. to approve, the policy's `approve` action must allow it (Cedar: `humans-approve`, `no-self-approval`,
 *    and whatever the operator adds), on the workload as the policy saw it when it decided;
 * 4. the request must be pending and not expired.
 * Every refusal is audited (who, which channel, why) and published as `approval.refused`; an answer is
 * audited by the store with the proposal's move, and published as `approval.answered`.
 */

/** Why an answer was refused, as a kind each channel maps to its own error (an HTTP status, an exit code). */
export class ApprovalRefusedError extends Error {
  override readonly name = "ApprovalRefusedError";
  constructor(
    readonly kind: "not-found" | "not-pending" | "expired" | "self-approval" | "not-allowed",
    message: string,
  ) {
    super(message);
  }
}

/** Who answers, as the channel authenticated them. */
export interface Answerer {
  /** The user name the channel's authentication gave (a token's user, the OS user, a mapped Slack user). */
  user: string;
  channel: ApprovalChannel;
}

export interface AnswerInput {
  decision: "approve" | "reject";
  reason?: string | undefined;
}

/** What a human needs to decide a pending request. */
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

/** What the service asks of the policy in force: who may approve, and how long a request stays open. */
export type ApprovalPolicy = Pick<PolicyEngine, "mayApprove" | "guardrails">;

export interface ApprovalsServiceOptions {
  store: Repositories;
  /** The policy engine in force (a reload changes it for the next answer). */
  policy: () => ApprovalPolicy;
  /** The world's clock: expiry and answers are in its time (simulated time on the simulator). */
  now: () => number;
  /**
   * The shortest a request stays open, in the world's ms (default 0): a floor under the policy's
   * `approvalExpiry`, so that a person can still answer when the world runs faster than the wall clock.
   */
  minOpenMs?: number | undefined;
  events?: EventSink | undefined;
}

/** How the audit trail and the approval record name a user. */
export function userActor(user: string): string {
  return `user:${foldName(user)}`;
}

/** A proposer as a user name, when a person proposed it (`user:alice` → `alice`); null for skyops' own planners. */
function proposingUser(proposer: string): string | null {
  return proposer.startsWith("user:") ? proposer.slice("user:".length) : null;
}

export class ApprovalsService {
  private readonly events: EventSink;

  constructor(private readonly options: ApprovalsServiceOptions) {
    this.events = options.events ?? NO_EVENTS;
  }

  /**
   * Opens the approval request of a proposal the policy sent to a human, expiring after the guardrails'
   * `approvalExpiry` (or `minOpenMs`, when longer). Idempotent: a request already made (answered or not) is returned as it is, and
   * `approval.requested` is published only the first time.
   */
  async request(proposal: Proposal, reasons: readonly Reason[]): Promise<Approval> {
    const { store } = this.options;
    const existing = await store.approvals.get(proposal.id);
    if (existing !== null) return existing;
    const nowMs = this.options.now();
    const open = Math.max(this.options.policy().guardrails.approvalExpiry, this.options.minOpenMs ?? 0);
    const approval = await store.approvals.request(proposal.id, nowMs, nowMs + open);
    this.events({ type: "approval.requested", atMs: nowMs, proposal: proposal.id, workload: proposal.workloadId, action: proposal.type, expiresAtMs: approval.expiresAtMs, reasons: reasons.map((r) => r.id) });
    return approval;
  }

  /** Expires every request past its time (the proposal does not run); returns their proposal ids. */
  async expireDue(): Promise<string[]> {
    const nowMs = this.options.now();
    const expired = await this.options.store.approvals.expireDue(nowMs);
    for (const id of expired) this.events({ type: "approval.expired", atMs: nowMs, proposal: id });
    return expired;
  }

  /** Pending requests, soonest expiry first, with what a human needs to decide. */
  pending(): Promise<ApprovalRequestView[]> {
    return pendingApprovals(this.options.store);
  }

  /**
   * Records `who`'s answer to the request of `proposalId`, or throws ApprovalRefusedError (audited). The
   * waiting proposal thread picks the answer up at the daemon's next tick.
   */
  async answer(proposalId: string, input: AnswerInput, who: Answerer): Promise<Approval> {
    const { store } = this.options;
    const atMs = this.options.now();
    const refuse = async (kind: ApprovalRefusedError["kind"], why: string): Promise<never> => {
      await this.refused({ proposalId, who: who.user, channel: who.channel, why });
      throw new ApprovalRefusedError(kind, why);
    };
    if (!UserNameSchema.safeParse(who.user).success) return refuse("not-allowed", `${JSON.stringify(who.user.slice(0, 80))} is not a user name`);
    const user = foldName(who.user);
    if (isAgentPrincipal(user)) return refuse("not-allowed", `${who.user} is one of skyops' own principals: only people answer approval requests`);
    const stored = await store.proposals.get(proposalId);
    if (stored === null) return refuse("not-found", `no proposal ${proposalId}; list pending ones with skyops approvals`);
    const { proposal } = stored;
    const proposerUser = proposingUser(proposal.proposer);
    if (proposerUser !== null && foldName(proposerUser) === user) return refuse("self-approval", `${who.user} proposed ${proposalId} and cannot answer it: someone else must`);
    if (input.decision === "approve") {
      const decision = await store.decisions.latest(proposalId);
      const verdict = this.options.policy().mayApprove({ kind: "user", id: user }, { workloadId: proposal.workloadId, proposerId: proposal.proposer }, decision?.workload ?? null);
      if (!verdict.allowed) {
        const kind = verdict.reasons.some((r) => r.id === "no-self-approval") ? "self-approval" : "not-allowed";
        return refuse(kind, `${who.user} may not approve ${proposalId}: ${verdict.reasons.map((r) => r.reason).join("; ")}`);
      }
    }
    let approval: Approval;
    try {
      approval = await store.approvals.decide(proposalId, {
        status: input.decision === "approve" ? "approved" : "rejected",
        approver: userActor(user),
        proposer: proposerUser === null ? proposal.proposer : userActor(proposerUser),
        channel: who.channel,
        reason: input.reason,
        atMs,
      });
    } catch (error) {
      if (error instanceof ApprovalNotFoundError) return refuse("not-found", `${proposalId} has no approval request (it may have run on its own, or been denied)`);
      if (error instanceof SelfApprovalError) return refuse("self-approval", error.message);
      if (error instanceof ApprovalExpiredError) return refuse("expired", error.message);
      if (error instanceof ApprovalNotPendingError || error instanceof InvalidTransitionError) return refuse("not-pending", error.message);
      throw error;
    }
    this.events({ type: "approval.answered", atMs, proposal: proposalId, status: approval.status as "approved" | "rejected", approver: approval.approver!, channel: who.channel, reason: approval.reason });
    return approval;
  }

  /**
   * Audits an answer that was not taken: by the service's rules, or by a channel before it got here (no or
   * a bad token, a foreign Origin). `who` is the authenticated user, or null when there was none.
   */
  async refused(refusal: { proposalId: string | null; who: string | null; channel: ApprovalChannel; why: string }): Promise<void> {
    const atMs = this.options.now();
    const actor = refusal.who === null ? "anonymous" : UserNameSchema.safeParse(refusal.who).success ? userActor(refusal.who) : SYSTEM_ACTOR;
    await this.options.store.audit.append({ atMs, actor, event: "approval.refused", subject: refusal.proposalId, payload: { channel: refusal.channel, why: refusal.why } });
    this.events({ type: "approval.refused", atMs, proposal: refusal.proposalId, who: refusal.who, channel: refusal.channel, why: refusal.why });
  }
}

/** Pending requests, soonest expiry first, with what a human needs to decide (a state folder is enough: `skyops approvals`). */
export async function pendingApprovals(store: Repositories): Promise<ApprovalRequestView[]> {
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
