import type { Finding, Placement, Proposal, SnapshotWorkload } from "../../domain/index.js";
import { inResidency } from "../../domain/index.js";
import { findingLocation, splitLocation, type PlanContext } from "../context.js";
import { choosePlacement } from "../placement.js";
import { common, deploymentPlacement } from "../proposal.js";
import { usd, where } from "../text.js";
import type { Strategy, StrategyOutcome } from "../types.js";

type Deployment = SnapshotWorkload["deployments"][number];

/** How one deployment of a serving workload stands this tick. */
export interface DeploymentHealth {
  deployment: Deployment;
  healthy: boolean;
  /** Why not healthy, in words built from numbers and ids. */
  problem: string | null;
  /** Healthy replicas × replicaRps when healthy, else 0. */
  capacityRps: number;
  p99Ms: number | null;
}

/**
 * Splits 100 in proportion to `capacities`, in hundredths, by largest remainder: the weights sum to exactly
 * 100 and each is within 0.01 of its exact share. All zero when there is no capacity.
 */
export function proportionalWeights(capacities: readonly number[]): number[] {
  const total = capacities.reduce((a, c) => a + c, 0);
  if (!(total > 0)) return capacities.map(() => 0);
  const UNITS = 10_000;
  const exact = capacities.map((c) => (c / total) * UNITS);
  const units = exact.map((x) => Math.floor(x));
  let left = UNITS - units.reduce((a, u) => a + u, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    units[i]! += 1;
    left--;
  }
  return units.map((u) => u / 100);
}

/**
 * Each deployment's health from the snapshot: down when its region is down or named unhealthy; slow when
 * its replicas' p99 is over the SLO while it is not overloaded (an overloaded deployment is short of
 * capacity, not unhealthy: its capacity still counts); unhealthy when an endpoint-unhealthy finding names
 * it and it is not overloaded, when it has no healthy replica, or when it lies outside the residency.
 */
export function deploymentHealth(ctx: PlanContext, w: SnapshotWorkload, findings: readonly Finding[]): DeploymentHealth[] {
  const replicaRps = w.replicaRps ?? 100;
  const demand = w.rps ?? 0;
  const namedEndpoint = new Set<string>();
  for (const f of findings) {
    if (f.kind !== "endpoint-unhealthy") continue;
    const at = findingLocation(f);
    if (at !== null) namedEndpoint.add(at);
  }
  return w.deployments.map((d) => {
    const share = (demand * d.trafficWeight) / 100;
    const overloaded = share > d.healthyReplicas * replicaRps;
    const p99Ms = ctx.replicaLatencyMs(w.id, d.location);
    const { cloud, region } = splitLocation(d.location);
    let problem: string | null = null;
    if (!inResidency(w.residency, cloud, region)) problem = "outside the residency";
    else if (ctx.unhealthy.has(d.location)) problem = "region down or unhealthy";
    else if (d.healthyReplicas === 0) problem = `0 of ${d.replicas} replicas healthy`;
    else if (!overloaded && p99Ms !== null && w.sloP99Ms !== null && p99Ms > w.sloP99Ms) problem = `p99 ${Math.round(p99Ms)} ms over the ${Math.round(w.sloP99Ms)} ms SLO`;
    else if (!overloaded && namedEndpoint.has(d.location)) problem = "endpoint reported unhealthy";
    const healthy = problem === null;
    return { deployment: d, healthy, problem, capacityRps: healthy ? d.healthyReplicas * replicaRps : 0, p99Ms };
  });
}

function bestHealthy(health: readonly DeploymentHealth[]): DeploymentHealth[] {
  return health
    .filter((h) => h.healthy)
    .sort(
      (a, b) =>
        b.capacityRps - a.capacityRps ||
        (a.p99Ms ?? Infinity) - (b.p99Ms ?? Infinity) ||
        (a.deployment.location < b.deployment.location ? -1 : a.deployment.location > b.deployment.location ? 1 : 0),
    );
}

