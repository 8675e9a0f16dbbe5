import type { Placement, SnapshotWorkload } from "../domain/index.js";
import { inResidency } from "../domain/index.js";
import { egressBetween, HOUR_MS, type EgressEstimate, type OfferEntry, type PlanContext } from "./context.js";
import { spotOverheadShare, uniformProgress, type SpotVerdict } from "./uniform-progress.js";

export interface PlacementRequest {
  workload: SnapshotWorkload;
  /** R: hours of work left once it runs at the target (1 for a serving workload: costs compare per hour). */
  remainingWorkHours: number;
  /** Where the checkpoint to resume from lives (`cloud/region`); null: unknown (the egress fallback is used). */
  checkpointFrom: string | null;
  checkpointGb: number;
  /** Where and how it runs now; null: nowhere. */
  current: { location: string; spot: boolean } | null;
  /** Capacity not to use: a whole location, or only its spot capacity (the one being reclaimed). */
  avoid?: readonly { location: string; spotOnly: boolean }[];
  /** On demand only (deadline at risk; serving replicas unless `servingSpot`). */
  requireOnDemand?: boolean;
  /** Serving replicas need exactly the workload's shape on one instance; training may span instances. */
  exactShape?: boolean;
  /** False for serving replicas: adding one takes nothing down, so no downtime and no deadline. */
  restartsJob?: boolean;
}

export interface PlacementOption {
  target: Placement;
  offerId: string;
  /** Instances of `target.instanceType` that make up the shape. */
  nodes: number;
  /** Price now × nodes, USD/hour. */
  usdPerHour: number;
  egress: EgressEstimate;
  /** Provisioning + checkpoint transfer + restart, ms (0 when nothing restarts). */
  downtimeMs: number;
  /** Hours it is expected to run: R, and on spot R × (1 + λ(d + ℓ)) for expected interruptions. */
  expectedHours: number;
  /** usdPerHour × expectedHours + egress + usdPerHour × downtime, USD. */
  totalCostUsd: number;
  /** How the deadline rule judged spot for a move to this option's cloud. */
  verdict: SpotVerdict;
}

export interface PlacementChoice {
  best: PlacementOption | null;
  /** Every admissible option, best first (one per location and purchase option). */
  options: PlacementOption[];
  /** Whether any admissible location has spot capacity for the shape now (before the deadline rule). */
  spotCapacity: boolean;
}

interface Candidate {
  entry: OfferEntry;
  spot: boolean;
  nodes: number;
  usdPerHour: number;
}

function compareOptions(a: PlacementOption, b: PlacementOption): number {
  if (a.verdict.meetsDeadline !== b.verdict.meetsDeadline) return a.verdict.meetsDeadline ? -1 : 1;
  // when the deadline cannot be met either way, finishing sooner matters before cost
  if (!a.verdict.meetsDeadline && a.downtimeMs !== b.downtimeMs) return a.downtimeMs - b.downtimeMs;
  if (a.totalCostUsd !== b.totalCostUsd) return a.totalCostUsd - b.totalCostUsd;
  if (a.downtimeMs !== b.downtimeMs) return a.downtimeMs - b.downtimeMs;
  if (a.nodes !== b.nodes) return a.nodes - b.nodes;
  if (a.target.spot !== b.target.spot) return a.target.spot ? 1 : -1;
  return a.offerId < b.offerId ? -1 : a.offerId > b.offerId ? 1 : 0;
}

const NO_EGRESS: EgressEstimate = { gb: 0, usd: 0, transferMs: 0, known: true };

/** Keeps the better of two offers for one location and purchase option: fewest instances, then price, then id. */
function consider(groups: (Candidate | undefined)[], slot: number, entry: OfferEntry, spot: boolean, nodes: number, usdPerHour: number): void {
  const seen = groups[slot];
  if (seen !== undefined) {
    if (seen.nodes < nodes || (seen.nodes === nodes && (seen.usdPerHour < usdPerHour || (seen.usdPerHour === usdPerHour && seen.entry.id <= entry.id)))) return;
  }
  groups[slot] = { entry, spot, nodes, usdPerHour };
}

