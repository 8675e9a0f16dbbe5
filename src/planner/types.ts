import type { EgressMatrix, Finding, FindingKind, Proposal, Skip, SkipReason, Snapshot, SnapshotWorkload, StrategyName } from "../domain/index.js";
import type { PlannerConfig } from "./config.js";
import type { PlanContext } from "./context.js";

/** Everything the built-in planner decides on. It reads nothing else: no clock, no environment, no I/O. */
export interface PlannerInput {
  /** Now, ms since epoch (stamps proposal ids and `createdAtMs`; deadlines are measured from it). */
  nowMs: number;
  snapshot: Snapshot;
  findings: readonly Finding[];
  egress: EgressMatrix;
  /** Workload ids with a proposal pending or executing: the planner proposes nothing for them. */
  busy: readonly string[];
  config: PlannerConfig;
}

export type { SkipReason, Skip, StrategyName } from "../domain/index.js";

/** What one strategy made of a workload's findings; null when they are not its business (another kind of workload). */
export type StrategyOutcome = { proposals: Proposal[] } | { skip: SkipReason } | null;

/**
 * One way of answering findings, in its own file. `plan` tries strategies in priority order per workload
 * (as Karpenter tries its disruption methods); the first that proposes something wins that workload.
 */
export interface Strategy {
  name: StrategyName;
  /** The finding kinds it answers. */
  kinds: readonly FindingKind[];
  /** Given only the workload's findings of those kinds (never empty). */
  plan(ctx: PlanContext, workload: SnapshotWorkload, findings: readonly Finding[]): StrategyOutcome;
}

export interface PlanResult {
  proposals: Proposal[];
  /** Why nothing was proposed where findings were (STYLE.md: why nothing happened is published too). */
  skipped: Skip[];
}
