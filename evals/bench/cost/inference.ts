import type { World } from "./world.js";

/**
 * Serving on spot across zones with on-demand fallback (skyops' approach, after SkyServe's SpotHedge:
 * Mao et al., "SkyServe: Serving AI Models across Regions and Clouds with Spot Instances", NSDI'25),
 * against on demand only, on the same traces and grid as the training benchmark.
 *
 * A service needs `replicas` healthy replicas (K). Each step:
 * 1. spot replicas in a zone whose capacity is gone are preempted;
 * 2. the service counts as available in this step if at least K replicas are ready (a replica is ready
 *    `provisionSteps` after its launch: provisioning and loading the model);
 * 3. spot replicas are kept at K × (1 + replicaHeadroom) (the planner's headroom), or more where that
 *    is not enough to lose the fullest zone and keep K (T − ⌈T / n⌉ ≥ K over the n zones with capacity
 *    now), launched one by one into the zone with capacity that holds the fewest (spreading, so one
 *    reclaim takes few), cheapest first on ties;
 * 4. on demand covers what ready spot replicas lack (K − ready spot), and, while only one zone has
 *    capacity, what its reclaim would take; it is released as soon as it is not needed.
 * Every replica alive in a step, ready or not, pays its price for the step. Both fleets start with
 * their replicas ready. A 1-node trace says whether spot capacity could be had in a zone; a zone that
 * has it is assumed to take as many replicas as asked for.
 */
export interface InferenceOptions {
  replicas: number;
  /** Spot replicas beyond K, as a share of K (rounded up). */
  headroom: number;
  provisionSteps: number;
  /** While fewer than this many zones have spot capacity, on demand also covers the fullest zone's reclaim (SkyServe's dynamic fallback when spot is scarce). */
  scarceZones: number;
  /** Steps after a preemption during which spot counts as volatile and on demand also covers the fullest zone's reclaim. */
  volatileSteps: number;
}

export interface InferenceResult {
  world: string;
  zones: number;
  hours: number;
  replicas: number;
  /** Spot replicas alive on average (the target grows where few zones have capacity). */
  meanSpotReplicas: number;
  costUsd: number;
  onDemandCostUsd: number;
  /** 1 − cost ÷ on-demand-only cost. */
  costSaving: number;
  /** Share of demand served: mean over steps of min(1, ready ÷ K) (as the simulator and SCENARIOS.md define it). */
  availability: number;
  /** Share of steps with at least K ready replicas (stricter). */
  allReplicasShare: number;
  /** Share of replica-hours bought on demand. */
  onDemandShare: number;
  preemptions: number;
  /** Cumulative cost at the end of each step, with `series`. */
  series?: number[];
}

interface Replica {
  zone: number; // -1: on demand
  readyAt: number;
}

/** Fewest spot replicas that, spread evenly over n zones, still leave K when the fullest zone is reclaimed. */
export function survivesOneZone(K: number, n: number): number {
  if (n < 2) return K;
  let T = K;
  while (T - Math.ceil(T / n) < K) T++;
  return T;
}
export function benchInference(world: World, options: InferenceOptions, series = false): InferenceResult {
  const K = options.replicas;
  const spotTarget = K + Math.ceil(K * options.headroom - 1e-9);
  const odRegion = world.zones.length > 0 ? world.zones[0]!.region : 0;
  const odPrice = world.regions[odRegion]!.onDemandUsdPerHour;
  const dt = world.stepHours;
  const spot: Replica[] = [];
  const od: Replica[] = [];
  const perZone = new Int32Array(world.zones.length);
  const launchSpot = (t: number, ready: boolean): boolean => {
    let best = -1;
    for (let z = 0; z < world.zones.length; z++) {
      if (world.zones[z]!.avail[t] !== 1) continue;
      if (best < 0 || perZone[z]! < perZone[best]! || (perZone[z] === perZone[best] && world.zones[z]!.spotUsdPerHour[t]! < world.zones[best]!.spotUsdPerHour[t]!)) best = z;
    }
    if (best < 0) return false;
    perZone[best]!++;
    spot.push({ zone: best, readyAt: ready ? t : t + options.provisionSteps });
    return true;
  };
  for (let i = 0; i < spotTarget; i++) if (!launchSpot(0, true)) break;
  for (let i = spot.length; i < K; i++) od.push({ zone: -1, readyAt: 0 });

  let cost = 0;
  let upSteps = 0;
  let served = 0;
  let odHours = 0;
  let replicaHours = 0;
  let spotHours = 0;
  let preemptions = 0;
  let lastPreemption = -Infinity;
  const out: number[] | undefined = series ? [] : undefined;
  for (let t = 0; t < world.steps; t++) {
    for (let i = spot.length - 1; i >= 0; i--) {
      const z = spot[i]!.zone;
      if (world.zones[z]!.avail[t] !== 1) {
        perZone[z]!--;
        spot.splice(i, 1);
        preemptions++;
        lastPreemption = t;
      }
    }
    const readySpot = spot.reduce((n, r) => n + (r.readyAt <= t ? 1 : 0), 0);
    const readyOd = od.reduce((n, r) => n + (r.readyAt <= t ? 1 : 0), 0);
    if (readySpot + readyOd >= K) upSteps++;
    served += Math.min(1, (readySpot + readyOd) / K);
    let zonesUp = 0;
    for (let z = 0; z < world.zones.length; z++) if (world.zones[z]!.avail[t] === 1) zonesUp++;
    const target = Math.max(spotTarget, survivesOneZone(K, zonesUp));
    while (spot.length < target && launchSpot(t, false));
    let largest = 0;
    const readyIn = new Int32Array(world.zones.length);
    for (const r of spot) if (r.readyAt <= t) largest = Math.max(largest, ++readyIn[r.zone]!);
    const wantOd = Math.max(0, K - readySpot, zonesUp < options.scarceZones || t - lastPreemption < options.volatileSteps ? K - (readySpot - largest) : 0);
    // release on demand beyond what is wanted, replicas still provisioning first
    od.sort((a, b) => a.readyAt - b.readyAt);
    while (od.length > wantOd) od.pop();
    while (od.length < wantOd) od.push({ zone: -1, readyAt: t + options.provisionSteps });
    for (const r of spot) cost += world.zones[r.zone]!.spotUsdPerHour[t]! * dt;
    cost += od.length * odPrice * dt;
    odHours += od.length * dt;
    replicaHours += (od.length + spot.length) * dt;
    spotHours += spot.length * dt;
    out?.push(cost);
  }
  const onDemandCostUsd = K * odPrice * dt * world.steps;
  const result: InferenceResult = {
    world: world.id,
    zones: world.zones.length,
    hours: world.steps * dt,
    replicas: K,
    meanSpotReplicas: spotHours / (world.steps * dt),
    costUsd: cost,
    onDemandCostUsd,
    costSaving: 1 - cost / onDemandCostUsd,
    availability: served / world.steps,
    allReplicasShare: upSteps / world.steps,
    onDemandShare: replicaHours === 0 ? 0 : odHours / replicaHours,
    preemptions,
  };
  if (out) result.series = out;
  return result;
}
