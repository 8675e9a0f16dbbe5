import { checkpointGbOf, inResidency, type EgressMatrix, type SnapshotWorkload } from "../domain/index.js";
import type { DetectorConfig } from "./config.js";
import type { SnapshotView } from "./view.js";

const HOUR_MS = 3_600_000;

/** Where a training job runs now, and what that costs for its whole accelerator shape. */
export interface CurrentPlacement {
  location: string;
  spot: boolean;
  instanceType: string;
  offerId: string;
  /** The job's whole shape at the price in force now, USD/hour. */
  usdPerHour: number;
}

/** The best move for a training job and what it nets over the rest of the job. */
export interface BreakEven {
  location: string;
  cloud: string;
  region: string;
  instanceType: string;
  offerId: string;
  spot: boolean;
  usdPerHour: number;
  savingsUsdPerHour: number;
  remainingHours: number;
  checkpointGb: number;
  egressUsdPerGb: number;
  egressUsd: number;
  downtimeHours: number;
  downtimeUsd: number;
  netSavingsUsd: number;
  /** Candidates left out because the egress matrix has no price for the transfer. */
  unpricedCandidates: number;
}

/** A placement a job of one shape could move to, priced for the whole shape. */
class Candidate {
  // a class, so the many a large fleet evaluates per tick share one shape
  constructor(
    readonly location: string,
    readonly cloud: string,
    readonly region: string,
    readonly instanceType: string,
    readonly offerId: string,
    readonly spot: boolean,
    readonly usdPerHour: number,
  ) {}
}

/** Candidates with the price of moving a checkpoint to each from one origin (NaN: the matrix has no price). */
interface Priced {
  candidates: readonly Candidate[];
  usdPerGb: Float64Array;
  gbPerSecond: Float64Array;
  unpriced: number;
}

/**
 * Candidates by accelerator, shape and residency, and their transfer prices by origin, built once per
 * tick for all the jobs that share them (a fleet has thousands of jobs and a few hundred such keys), so a
 * break-even is arithmetic only.
 */
export class CandidateCache {
  private readonly byShape = new Map<string, { candidates: Candidate[]; byOrigin: Map<string, Priced> }>();

  constructor(
    private readonly view: SnapshotView,
    private readonly egress: EgressMatrix,
    private readonly config: DetectorConfig,
  ) {}

  get(workload: SnapshotWorkload, from: string): Priced {
    const accelerator = workload.gpu.name.toLowerCase();
    const key = `${accelerator}|${workload.gpu.count}|${workload.residency.join(",")}`;
    let shape = this.byShape.get(key);
    if (!shape) {
      shape = { candidates: this.candidates(accelerator, workload.gpu.count, workload.residency), byOrigin: new Map() };
      this.byShape.set(key, shape);
    }
    let priced = shape.byOrigin.get(from);
    if (!priced) {
      priced = this.price(shape.candidates, from);
      shape.byOrigin.set(from, priced);
    }
    return priced;
  }

  private candidates(accelerator: string, shape: number, residency: readonly string[]): Candidate[] {
    const out: Candidate[] = [];
    for (const { offer, location, geo } of this.view.offersByAccelerator.get(accelerator) ?? []) {
      const count = offer.acceleratorCount;
      if (count > shape || shape % count !== 0 || !offer.launchable) continue;
      if (!inResidency(residency, offer.cloud, offer.region, geo)) continue;
      const region = this.view.regions.get(location);
      if (region && (region.down || region.stockouts.has(accelerator))) continue;
      const nodes = shape / count;
      if (offer.onDemandUsdPerHourNow !== null) {
        out.push(new Candidate(location, offer.cloud, offer.region, offer.instanceType, offer.id, false, offer.onDemandUsdPerHourNow * nodes));
      }
      if (offer.spotUsdPerHourNow !== null && offer.spotAvailability > 0) {
        out.push(new Candidate(location, offer.cloud, offer.region, offer.instanceType, offer.id, true, offer.spotUsdPerHourNow * nodes));
      }
    }
    // cheapest first: a break-even stops at the first candidate that cannot beat the best so far
    return out.sort((a, b) => a.usdPerHour - b.usdPerHour || (a.offerId < b.offerId ? -1 : a.offerId > b.offerId ? 1 : 0) || Number(a.spot) - Number(b.spot));
  }