/**
 * The cheapest admissible placement of a workload's accelerator shape.
 *
 * Admissible: an offer of the workload's accelerator whose per-instance count divides the shape (exactly
 * the shape for serving), launchable now, in a region that is neither down nor named unhealthy, inside
 * the workload's residency (geographies or exact region names), not avoided; spot only where a spot price
 * is quoted and spot capacity is available (`spotAvailability > 0`), and only when the deadline rule
 * allows it (see uniform-progress.ts). In each location and purchase option the fewest instances win,
 * then the lowest price (as the simulator's launch picks). Across locations the expected total cost
 * decides: rate × expected hours + egress of the checkpoint from where it lives + the rate paid through
 * the downtime. Options that can still meet the deadline come first.
 */
export function choosePlacement(ctx: PlanContext, req: PlacementRequest): PlacementChoice {
  const { workload } = req;
  const { config } = ctx;
  const gpu = workload.gpu;
  const entries = ctx.offersByAccelerator.get(gpu.name.toLowerCase()) ?? [];
  const residency = workload.residency;
  const avoidAll = new Set<string>();
  const avoidSpot = new Set<string>();
  for (const a of req.avoid ?? []) (a.spotOnly ? avoidSpot : avoidAll).add(a.location);
  // per location: 0 not yet checked, 1 admissible, 2 not (residency, avoided)
  const admissible = new Uint8Array(ctx.locations.length);
  // best candidate per location and purchase option: index × 2 (+1 for spot)
  const groups: (Candidate | undefined)[] = new Array(ctx.locations.length * 2);
  const onDemandOnly = req.requireOnDemand === true;
  let spotCapacity = false;
  for (const entry of entries) {
    if (!entry.launchable || entry.unhealthy) continue;
    const count = entry.acceleratorCount;
    if (gpu.count % count !== 0 || (req.exactShape === true && count !== gpu.count)) continue;
    let ok = admissible[entry.locationIndex]!;
    if (ok === 0) {
      const l = ctx.locations[entry.locationIndex]!;
      ok = !avoidAll.has(l.key) && inResidency(residency, l.cloud, l.region, l.geo) ? 1 : 2;
      admissible[entry.locationIndex] = ok;
    }
    if (ok !== 1) continue;
    const nodes = gpu.count / count;
    if (entry.onDemandUsdPerHour !== null) consider(groups, entry.locationIndex * 2, entry, false, nodes, entry.onDemandUsdPerHour * nodes);
    if (entry.spotUsdPerHour !== null && entry.spotAvailability > 0 && !onDemandOnly && !avoidSpot.has(entry.location)) {
      spotCapacity = true;
      consider(groups, entry.locationIndex * 2 + 1, entry, true, nodes, entry.spotUsdPerHour * nodes);
    }
  }

  const restartsJob = req.restartsJob ?? true;
  const R = Math.max(0, req.remainingWorkHours);
  const hoursToDeadline = !restartsJob || workload.deadlineMs === null ? null : (workload.deadlineMs - ctx.nowMs) / HOUR_MS;
  const options: PlacementOption[] = [];
  for (const c of groups) {
    if (c === undefined) continue;
    const offer = c.entry;
    const { location } = offer;
    const egress = restartsJob ? egressBetween(ctx, req.checkpointFrom, location, req.checkpointGb) : NO_EGRESS;
    const provisionMs = config.provisionMs[offer.cloud];
    const downtimeMs = restartsJob ? provisionMs + egress.transferMs + config.restartMs : 0;
    const restartOverheadMs = provisionMs + config.restartMs;
    const verdict = uniformProgress(
      {
        remainingWorkHours: R,
        hoursToDeadline,
        moveDowntimeMs: downtimeMs,
        restartOverheadMs,
        currentlyOnDemand: req.current === null ? null : !req.current.spot,
        requireOnDemand: req.requireOnDemand === true,
      },
      config,
    );
    if (c.spot && !verdict.spotAllowed) continue;
    const expectedHours = c.spot ? R * (1 + spotOverheadShare(config, restartOverheadMs)) : R;
    const target: Placement = { cloud: offer.cloud, region: offer.region, spot: c.spot, instanceType: offer.instanceType };
    if (offer.zone !== null) target.zone = offer.zone;
    options.push({
      target,
      offerId: offer.id,
      nodes: c.nodes,
      usdPerHour: c.usdPerHour,
      egress,
      downtimeMs,
      expectedHours,
      totalCostUsd: c.usdPerHour * expectedHours + egress.usd + (c.usdPerHour * downtimeMs) / HOUR_MS,
      verdict,
    });
  }
  options.sort(compareOptions);
  return { best: options[0] ?? null, options, spotCapacity };
}
