import type { PlannerConfig } from "./config.js";

/*
 * How many serving replicas to run on spot in which zones, and how many on demand: skyops' serving
 * policy, after SkyServe's SpotHedge (Mao et al., "SkyServe: Serving AI Models across Regions and Clouds
 * with Spot Instances", EuroSys'25, arXiv 2411.01438): spot replicas spread over zones and
 * over-provisioned, with a dynamic on-demand fallback. Pure: time and facts are arguments, the same
 * input gives the same plan.
 *
 * A replacement is ready only a provisioning time after its launch, so what counts is the fleet alive
 * now (ready by then) and what spot capacity may be reclaimed before then. The target is the cheapest
 * fleet — spot replicas spread evenly over the zones with capacity now (fewest-first, cheapest zone on
 * ties, at most `servingMaxSpotPerZone` × K in one zone) plus on demand — such that
 *
 * 1. it still holds the K required replicas after its L fullest zones lose their spot capacity at once,
 *    L = `servingZoneLosses` (reclaims come in waves: one zone's reclaim is often followed by another's
 *    within minutes), but at most n − 1 of the n zones with capacity (and 1 with one zone: all on
 *    demand), so that two zones can still carry spot with on demand for the rest; and
 * 2. replaying the provisioning windows seen so far that began with the same number of zones n — each
 *    a reclaim of as many zones, the fullest first — it leaves at most 1 − `servingTargetAvailability`
 *    of demand unserved on average. Where reclaims of all the zones were seen (the traces' "no spot
 *    anywhere" events follow the zones with capacity dwindling to one or two) this buys on demand
 *    before the last zone goes, not after.
 *
 * Where spot is 10–30% of the on-demand price, as for GPUs, this buys many spot replicas across many
 * zones and on demand only where few zones have capacity. The plan launches toward the target at once
 * and releases what the target does not need — spot beyond a zone's target, on demand beyond its target
 * — replicas still provisioning first (the caller releases those first), ready ones only while the ready
 * replicas left would still hold K after L zone losses (make before break).
 */

/** A zone the service could run spot replicas in. */
export interface ServingZone {
  zone: string;
  /** `cloud/region`. */
  location: string;
  /** Spot price of one replica, USD/hour. */
  spotUsdPerHour: number;
  /** The zone has spot capacity now. */
  available: boolean;
  /** The service's spot replicas alive there now, ready or still provisioning. */
  spotReplicas: number;
  /** Of those, ready. */
  readySpotReplicas: number;
}

/** `count` past provisioning windows that began with `zonesUp` zones with spot capacity, `zonesLost` of which lost it before the window ended. */
export interface LossWindow {
  zonesUp: number;
  zonesLost: number;
  count: number;
}

export interface ServingSpotInput {
  /** K: replicas the service needs ready. */
  replicas: number;
  zones: readonly ServingZone[];
  /** On-demand price of one replica, USD/hour. */
  onDemandUsdPerHour: number;
  /** On-demand replicas alive now, ready or still provisioning. */
  onDemandReplicas: number;
  /** Of those, ready. */
  readyOnDemandReplicas: number;
  /** The provisioning windows seen so far (only windows that have ended; empty: no history yet). */
  lossWindows: readonly LossWindow[];
}

export interface ServingSpotPlan {
  /** Spot replicas to have alive per zone after this step (every zone of the input; 0 where it has no capacity). */
  spot: Record<string, number>;
  spotTotal: number;
  /** On-demand replicas to have alive after this step. */
  onDemand: number;
  /** L: zones whose loss at once the target survives. */
  zoneLosses: number;
  /** The cheapest fleet that meets both conditions (the plan converges to it). */
  target: { spot: Record<string, number>; onDemand: number };
  /** Expected share of demand served over a provisioning window, replaying the windows seen (1 with none). */
  expectedServed: number;
  usdPerHour: number;
  reason: string;
}

/** `total` replicas spread fewest-first over zones (cheapest first on ties, then by name), at most `cap` each. */
export function spreadReplicas(total: number, zones: readonly Pick<ServingZone, "zone" | "spotUsdPerHour">[], cap: number): number[] {
  const order = zones.map((_, i) => i).sort((a, b) => zones[a]!.spotUsdPerHour - zones[b]!.spotUsdPerHour || (zones[a]!.zone < zones[b]!.zone ? -1 : 1));
  const counts = new Array<number>(zones.length).fill(0);
  let left = Math.min(total, cap * zones.length);
  for (let level = 1; left > 0; level++) {
    for (const i of order) {
      if (left === 0) break;
      counts[i] = level;
      left--;
    }
  }
  return counts;
}

/** Replicas left of `counts` after the `losses` fullest zones are lost. */
export function survivors(counts: readonly number[], losses: number): number {
  const sorted = [...counts].sort((a, b) => b - a);
  return sorted.slice(Math.max(0, losses)).reduce((a, c) => a + c, 0);
}

