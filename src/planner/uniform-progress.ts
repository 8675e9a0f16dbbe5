import type { PlannerConfig } from "./config.js";

/*
 * Deadline-aware use of spot capacity, after the Uniform Progress policy of Wu, Chiang, Mao, Yang,
 * Friedman, Shenker and Stoica, "Can't Be Late: Optimizing Spot Instance Savings under Deadlines",
 * NSDI'24. Their policy keeps a job on or ahead of the line that spreads its work evenly up to the
 * deadline, takes spot when it can, falls back to on demand when it falls behind, keeps a safety net
 * (on demand for good once the time left is within two restart overheads of the work left), and uses
 * hysteresis so it does not bounce between the two. (When spot is gone and the job is ahead of the line,
 * the paper waits idle; the planner never proposes waiting: a job that needs a placement gets one.)
 *
 * The planner decides only at moments a job needs (or may take) a new placement, and the snapshot does
 * not say when a job started, so the line is drawn from now. With R hours of work left, T hours to the
 * deadline (less the move's own downtime) and d the restart overhead one interruption costs (provision +
 * restart), the slack is S = T − R − d: what the job can still lose and finish on demand after one last
 * switch. On spot it loses, in expectation, λ·R·(d + ℓ) (λ interruptions an hour over R hours of work,
 * each a restart d plus ℓ hours of progress since the last checkpoint). The rule:
 *
 *     spot allowed  ⇔  S > margin,   margin = max(d, k · λ · R · (d + ℓ))
 *
 * The `d` floor is the paper's safety net (T − R < 2d → on demand); the second term asks for k times the
 * expected losses. It is the same as saying the pace the job needs now, R / (T − d), stays under the line
 * spot can keep, 1 / (1 + kλ(d + ℓ)) — progress at or ahead of the uniform-progress line.
 *
 * Once on demand with a deadline, the job stays there (`stickyOnDemand`): on demand the slack stops
 * shrinking while the margin does, so without this the rule would send it back to spot and spend a
 * restart each time. With `stickyOnDemand: false`, the paper's hysteresis stands in: back to spot only
 * with 2d of slack beyond the margin.
 */

const HOUR_MS = 3_600_000;

export type SpotVerdictReason =
  /** No deadline: spot whenever it is cheaper after its expected overhead. */
  | "no-deadline"
  /** Slack above the margin: on or ahead of the uniform-progress line. */
  | "slack-above-margin"
  /** Slack at or below the margin: on demand. */
  | "slack-below-margin"
  /** Already on demand with a deadline: stays there. */
  | "stays-on-demand"
  /** The caller asked for on demand (a deadline-at-risk finding). */
  | "on-demand-required";

export interface SpotVerdict {
  spotAllowed: boolean;
  reason: SpotVerdictReason;
  /** T − R − d, hours; null without a deadline. */
  slackHours: number | null;
  /** The slack spot needs, hours; null without a deadline. */
  marginHours: number | null;
  /** Whether the work fits before the deadline on demand (T − R ≥ 0); true without a deadline. */
  meetsDeadline: boolean;
}

export interface UniformProgressInput {
  /** R: hours of work left once running at the target. */
  remainingWorkHours: number;
  /** Hours from now to the deadline; null: none. */
  hoursToDeadline: number | null;
  /** Downtime of the move itself, ms (comes off the time left). */
  moveDowntimeMs: number;
  /** d: what one interruption costs in restart time, ms. */
  restartOverheadMs: number;
  /** The job runs on demand now (null: it runs nowhere). */
  currentlyOnDemand: boolean | null;
  /** Force on demand. */
  requireOnDemand?: boolean;
}

/** Expected spot overhead as a share of the work: λ · (d + ℓ). Spot's expected hours are R × (1 + this). */
export function spotOverheadShare(config: PlannerConfig, restartOverheadMs: number): number {
  return config.spotInterruptionsPerHour * (restartOverheadMs / HOUR_MS + config.lostHoursPerInterruption);
}

export function uniformProgress(input: UniformProgressInput, config: PlannerConfig): SpotVerdict {
  const R = input.remainingWorkHours;
  if (input.hoursToDeadline === null) {
    return input.requireOnDemand
      ? { spotAllowed: false, reason: "on-demand-required", slackHours: null, marginHours: null, meetsDeadline: true }
      : { spotAllowed: true, reason: "no-deadline", slackHours: null, marginHours: null, meetsDeadline: true };
  }
  const T = input.hoursToDeadline - input.moveDowntimeMs / HOUR_MS;
  const d = input.restartOverheadMs / HOUR_MS;
  const slackHours = T - R - d;
  const expectedLoss = config.deadlineSafetyFactor * R * spotOverheadShare(config, input.restartOverheadMs);
  let marginHours = Math.max(d, expectedLoss);
  const onDemandSticks = input.currentlyOnDemand === true;
  if (onDemandSticks && !config.stickyOnDemand) marginHours += 2 * d;
  let spotAllowed = false;
  let reason: SpotVerdictReason;
  if (input.requireOnDemand) reason = "on-demand-required";
  else if (onDemandSticks && config.stickyOnDemand) reason = "stays-on-demand";
  else if (slackHours > marginHours) {
    spotAllowed = true;
    reason = "slack-above-margin";
  } else reason = "slack-below-margin";
  return { spotAllowed, reason, slackHours, marginHours, meetsDeadline: T - R >= 0 };
}
