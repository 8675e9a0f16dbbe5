import { z } from "zod";

/**
 * Why a planner proposed nothing for a workload it had findings for: "why nothing happened", published as
 * an event, kept with the open findings and shown by `skyops status` (STYLE.md, after Karpenter).
 */
export const SkipReasonSchema = z.enum([
  /** A proposal for it is pending or executing. */
  "busy",
  /** Frozen: no action may touch it. */
  "frozen",
  /** A finding names a workload the snapshot does not have (or an id that cannot be a workload's). */
  "unknown-workload",
  /** No offer fits (accelerator, residency, capacity, healthy region, deadline). */
  "no-placement",
  /**
   * A stalled training job with a deadline, ahead of its uniform-progress line, and no spot capacity in
   * any admissible location: it waits for spot (the deadline rule still lets on demand finish in time;
   * the stall finding is raised every tick, so the choice is re-made each tick).
   */
  "waiting-for-spot",
  /** A cost-only move would not pay back before the job ends. */
  "no-payback",
  /** Drift, but the previous model version is unknown (or not a plain version name). */
  "no-previous-version",
  /** The snapshot no longer shows what the finding reported (moved, recovered, completed, already on demand). */
  "stale-finding",
  /** Nothing to change: weights already fit capacity and capacity covers demand. */
  "no-change",
  /** An orphan finding whose instance the snapshot does not list as a live instance of no workload. */
  "unknown-instance",
]);
export type SkipReason = z.infer<typeof SkipReasonSchema>;

/** The built-in planner's strategies, by name (src/planner/strategies). */
export const StrategyNameSchema = z.enum(["health", "training-recovery", "drift", "price-surge", "deadline", "orphans"]);
export type StrategyName = z.infer<typeof StrategyNameSchema>;

/** One "nothing proposed": which workload, which strategy looked, why not, for which findings. */
export interface Skip {
  workloadId: string;
  strategy: StrategyName;
  reason: SkipReason;
  findingIds: string[];
}

/** What a skip means, in a few words for `skyops status`. */
export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  busy: "a proposal for it is already pending or running",
  frozen: "the workload is frozen",
  "unknown-workload": "no tool server lists that workload",
  "no-placement": "no offer fits (accelerator, residency, capacity, healthy region, deadline)",
  "waiting-for-spot": "waiting for spot capacity: ahead of schedule, on-demand can still finish in time",
  "no-payback": "moving would not pay back its egress and downtime before the job ends",
  "no-previous-version": "the previous model version is unknown",
  "stale-finding": "the world no longer shows what the finding reported",
  "no-change": "nothing to change: capacity and weights already fit",
  "unknown-instance": "the instance is not a live orphan any more",
};
