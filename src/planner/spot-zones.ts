import type { PlannerConfig } from "./config.js";
import { aheadOfLine, spotOverheadShare, uniformProgress, type SpotVerdict } from "./uniform-progress.js";

/*
 * Where a deadline-bound training job should run next when its spot capacity may be in any of several
 * zones and regions: the multi-zone step of the planner's spot rule (uniform-progress.ts).
 *
 * A job on spot whose zone still has capacity stays while the deadline rule allows spot without a move
 * (a move would cost a restart, and without knowing how long the other zone's capacity will last the
 * rule cannot tell it pays: the cost benchmark found that chasing a cheaper zone on price alone costs
 * more than it saves); once the slack is down to the margin it goes on demand. Otherwise the deadline
 * rule decides whether spot is allowed at all, exactly as for a single placement (a move's downtime and
 * one restart overhead both count as d); if it is, every zone with spot capacity now is a candidate,
 * priced as choosePlacement prices an option: rate × expected hours (spot: R × (1 + λ(d + ℓ))) + egress
 * of the checkpoint from where it lives + the rate through the move's downtime. On-demand locations are
 * priced the same way (R hours), and the cheapest option wins, so a cross-region move happens only when
 * its egress is worth it. A job on demand moves only to spot, only when the rule allows spot (with the
 * paper's 2d hysteresis; never, with `stickyOnDemand`), and only when that is cheaper than staying.
 *
 * When spot is allowed but no zone has capacity, `waitForSpot` chooses between the paper's answer (run
 * nowhere while the job is ahead of the uniform-progress line, `aheadOfLine`; on demand behind it) and
 * on demand at once. The daemon's planner uses the same rule: choosePlacement applies uniformProgress,
 * and a stalled job that is ahead of its line with no spot capacity anywhere is left waiting
 * (strategies/training-recovery.ts).
 */

const HOUR_MS = 3_600_000;

/** A zone the job could run spot in. */
export interface SpotZoneOption {
  zone: string;
  /** `cloud/region`. */
  location: string;
  /** Price of the job's whole shape, USD/hour. */
  usdPerHour: number;
  /** The shape's spot capacity is there now. */
  available: boolean;
}

/** A location the job could run on demand in. */
export interface OnDemandOption {
  location: string;
  usdPerHour: number;
}

export type CurrentRun = { spot: true; zone: string; location: string } | { spot: false; location: string };

export interface ZoneMoveInput {
  /** R: hours of work left. */
  remainingWorkHours: number;
  /** Hours from now to the deadline; null: none. */
  hoursToDeadline: number | null;
  /** d: what one start costs in downtime (provision, checkpoint transfer, restart), ms. */
  restartOverheadMs: number;
  /** Where the job runs now; null: nowhere (not started, waiting, or its spot capacity was just reclaimed). */
  current: CurrentRun | null;
  /** Where its checkpoint lives (`cloud/region`); null: no checkpoint yet (nothing to move). */
  checkpointLocation: string | null;
  checkpointGb: number;
  /** Egress USD/GB between locations; a missing pair costs `config.egressFallback.usdPerGb`. */
  egressUsdPerGb: Readonly<Record<string, Readonly<Record<string, number>>>>;
  spotZones: readonly SpotZoneOption[];
  onDemand: readonly OnDemandOption[];
  /** Run nowhere while spot is allowed but no zone has capacity (false: on demand at once, as the planner does). */
  waitForSpot: boolean;
}

export type ZoneMoveReason =
  /** On spot and its zone still has capacity. */
  | "spot-still-there"
  /** On demand and the deadline rule keeps it there. */
  | "on-demand-kept"
  /** The cheapest option is a spot zone. */
  | "cheapest-spot"
  /** Spot is allowed but no zone has capacity: wait for it. */
  | "waiting-for-spot"
  /** On demand: spot is not allowed, has no capacity anywhere, or costs more. (With no on-demand location either: wait.) */
  | "on-demand";

