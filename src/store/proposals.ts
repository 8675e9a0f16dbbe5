import type { ActionType, Proposal, Proposer } from "../domain/index.js";

export const PROPOSAL_STATUSES = [
  "proposed",
  "decided",
  "waiting-approval",
  "approved",
  "rejected",
  "expired",
  "executing",
  "succeeded",
  "failed",
  "compensated",
  "denied",
  "superseded",
] as const;

/**
 * Where a proposal is in the loop. `decided`: the policy allowed it and it waits for the executor;
 * `denied`: the policy refused it (first check or the re-check before execution); `superseded`: a newer
 * proposal replaced it before it ran.
 */
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** The allowed moves. Anything else throws `InvalidTransitionError`; the terminal statuses have none. */
export const PROPOSAL_TRANSITIONS: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  proposed: ["decided", "waiting-approval", "denied", "superseded"],
  // The re-check just before execution may deny, or now ask for approval.
  decided: ["executing", "waiting-approval", "denied", "superseded"],
  "waiting-approval": ["approved", "rejected", "expired", "superseded"],
  approved: ["executing", "denied", "superseded"],
  executing: ["succeeded", "failed", "compensated"],
  // A failed saga whose compensation completes later (after a restart).
  failed: ["compensated"],
  succeeded: [],
  compensated: [],
  rejected: [],
  expired: [],
  denied: [],
  superseded: [],
};

export const TERMINAL_PROPOSAL_STATUSES: readonly ProposalStatus[] = PROPOSAL_STATUSES.filter((s) => PROPOSAL_TRANSITIONS[s].length === 0);

export const HOUR_MS = 3_600_000;

export interface StoredProposal {
  proposal: Proposal;
  status: ProposalStatus;
  /** When the status last changed. */
  statusAtMs: number;
  /** When it first entered `executing`, or null. */
  executingAtMs: number | null;
}

export interface StatusChange {
  atMs: number;
  /** Who moved it: `agent:builtin`, `policy`, `executor`, `user:alice`. Written to the audit trail. */
  actor: string;
  /** Why, in plain words, for the audit trail. */
  note?: string;
}

/** The actor the audit trail names for a proposer: `agent:builtin`, `agent:llm`, or the user (`user:alice`). */
export function proposerActor(proposer: Proposer | string): string {
  return proposer.startsWith("user:") ? proposer : `agent:${proposer}`;
}

/**
 * Proposals and their status. Every insert and status change appends to the audit chain atomically with
 * it, so the trail and the state cannot disagree.
 */
export interface ProposalRepository {
  /**
   * Stores a new proposal with status `proposed` (audited as `proposal.created` by its proposer at its
   * `createdAtMs`). Idempotent: the same proposal again returns false; the same id with another body
   * throws `ProposalConflictError`. The body is validated against `ProposalSchema`.
   */
  insert(proposal: Proposal): Promise<boolean>;
  get(id: string): Promise<StoredProposal | null>;
  /** The status of a proposal; throws `ProposalNotFoundError`. */
  status(id: string): Promise<ProposalStatus>;
  /**
   * Moves a proposal to `to` if PROPOSAL_TRANSITIONS allows it from its current status, and audits it as
   * `proposal.status`. Moving to the status it already has is a no-op that returns false (a resumed node
   * may repeat itself); an unknown id throws `ProposalNotFoundError`, a move that is not allowed throws
   * `InvalidTransitionError` naming from and to.
   */
  setStatus(id: string, to: ProposalStatus, change: StatusChange): Promise<boolean>;
  /** Proposals in any of the statuses, oldest first (by creation, then id). */
  listByStatus(status: ProposalStatus | readonly ProposalStatus[], limit?: number): Promise<StoredProposal[]>;
  /** Every proposal (or the first `limit`), oldest first (by creation, then id). */
  list(limit?: number): Promise<StoredProposal[]>;
  /** Proposals executing now, in the shape the policy facts take (`inFlight`). */
  inFlight(): Promise<{ proposalId: string; workloadId: string; type: ActionType }[]>;
  /**
   * For the flap guard: proposals that started executing in [nowMs - windowMs, nowMs], on one workload
   * and in the whole fleet (policy facts `actionsLastHourWorkload` and `actionsLastHour`).
   */
  actionCounts(workloadId: string, nowMs: number, windowMs?: number): Promise<{ workload: number; fleet: number }>;
  /** When proposals ended `failed` or `compensated` in [fromMs, toMs], oldest first (policy facts `failures`). */
  failureTimes(fromMs: number, toMs: number): Promise<number[]>;
  /**
   * The proposals made after `sinceMs` (strictly), whatever became of them: the type of each and the
   * findings it answers. The agent does not propose the same type again for a finding answered here.
   */
  answeredSince(sinceMs: number): Promise<{ type: ActionType; findingIds: string[] }[]>;
  /** How many proposals are in each status (statuses in alphabetical order; statuses with none left out). */
  countByStatus(): Promise<Partial<Record<ProposalStatus, number>>>;
}