export function planServingSpot(input: ServingSpotInput, config: PlannerConfig): ServingSpotPlan {
  const K = Math.max(0, Math.ceil(input.replicas - 1e-9));
  const up = input.zones.filter((z) => z.available && Number.isFinite(z.spotUsdPerHour) && z.spotUsdPerHour >= 0);
  const n = up.length;
  const L = Math.min(config.servingZoneLosses, Math.max(1, n - 1));
  const cap = Math.max(1, Math.ceil(K * config.servingMaxSpotPerZone - 1e-9));
  const windows = input.lossWindows.filter((w) => w.count > 0 && w.zonesUp === n && n > 0);
  const seen = windows.reduce((a, w) => a + w.count, 0);
  const budget = (1 - config.servingTargetAvailability) * K * seen;
  /** Replica-windows of demand left unserved, replaying the windows seen, with `od` on demand. */
  const unmetOf = (counts: readonly number[], od: number): number => {
    const sorted = [...counts].sort((a, b) => b - a);
    const left = sorted.map((_, i) => sorted.slice(i).reduce((a, c) => a + c, 0));
    left.push(0);
    return windows.reduce((a, w) => a + w.count * Math.max(0, K - od - left[Math.min(n, w.zonesLost)]!), 0);
  };

  let best: { counts: number[]; od: number; cost: number } | null = null;
  for (let total = 0; total <= cap * n; total++) {
    const counts = spreadReplicas(total, up, cap);
    let od = Math.max(0, K - survivors(counts, L));
    if (seen > 0 && config.servingTargetAvailability > 0) while (od < K && unmetOf(counts, od) > budget + 1e-9) od++;
    const cost = counts.reduce((a, c, i) => a + c * up[i]!.spotUsdPerHour, 0) + od * input.onDemandUsdPerHour;
    if (best === null || cost < best.cost - 1e-9) best = { counts, od, cost };
  }
  const chosen = best!;
  const targetSpot: Record<string, number> = {};
  for (const z of input.zones) targetSpot[z.zone] = 0;
  up.forEach((z, i) => (targetSpot[z.zone] = chosen.counts[i]!));
  const targetTotal = chosen.counts.reduce((a, c) => a + c, 0);

  // launch toward the target; release ready replicas only while the ready ones left hold K after L losses
  const spot: Record<string, number> = {};
  const readyLeft: number[] = [];
  const extraReady = new Map<number, number>();
  input.zones.forEach((z, i) => {
    const want = targetSpot[z.zone]!;
    if (!z.available) {
      spot[z.zone] = 0;
      readyLeft.push(0);
      return;
    }
    spot[z.zone] = Math.max(want, z.readySpotReplicas);
    readyLeft.push(z.readySpotReplicas);
    if (z.readySpotReplicas > want) extraReady.set(i, z.readySpotReplicas - want);
  });
  const holds = (od: number) => survivors(readyLeft, L) + Math.min(od, input.readyOnDemandReplicas) >= K;
  let onDemand = Math.max(chosen.od, Math.min(input.onDemandReplicas, input.readyOnDemandReplicas));
  // on demand first (dearest), then spot from the fullest zone
  while (onDemand > chosen.od && holds(onDemand - 1)) onDemand--;
  for (;;) {
    const candidates = [...extraReady.entries()].filter(([, left]) => left > 0).map(([i]) => i);
    if (candidates.length === 0) break;
    candidates.sort((a, b) => readyLeft[b]! - readyLeft[a]! || input.zones[b]!.spotUsdPerHour - input.zones[a]!.spotUsdPerHour || a - b);
    const i = candidates[0]!;
    readyLeft[i]!--;
    if (!holds(onDemand)) {
      readyLeft[i]!++;
      break;
    }
    extraReady.set(i, extraReady.get(i)! - 1);
    spot[input.zones[i]!.zone]!--;
  }
  const spotTotal = Object.values(spot).reduce((a, c) => a + c, 0);
  const usdPerHour = input.zones.reduce((a, z) => a + spot[z.zone]! * z.spotUsdPerHour, 0) + onDemand * input.onDemandUsdPerHour;
  const expectedServed = seen > 0 && K > 0 ? 1 - unmetOf(chosen.counts, chosen.od) / (K * seen) : 1;
  const kept = spotTotal + onDemand - targetTotal - chosen.od;
  const reason =
    `${n} of ${input.zones.length} zones have spot capacity; target ${targetTotal} spot (${up.map((z, i) => `${z.zone} ${chosen.counts[i]!}`).join(", ") || "none"}) ` +
    `and ${chosen.od} on demand: ${K} replicas left if the ${L} fullest zones are reclaimed` +
    (seen > 0 ? `, ${(expectedServed * 100).toFixed(2)}% of demand served over the ${seen} provisioning windows seen with ${n} zones` : "") +
    (kept > 0 ? `; ${kept} more kept until their replacements are ready` : "") +
    ".";
  return { spot, spotTotal, onDemand, zoneLosses: L, target: { spot: targetSpot, onDemand: chosen.od }, expectedServed, usdPerHour, reason };
}