export type ZoneMove =
  | { action: "stay"; reason: ZoneMoveReason; verdict: SpotVerdict }
  | { action: "wait"; reason: ZoneMoveReason; verdict: SpotVerdict }
  | { action: "spot"; zone: string; location: string; egressUsd: number; expectedCostUsd: number; reason: ZoneMoveReason; verdict: SpotVerdict }
  | { action: "on-demand"; location: string; egressUsd: number; expectedCostUsd: number; reason: ZoneMoveReason; verdict: SpotVerdict };

function egressUsd(input: ZoneMoveInput, config: PlannerConfig, to: string): number {
  const from = input.checkpointLocation;
  if (from === null || from === to) return 0;
  const usdPerGb = input.egressUsdPerGb[from]?.[to] ?? config.egressFallback.usdPerGb;
  return usdPerGb * input.checkpointGb;
}

/** The next move of a deadline-bound job across zones (see the comment at the top of this file). */
export function chooseZoneMove(input: ZoneMoveInput, config: PlannerConfig): ZoneMove {
  const cur = input.current;
  const d = input.restartOverheadMs;
  const R = Math.max(0, input.remainingWorkHours);
  const rule = (moveDowntimeMs: number) =>
    uniformProgress(
      { remainingWorkHours: R, hoursToDeadline: input.hoursToDeadline, moveDowntimeMs, restartOverheadMs: d, currentlyOnDemand: cur === null ? null : !cur.spot },
      config,
    );
  // a move (or a start) pays its downtime out of the slack; staying where it runs does not
  const verdict = rule(d);
  if (cur?.spot === true && input.spotZones.some((z) => z.zone === cur.zone && z.available)) {
    const stay = rule(0);
    if (stay.spotAllowed) return { action: "stay", reason: "spot-still-there", verdict: stay };
  }

  const downtimeHours = d / HOUR_MS;
  const spotHours = R * (1 + spotOverheadShare(config, d));
  let spot: { zone: SpotZoneOption; egress: number; cost: number } | null = null;
  if (verdict.spotAllowed) {
    for (const z of input.spotZones) {
      if (!z.available) continue;
      const egress = egressUsd(input, config, z.location);
      const cost = z.usdPerHour * (spotHours + downtimeHours) + egress;
      if (spot === null || cost < spot.cost || (cost === spot.cost && z.zone < spot.zone.zone)) spot = { zone: z, egress, cost };
    }
  }
  const toSpot = (s: NonNullable<typeof spot>): ZoneMove => ({
    action: "spot",
    zone: s.zone.zone,
    location: s.zone.location,
    egressUsd: s.egress,
    expectedCostUsd: s.cost,
    reason: "cheapest-spot",
    verdict,
  });

  if (cur !== null && !cur.spot) {
    // on demand: spot is the only reason to move, and only when cheaper than staying
    const here = input.onDemand.find((o) => o.location === cur.location);
    const stayCost = here === undefined ? Infinity : here.usdPerHour * R;
    return spot !== null && spot.cost < stayCost ? toSpot(spot) : { action: "stay", reason: "on-demand-kept", verdict };
  }
  if (spot === null && input.waitForSpot && aheadOfLine(verdict, R, input.hoursToDeadline, config)) return { action: "wait", reason: "waiting-for-spot", verdict };

  let onDemand: { option: OnDemandOption; egress: number; cost: number } | null = null;
  for (const o of input.onDemand) {
    const egress = egressUsd(input, config, o.location);
    const cost = o.usdPerHour * (R + downtimeHours) + egress;
    if (onDemand === null || cost < onDemand.cost || (cost === onDemand.cost && o.location < onDemand.option.location)) onDemand = { option: o, egress, cost };
  }
  if (spot !== null && (onDemand === null || spot.cost <= onDemand.cost)) return toSpot(spot);
  if (onDemand === null) return { action: "wait", reason: "waiting-for-spot", verdict };
  return { action: "on-demand", location: onDemand.option.location, egressUsd: onDemand.egress, expectedCostUsd: onDemand.cost, reason: "on-demand", verdict };
}