/** The cheapest price now of an instance type in a location and purchase option, with capacity; null if none. */
function deploymentRate(ctx: PlanContext, w: SnapshotWorkload, d: Deployment): number | null {
  let rate: number | null = null;
  for (const o of ctx.offersByAccelerator.get(w.gpu.name.toLowerCase()) ?? []) {
    if (o.location !== d.location || o.instanceType !== d.instanceType || !o.launchable || o.unhealthy) continue;
    if (o.acceleratorCount !== w.gpu.count) continue;
    const price = d.spot ? (o.spotAvailability > 0 ? o.spotUsdPerHour : null) : o.onDemandUsdPerHour;
    if (price !== null && (rate === null || price < rate)) rate = price;
  }
  return rate;
}

function failover(ctx: PlanContext, w: SnapshotWorkload, findings: readonly Finding[], health: readonly DeploymentHealth[]): Proposal | null {
  const best = bestHealthy(health);
  if (best.length === 0 || health.length < 2) return null;
  const weights = proportionalWeights(health.map((h) => h.capacityRps));
  const moves = health.map((h, i) => ({ h, from: h.deployment.trafficWeight, to: weights[i]! }));
  const trafficOnUnhealthy = moves.some((m) => !m.h.healthy && m.from > 0);
  const biggest = Math.max(...moves.map((m) => Math.abs(m.to - m.from)));
  if (!trafficOnUnhealthy && biggest < ctx.config.minWeightChange) return null;
  const byLocation = (a: (typeof moves)[number], b: (typeof moves)[number]): number => (a.h.deployment.location < b.h.deployment.location ? -1 : 1);
  const unhealthyWithTraffic = moves.filter((m) => !m.h.healthy && m.from > 0).sort((a, b) => b.from - a.from || byLocation(a, b));
  const losing = [...moves].sort((a, b) => b.from - b.to - (a.from - a.to) || byLocation(a, b));
  const source = (unhealthyWithTraffic[0] ?? losing[0])!.h.deployment;
  let target = best[0]!.deployment;
  if (target.location === source.location) {
    const gaining = [...moves].filter((m) => m.h.healthy && m.h.deployment.location !== source.location).sort((a, b) => b.to - b.from - (a.to - a.from) || byLocation(a, b));
    if (gaining.length === 0) return null;
    target = gaining[0]!.h.deployment;
  }
  const totalReplicas = health.reduce((a, h) => a + h.deployment.replicas, 0);
  const touched = moves.filter((m) => m.to < m.from).reduce((a, m) => a + m.h.deployment.replicas, 0);
  const capacity = health.reduce((a, h) => a + h.capacityRps, 0);
  const record: Record<string, number> = {};
  for (const m of moves) record[m.h.deployment.location] = m.to;
  const problems = health.filter((h) => !h.healthy).map((h) => `${h.deployment.location}: ${h.problem}`);
  const rationale =
    `${problems.length > 0 ? `Unhealthy deployments of ${w.id}: ${problems.join("; ")}. ` : ""}` +
    `Traffic weights set in proportion to healthy capacity (healthy replicas × ${w.replicaRps ?? 100} rps): ` +
    moves.map((m) => `${m.h.deployment.location} ${Number(m.from.toFixed(2))} → ${m.to}`).join(", ") +
    `. Healthy capacity ${Math.round(capacity)} rps for demand ${Math.round(w.rps ?? 0)} rps.`;
  return {
    ...common(ctx, w.id, "failover", findings, {
      costDeltaUsdPerHour: 0,
      oneOffCostUsd: 0,
      expectedDowntimeMs: 0,
      blastRadius: totalReplicas > 0 ? touched / totalReplicas : 0,
      rationale,
      costOnly: false,
    }),
    type: "failover",
    source: deploymentPlacement(source),
    target: deploymentPlacement(target),
    weights: record,
  };
}

