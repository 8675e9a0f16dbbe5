import type { PlannerConfig } from "../../../src/planner/config.js";
import { planServingSpot, type LossWindow } from "../../../src/planner/serving-spot.js";
import type { World } from "./world.js";

/**
 * Serving on spot across zones with on-demand fallback — skyops' policy, the planner's
 * `planServingSpot` (src/planner/serving-spot.ts), after SkyServe's SpotHedge (Mao et al., EuroSys'25)
 * — against on demand only, on the same traces and grid as the training benchmark.
 *
 * A service needs `replicas` ready replicas (K). Each step t:
 * 1. spot replicas in a zone whose capacity is gone are preempted;
 * 2. the step's demand served is min(1, ready ÷ K), and the step has all K ready or not (a replica is
 *    ready `provisionSteps` after its launch: provisioning and loading the model);
 * 3. the provisioning window that began `provisionSteps` ago has ended: how many zones had capacity at
 *    its start and how many of those lost it since are added to the history;
 * 4. the policy sees the present (which zones have capacity now, their prices, the fleet) and that
 *    history — never the trace ahead — and plans spot replicas per zone and on-demand replicas;
 *    replicas are launched to reach the plan and released beyond it (those still provisioning first).
 * Every replica alive in a step, ready or not, pays its price for the step. Both fleets start with
 * their replicas ready. A 1-node trace says whether spot capacity could be had in a zone; a zone that
 * has it is assumed to take as many replicas as the plan asks (at most `servingMaxSpotPerZone` × K).
 */
export interface InferenceOptions {
  replicas: number;
  provisionSteps: number;
  /** The planner's configuration (its serving knobs). */
  config: PlannerConfig;
}

export interface InferenceResult {
  world: string;
  zones: number;
  hours: number;
  replicas: number;
  /** Spot replicas alive on average. */
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

/** Drops `count` replicas of `list` matching `pick`, the latest to be ready first (those still provisioning). */
function release(list: Replica[], count: number, pick: (r: Replica) => boolean): void {
  const order = list
    .map((r, i) => ({ r, i }))
    .filter((x) => pick(x.r))
    .sort((a, b) => b.r.readyAt - a.r.readyAt || b.i - a.i)
    .slice(0, count)
    .map((x) => x.i)
    .sort((a, b) => b - a);
  for (const i of order) list.splice(i, 1);
}

export function benchInference(world: World, options: InferenceOptions, series = false): InferenceResult {
  const K = options.replicas;
  const odRegion = world.zones.length > 0 ? world.zones[0]!.region : 0;
  const odPrice = world.regions[odRegion]!.onDemandUsdPerHour;
  const dt = world.stepHours;
  const spot: Replica[] = [];
  const od: Replica[] = [];
  // provisioning windows that have ended: zones up at their start and how many of those lost capacity
  const windows = new Map<string, LossWindow>();
  const observeWindow = (s: number) => {
    let up = 0;
    let lost = 0;
    for (const z of world.zones) {
      if (z.avail[s] !== 1) continue;
      up++;
      for (let u = s + 1; u <= s + options.provisionSteps; u++) if (z.avail[u] !== 1) { lost++; break; }
    }
    const key = `${up}/${lost}`;
    const w = windows.get(key) ?? { zonesUp: up, zonesLost: lost, count: 0 };
    w.count++;
    windows.set(key, w);
  };

  const planAt = (t: number) => {
    const plan = planServingSpot(
      {
        replicas: K,
        zones: world.zones.map((z, zi) => ({
          zone: z.name,
          location: `${world.regions[z.region]!.cloud}/${world.regions[z.region]!.name}`,
          spotUsdPerHour: z.spotUsdPerHour[t]!,
          available: z.avail[t] === 1,
          spotReplicas: spot.reduce((n, r) => n + (r.zone === zi ? 1 : 0), 0),
          readySpotReplicas: spot.reduce((n, r) => n + (r.zone === zi && r.readyAt <= t ? 1 : 0), 0),
        })),
        onDemandUsdPerHour: odPrice,
        onDemandReplicas: od.length,
        readyOnDemandReplicas: od.reduce((n, r) => n + (r.readyAt <= t ? 1 : 0), 0),
        lossWindows: [...windows.values()],
      },
      options.config,
    );
    return plan;
  };
  const apply = (t: number, ready: boolean) => {
    const readyAt = ready ? t : t + options.provisionSteps;
    if (ready) for (const r of [...spot, ...od]) r.readyAt = t;
    const plan = planAt(t);
    world.zones.forEach((z, zi) => {
      const want = plan.spot[z.name] ?? 0;
      const have = spot.reduce((n, r) => n + (r.zone === zi ? 1 : 0), 0);
      if (have > want) release(spot, have - want, (r) => r.zone === zi);
      for (let i = have; i < want; i++) spot.push({ zone: zi, readyAt });
    });
    if (od.length > plan.onDemand) release(od, od.length - plan.onDemand, () => true);
    while (od.length < plan.onDemand) od.push({ zone: -1, readyAt });
  };
  apply(0, true);

  let cost = 0;
  let upSteps = 0;
  let served = 0;
  let odHours = 0;
  let replicaHours = 0;
  let spotHours = 0;
  let preemptions = 0;
  const out: number[] | undefined = series ? [] : undefined;
  for (let t = 0; t < world.steps; t++) {
    for (let i = spot.length - 1; i >= 0; i--) {
      if (world.zones[spot[i]!.zone]!.avail[t] !== 1) {
        spot.splice(i, 1);
        preemptions++;
      }
    }
    const ready = spot.reduce((n, r) => n + (r.readyAt <= t ? 1 : 0), 0) + od.reduce((n, r) => n + (r.readyAt <= t ? 1 : 0), 0);
    if (ready >= K) upSteps++;
    served += Math.min(1, ready / K);
    if (t - options.provisionSteps >= 0) observeWindow(t - options.provisionSteps);
    if (t > 0) apply(t, false);
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
