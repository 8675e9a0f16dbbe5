import type { ActionType, Proposer } from "./proposal.js";
import type { ApprovalStatus, Outcome } from "./decision.js";
import type { FindingKind } from "./finding.js";
import type { SkipReason, StrategyName } from "./skip.js";

/*
 * The daemon's events: one union, published by the loop, the proposal graph, the executor, the approvals
 * service and the policy store; logs, metrics and channels (Slack, the dashboard, MCP) subscribe to it.
 * Nobody matches event names as strings: a subscriber switches on `type` and the compiler checks it.
 * Events are facts about what happened, once each: a finding is raised when it opens and cleared when it
 * closes, not again every tick it stays open.
 */

/** Where a human answer came from. */
export const APPROVAL_CHANNELS = ["cli", "http", "slack", "mcp", "sim"] as const;
export type ApprovalChannel = (typeof APPROVAL_CHANNELS)[number];

interface At {
  /** The world's time of the event, ms since epoch (simulated time on the simulator). */
  atMs: number;
}

export type FindingRaised = At & { type: "finding.raised"; finding: string; kind: FindingKind; workload: string | null; severity: "info" | "warning" | "critical" };
export type FindingCleared = At & { type: "finding.cleared"; finding: string; kind: FindingKind; workload: string | null };
/** An open finding seen again with another severity (an outage getting worse, a surge easing). */
export type FindingSeverityChanged = At & { type: "finding.severity-changed"; finding: string; kind: FindingKind; workload: string | null; severity: "info" | "warning" | "critical" };
export type ProposalMade = At & { type: "proposal.made"; proposal: string; workload: string; action: ActionType; proposer: Proposer; findings: string[] };
/** Planned but left for a later tick (over `maxNewProposalsPerTick`): counted, the most urgent named. */
export type ProposalsDeferred = At & { type: "proposals.deferred"; count: number; limit: number; proposals: string[] };
/** "Why nothing happened": a planner looked at a workload's findings and proposed nothing. Published when the reason is new or changes. */
export type ProposalSkipped = At & { type: "proposal.skipped"; planner: string; workload: string; strategy: StrategyName; reason: SkipReason; findings: string[] };
export type ProposalDecided = At & { type: "proposal.decided"; proposal: string; workload: string; action: ActionType; outcome: Outcome; reasons: string[] };
export type ApprovalRequested = At & { type: "approval.requested"; proposal: string; workload: string; action: ActionType; expiresAtMs: number; reasons: string[] };
export type ApprovalAnswered = At & { type: "approval.answered"; proposal: string; status: Extract<ApprovalStatus, "approved" | "rejected">; approver: string; channel: ApprovalChannel; reason: string | null };
/** An answer that was not taken: who tried (null when unauthenticated), through which channel, and why not. */
export type ApprovalRefused = At & { type: "approval.refused"; proposal: string | null; who: string | null; channel: ApprovalChannel; why: string };
export type ApprovalExpired = At & { type: "approval.expired"; proposal: string };
export type ExecutionStarted = At & { type: "execution.started"; proposal: string; workload: string; action: ActionType };
export type ExecutionStepped = At & { type: "execution.step"; proposal: string; step: string; status: "succeeded" | "failed" | "compensated" | "retrying"; attempts: number; error: string | null };
export type ExecutionFinished = At & { type: "execution.finished"; proposal: string; workload: string; action: ActionType; result: "succeeded" | "failed" | "compensated" };
/** The policy recheck just before a saga refused to start it. */
export type ExecutionRefused = At & { type: "execution.refused"; proposal: string; reasons: string[] };
export type PolicyReloaded = At & { type: "policies.reloaded"; digest: string };
/** An edited policy folder did not load: the set in force stays. */
export type PolicyReloadRefused = At & { type: "policies.reload-refused"; error: string };
export type LlmCall = At & { type: "llm.call"; model: string; ok: boolean; promptTokens: number; completionTokens: number; ms: number };

export type DaemonEvent =
  | FindingRaised
  | FindingCleared
  | FindingSeverityChanged
  | ProposalMade
  | ProposalsDeferred
  | ProposalSkipped
  | ProposalDecided
  | ApprovalRequested
  | ApprovalAnswered
  | ApprovalRefused
  | ApprovalExpired
  | ExecutionStarted
  | ExecutionStepped
  | ExecutionFinished
  | ExecutionRefused
  | PolicyReloaded
  | PolicyReloadRefused
  | LlmCall;

export type DaemonEventType = DaemonEvent["type"];

/** Where a part of the daemon publishes what happens. Never throws back at the publisher. */
export type EventSink = (event: DaemonEvent) => void;

/** A sink that drops everything (tests, tools that publish to nobody). */
export const NO_EVENTS: EventSink = () => {};