function scale(ctx: PlanContext, w: SnapshotWorkload, findings: readonly Finding[], health: readonly DeploymentHealth[]): Proposal | null {
  const { config } = ctx;
  const replicaRps = w.replicaRps ?? 100;
  const demand = w.rps ?? 0;
  const needRps = demand * (1 + config.replicaHeadroom);
  // replicas still provisioning in healthy deployments count: they are on their way
  const comingReplicas = health.filter((h) => h.healthy).reduce((a, h) => a + h.deployment.replicas, 0);
  const healthyRps = health.reduce((a, h) => a + h.capacityRps, 0);
  if (comingReplicas * replicaRps >= needRps) return null;
  const add = Math.min(config.maxReplicasPerScale, Math.ceil(needRps / replicaRps - 1e-9) - comingReplicas);
  if (add <= 0) return null;

  let target: Placement | null = null;
  let fromReplicas = 0;
  let rate = 0;
  for (const h of bestHealthy(health)) {
    const r = deploymentRate(ctx, w, h.deployment);
    if (r === null) continue;
    target = deploymentPlacement(h.deployment);
    fromReplicas = h.deployment.replicas;
    rate = r;
    break;
  }
  if (target === null) {
    const avoid = health.filter((h) => !h.healthy).map((h) => ({ location: h.deployment.location, spotOnly: false }));
    for (const [location, region] of ctx.regions) {
      if (w.sloP99Ms !== null && region.addedLatencyMs >= w.sloP99Ms) avoid.push({ location, spotOnly: false });
    }
    const choice = choosePlacement(ctx, {
      workload: w,
      remainingWorkHours: 1,
      checkpointFrom: null,
      checkpointGb: 0,
      current: null,
      avoid,
      requireOnDemand: !config.servingSpot,
      exactShape: true,
      restartsJob: false,
    });
    if (choice.best === null) return null;
    target = choice.best.target;
    rate = choice.best.usdPerHour;
    fromReplicas = w.deployments.find((d) => d.location === `${target!.cloud}/${target!.region}`)?.replicas ?? 0;
  }
  const toReplicas = Math.min(10_000, fromReplicas + add);
  const added = toReplicas - fromReplicas;
  const rationale =
    `Healthy capacity of ${w.id} is ${Math.round(healthyRps)} rps (${comingReplicas} replicas in healthy deployments, ${replicaRps} rps each) ` +
    `against demand ${Math.round(demand)} rps, which needs ${Math.round(needRps)} rps with ${Math.round(config.replicaHeadroom * 100)}% headroom. ` +
    `Add ${added} replicas in ${where(target)} at ${usd(rate)}/h each (${fromReplicas} → ${toReplicas}): +${usd(rate * added)}/h.`;
  return {
    ...common(ctx, w.id, "scale", findings, {
      costDeltaUsdPerHour: rate * added,
      oneOffCostUsd: 0,
      expectedDowntimeMs: 0,
      blastRadius: 0,
      rationale,
      costOnly: false,
    }),
    type: "scale",
    target,
    fromReplicas,
    toReplicas,
  };
}

/**
 * Priority 1. A serving workload with an unhealthy region, endpoint or SLO breach: traffic weights in
 * proportion to healthy capacity (source: the worst deployment, target: the best healthy one), and, when
 * healthy capacity is below demand × (1 + headroom), replicas added in the best healthy location.
 */
export const healthStrategy: Strategy = {
  name: "health",
  kinds: ["region-unhealthy", "endpoint-unhealthy", "slo-breach"],
  plan(ctx, w, findings): StrategyOutcome {
    if (w.kind !== "inference") return null;
    const health = deploymentHealth(ctx, w, findings);
    const proposals: Proposal[] = [];
    const f = failover(ctx, w, findings, health);
    if (f !== null) proposals.push(f);
    const s = scale(ctx, w, findings, health);
    if (s !== null) proposals.push(s);
    if (proposals.length > 0) return { proposals };
    return { skip: health.length === 0 || health.some((h) => h.healthy) ? "no-change" : "no-placement" };
  },
};
