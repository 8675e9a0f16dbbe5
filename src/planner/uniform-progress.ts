import type { PlannerConfig } from "./config.js";

/*
 * Deadline-aware use of spot capacity, after the Uniform Progress policy of Wu, Chiang, Mao, Yang,
 * Friedman, Shenker and Stoica, "Can't Be Late: Optimizing Spot Instance Savings under Deadlines",
 * NSDI'24. Their policy keeps a job on or ahead of the line that spreads its work evenly up to the
 * deadline, takes spot when it can, falls back to on demand when it falls behind, keeps a safety net
 * (on demand for good once the time left is within two restart overheads of the work left), waits idle
 * when spot is gone and the job is ahead of the line, and uses hysteresis so it does not bounce between
 * spot and on demand.
 *
 * The planner decides only at moments a job needs (or may take) a new placement. With R hours of work
 * left, T hours to the deadline (less the move's own downtime) and d the restart overhead one
 * interruption costs (provision + restart), the slack is S = T − R − d: what the job can still lose and
 * finish on demand after one last switch. The rule:
 *
 *     spot allowed  ⇔  S > margin,   margin = max(ℓ, k · λ · R · (d + ℓ̄))
 *
 * ℓ is the worst progress one interruption loses (`checkpointIntervalHours`: everything since the last
 * checkpoint). That is the hard safety net, and it is enough: the rule is re-checked at every decision
 * (every preemption, every stall, every deadline finding), and between two decisions at most one
 * interruption happens; after it the job has lost at most d + ℓ of slack and S ≥ 0 still, so on demand
 * from then on finishes in time. On spot past its warm-up S does not shrink (progress keeps pace with
 * the clock); waiting shrinks it by the time waited, and the rule stops waiting before it reaches the
 * margin. test/planner/deadline-guarantee.test.ts checks it on random availability traces.
 * The second term (k = `deadlineSafetyFactor`, λ interruptions an hour, ℓ̄ expected loss each) asks for
 * k times the expected losses of the whole rest of the run; it defaults to 0 because the cost benchmark
 * (evals/RESULTS.md) found it only turns cheap spot hours into on-demand ones without saving a deadline.
 *
 * On demand, S stays put: a job there goes back to spot only with 2d of slack beyond the margin (the
 * paper's hysteresis), or never with `stickyOnDemand`.
 *
 * `aheadOfLine` is the paper's other half: with no spot anywhere, a job waits (runs nowhere) only while it
 * is ahead of the uniform-progress line — its slack beyond the margin above `waitSlackShare` × R, the
 * slack a job started with that slack ratio keeps when it progresses evenly — and runs on demand
 * otherwise, so one long gap cannot eat the slack the rest of the run needs.
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
  let marginHours = Math.max(config.checkpointIntervalHours, expectedLoss);
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

/**
 * Whether a job that spot is allowed for may wait for it rather than run on demand: on or ahead of the
 * uniform-progress line, i.e. time to the deadline less the work left at least `waitSlackShare` × the
 * work left (see the top of this file). Always true without a deadline (nothing to be late for), never
 * when spot is not allowed (the hard margin bounds every wait).
 */
export function aheadOfLine(verdict: SpotVerdict, remainingWorkHours: number, hoursToDeadline: number | null, config: PlannerConfig): boolean {
  if (!verdict.spotAllowed) return false;
  if (hoursToDeadline === null) return true;
  const R = Math.max(0, remainingWorkHours);
  return hoursToDeadline - R >= config.waitSlackShare * R;
}
