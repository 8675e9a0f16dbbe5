import type { EgressMatrix, SnapshotInstance, SnapshotWorkload } from "../../domain/index.js";
import { bestAlternative, CandidateCache, type CurrentPlacement } from "../break-even.js";
import type { DetectorConfig } from "../config.js";
import type { Raised } from "../raised.js";
import type { SurgeTrack } from "../state.js";
import { hours, round, usd } from "../text.js";
import type { SnapshotView } from "../view.js";

/**
 * A training job's placement costs `surgeFactor` × its baseline or more, and moving pays before the job
 * ends. The baseline is the rate first seen on this placement, drifting toward the price (half-life
 * `baselineHalfLifeMs`) only while no surge is pending or open, so a surge cannot teach itself to be normal.
 * Hysteresis: a surge opens after `raiseTicks` ticks in a row at or above the surge line, spanning at least
 * `raiseAfterMs` (counting ticks alone would make a 10-minute spike a surge at a 5-minute tick), and closes after
 * `clearTicks` ticks in a row under the lower clear line, so a price flickering around one line neither
 * raises nor clears. While open, the finding is raised on each tick the break-even is positive.
 */
export function detectPriceSurge(
  view: SnapshotView,
  previous: Readonly<Record<string, SurgeTrack>>,
  config: DetectorConfig,
  egress: EgressMatrix,
): { raised: Raised[]; surge: Record<string, SurgeTrack> } {
  const raised: Raised[] = [];
  const surge: Record<string, SurgeTrack> = {};
  const candidates = new CandidateCache(view, egress, config);
  for (const { workload: w, instances } of view.workloads) {
    if (w.kind !== "training" || w.state === "completed") continue;
    const before = Object.hasOwn(previous, w.id) ? previous[w.id] : undefined;
    const current = currentPlacement(w, instances, view);
    if (current === null) {
      // between placements (a node lost, restarting): the baseline waits for the job to run again
      if (before) surge[w.id] = before;
      continue;
    }
    const track = nextTrack(before, current, view.atMs, w.server, config);
    surge[w.id] = track;
    if (track.openSinceMs === null) continue;
    const alternative = bestAlternative(w, current, candidates, config);
    if (alternative === null || alternative.netSavingsUsd <= config.minNetSavingsUsd) continue;
    const ratio = current.usdPerHour / track.baselineUsdPerHour;
    raised.push({
      kind: "price-surge",
      scope: w.id,
      workloadId: w.id,
      severity: "warning",
      summary:
        `The ${current.spot ? "spot" : "on-demand"} price of training job ${w.id} in ${current.location} is ${ratio.toFixed(2)}× its baseline ` +
        `(${usd(current.usdPerHour)}/h against ${usd(track.baselineUsdPerHour)}/h). ` +
        `Moving to ${alternative.spot ? "spot" : "on-demand"} ${alternative.instanceType} in ${alternative.location} at ${usd(alternative.usdPerHour)}/h ` +
        `saves ${usd(alternative.netSavingsUsd)} over the remaining ${hours(alternative.remainingHours)}, ` +
        `after ${usd(alternative.egressUsd)} egress and ${usd(alternative.downtimeUsd)} of downtime.`,
      facts: {
        location: current.location,
        spot: current.spot,
        instanceType: current.instanceType,
        currentUsdPerHour: round(current.usdPerHour),
        baselineUsdPerHour: round(track.baselineUsdPerHour),
        ratio: round(ratio),
        surgeFactor: config.surgeFactor,
        surgeSinceMs: track.openSinceMs,
        altLocation: alternative.location,
        altCloud: alternative.cloud,
        altRegion: alternative.region,
        altInstanceType: alternative.instanceType,
        altOfferId: alternative.offerId,
        altSpot: alternative.spot,
        altUsdPerHour: round(alternative.usdPerHour),
        savingsUsdPerHour: round(alternative.savingsUsdPerHour),
        remainingHours: round(alternative.remainingHours),
        checkpointGb: alternative.checkpointGb,
        egressUsdPerGb: alternative.egressUsdPerGb,
        egressUsd: round(alternative.egressUsd),
        downtimeHours: round(alternative.downtimeHours),
        downtimeUsd: round(alternative.downtimeUsd),
        netSavingsUsd: round(alternative.netSavingsUsd),
      },
      server: w.server,
    });
  }
  // jobs not seen this tick keep their baselines while their server is missing
  if (view.sources.suspect.size > 0) {
    for (const [id, track] of Object.entries(previous)) {
      if (!Object.hasOwn(surge, id) && !view.workloadById.has(id) && view.sources.suspect.has(track.server)) surge[id] = track;
    }
  }
  return { raised, surge };
}