  private price(candidates: readonly Candidate[], from: string): Priced {
    const row = Object.hasOwn(this.egress, from) ? this.egress[from]! : undefined;
    const usdPerGb = new Float64Array(candidates.length);
    const gbPerSecond = new Float64Array(candidates.length);
    let unpriced = 0;
    for (let k = 0; k < candidates.length; k++) {
      const location = candidates[k]!.location;
      const link = row && Object.hasOwn(row, location) ? row[location] : undefined;
      if (link) {
        usdPerGb[k] = link.usdPerGb;
        gbPerSecond[k] = link.transferGbPerSecond;
      } else if (location === from) {
        usdPerGb[k] = 0;
        gbPerSecond[k] = this.config.sameRegionGbPerSecond;
      } else {
        usdPerGb[k] = Number.NaN;
        unpriced++;
      }
    }
    return { candidates, usdPerGb, gbPerSecond, unpriced };
  }
}

/**
 * The placement that saves the most over the rest of the job, counting what moving costs:
 *
 *   net = (current − alternative) USD/h × remaining work hours − checkpoint egress − downtime
 *
 * where downtime (writing the checkpoint, the migration overhead, transferring it) is billed at the
 * current rate: that is what the job pays for hours that make no progress. Candidates: offers with the
 * job's accelerator whose count per instance divides its shape, within its residency, launchable now,
 * in a region not reported down or out of that accelerator; spot only with spot capacity available.
 * A transfer the egress matrix cannot price is not a candidate (a move of unknown cost is not proven to
 * pay). Null when no candidate nets more than nothing.
 */
export function bestAlternative(workload: SnapshotWorkload, current: CurrentPlacement, cache: CandidateCache, config: DetectorConfig): BreakEven | null {
  if (workload.workHours === null) return null;
  const remainingHours = Math.max(0, workload.workHours - (workload.progressHours ?? 0));
  if (remainingHours <= 0) return null;
  const checkpointGb = checkpointGbOf(workload.checkpointGb, config.checkpointGb, config.checkpointGbDefault, workload.id);
  const { candidates, usdPerGb, gbPerSecond, unpriced } = cache.get(workload, current.location);
  const fixedHours = checkpointGb / config.checkpointWriteGbPerSecond / 3600 + config.migrationOverheadMs / HOUR_MS;
  let best = -1;
  let bestNet = 0;
  const fixedUsd = fixedHours * current.usdPerHour;
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k]!;
    const savingsUsdPerHour = current.usdPerHour - c.usdPerHour;
    // candidates come cheapest first, and egress and transfer only take away: none further on can do better
    if (!(savingsUsdPerHour * remainingHours - fixedUsd >= bestNet)) break;
    const egressUsdPerGb = usdPerGb[k]!;
    // NaN: a transfer the matrix cannot price
    if (egressUsdPerGb !== egressUsdPerGb || (c.offerId === current.offerId && c.spot === current.spot)) continue;
    const downtimeHours = fixedHours + checkpointGb / gbPerSecond[k]! / 3600;
    const net = savingsUsdPerHour * remainingHours - egressUsdPerGb * checkpointGb - downtimeHours * current.usdPerHour;
    if (!Number.isFinite(net) || net <= 0) continue;
    if (best < 0 || better(net, c, bestNet, candidates[best]!)) {
      best = k;
      bestNet = net;
    }
  }
  if (best < 0) return null;
  const c = candidates[best]!;
  const downtimeHours = fixedHours + checkpointGb / gbPerSecond[best]! / 3600;
  return {
    location: c.location,
    cloud: c.cloud,
    region: c.region,
    instanceType: c.instanceType,
    offerId: c.offerId,
    spot: c.spot,
    usdPerHour: c.usdPerHour,
    savingsUsdPerHour: current.usdPerHour - c.usdPerHour,
    remainingHours,
    checkpointGb,
    egressUsdPerGb: usdPerGb[best]!,
    egressUsd: usdPerGb[best]! * checkpointGb,
    downtimeHours,
    downtimeUsd: downtimeHours * current.usdPerHour,
    netSavingsUsd: bestNet,
    unpricedCandidates: unpriced,
  };
}

/** Most net savings; then the lower rate; then on-demand before spot; then the offer id (deterministic). */
function better(net: number, c: Candidate, bestNet: number, best: Candidate): boolean {
  if (net !== bestNet) return net > bestNet;
  if (c.usdPerHour !== best.usdPerHour) return c.usdPerHour < best.usdPerHour;
  if (c.spot !== best.spot) return !c.spot;
  return c.offerId < best.offerId;
}
