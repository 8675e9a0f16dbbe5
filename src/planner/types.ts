import type { EgressMatrix, Finding, FindingKind, Proposal, Snapshot, SnapshotWorkload } from "../domain/index.js";
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

/** Why the planner proposed nothing for a workload it had findings for. */
export type SkipReason =
  /** A proposal for it is pending or executing. */
  | "busy"
  /** Frozen: no action may touch it. */
  | "frozen"
  /** A finding names a workload the snapshot does not have (or an id that cannot be a workload's). */
  | "unknown-workload"
  /** No offer fits (accelerator, residency, capacity, healthy region, deadline). */
  | "no-placement"
  /**
   * A stalled training job with a deadline, ahead of its uniform-progress line, and no spot capacity in
   * any admissible location: it waits for spot (the deadline rule still lets on demand finish in time;
   * the stall finding is raised every tick, so the choice is re-made each tick).
   */
  | "waiting-for-spot"
  /** A cost-only move would not pay back before the job ends. */
  | "no-payback"
  /** Drift, but the previous model version is unknown (or not a plain version name). */
  | "no-previous-version"
  /** The snapshot no longer shows what the finding reported (moved, recovered, completed, already on demand). */
  | "stale-finding"
  /** Nothing to change: weights already fit capacity and capacity covers demand. */
  | "no-change"
  /** An orphan finding whose instance the snapshot does not list as a live instance of no workload. */
  | "unknown-instance";

export interface Skip {
  workloadId: string;
  strategy: StrategyName;
  reason: SkipReason;
  findingIds: string[];
}

export type StrategyName = "health" | "training-recovery" | "drift" | "price-surge" | "deadline" | "orphans";

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