/**
 * The job's placement (its first deployment with nodes) and its rate now: the price in force of each
 * node's offer (the instance's own rate where the offer is not listed), for the whole shape even while a
 * node is missing, so a preempted node does not look like a price drop. `instances`: the job's live ones.
 */
export function currentPlacement(w: SnapshotWorkload, instances: readonly SnapshotInstance[], view: SnapshotView): CurrentPlacement | null {
  const deployment = w.deployments.find((d) => d.replicas > 0);
  if (!deployment) return null;
  let sum = 0;
  let nodes = 0;
  let perInstanceAccelerators = 0;
  let offerId: string | null = null;
  for (const i of instances) {
    if (!isAt(i.cloud, i.region, deployment.location) || i.instanceType !== deployment.instanceType || i.spot !== deployment.spot) continue;
    const offer = view.offerById.get(i.offerId);
    const quoted = offer ? (i.spot ? offer.spotUsdPerHourNow : offer.onDemandUsdPerHourNow) : null;
    sum += quoted ?? i.usdPerHour;
    nodes++;
    offerId ??= i.offerId;
    if (offer) perInstanceAccelerators = offer.acceleratorCount;
  }
  if (nodes === 0 || offerId === null) return null;
  const shapeNodes = perInstanceAccelerators > 0 && w.gpu.count % perInstanceAccelerators === 0 ? w.gpu.count / perInstanceAccelerators : nodes;
  return { location: deployment.location, spot: deployment.spot, instanceType: deployment.instanceType, offerId, usdPerHour: (sum / nodes) * shapeNodes };
}

/** Whether `cloud/region` is `location`, without building the string (this runs for every node of the fleet). */
function isAt(cloud: string, region: string, location: string): boolean {
  return location.length === cloud.length + 1 + region.length && location.startsWith(cloud) && location.charCodeAt(cloud.length) === 47 && location.endsWith(region);
}

function nextTrack(previous: SurgeTrack | undefined, current: CurrentPlacement, atMs: number, server: string, config: DetectorConfig): SurgeTrack {
  const rate = current.usdPerHour;
  const moved = previous === undefined || previous.location !== current.location || previous.spot !== current.spot || previous.instanceType !== current.instanceType;
  if (moved || !(previous.baselineUsdPerHour > 0)) return track(server, current, rate, atMs, 0, 0, null);
  const { baselineUsdPerHour: baseline, baselineAtMs, above, below, openSinceMs } = previous;
  if (openSinceMs === null) {
    if (rate >= config.surgeFactor * baseline) {
      const aboveSinceMs = above > 0 && previous.aboveSinceMs !== null ? previous.aboveSinceMs : atMs;
      return above + 1 >= config.raiseTicks && atMs - aboveSinceMs >= config.raiseAfterMs
        ? track(server, current, baseline, baselineAtMs, 0, 0, atMs)
        : track(server, current, baseline, baselineAtMs, above + 1, 0, null, aboveSinceMs);
    }
    const elapsed = Math.max(0, atMs - baselineAtMs);
    const weight = config.baselineHalfLifeMs > 0 ? 1 - 2 ** (-elapsed / config.baselineHalfLifeMs) : 1;
    return track(server, current, baseline + (rate - baseline) * weight, atMs, 0, 0, null);
  }
  if (rate < config.surgeClearFactor * baseline) {
    return below + 1 >= config.clearTicks ? track(server, current, baseline, atMs, 0, 0, null) : track(server, current, baseline, baselineAtMs, 0, below + 1, openSinceMs);
  }
  return track(server, current, baseline, baselineAtMs, 0, 0, openSinceMs);
}

// one object shape for every track (the state of a large fleet is thousands of them)
function track(server: string, at: CurrentPlacement, baselineUsdPerHour: number, baselineAtMs: number, above: number, below: number, openSinceMs: number | null, aboveSinceMs: number | null = null): SurgeTrack {
  return { server, location: at.location, spot: at.spot, instanceType: at.instanceType, baselineUsdPerHour, baselineAtMs, above, aboveSinceMs, below, openSinceMs };
}
