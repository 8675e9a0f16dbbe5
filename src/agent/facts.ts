import { locationKey, type Proposal, type Snapshot } from "../domain/index.js";
import type { PolicyFacts } from "../policy/index.js";
import type { Store } from "../store/index.js";

const DAY_MS = 86_400_000;

/** What the agent tracks across ticks to give the policy its spend facts. */
export interface SpendTracker {
  /** UTC day (ms of its midnight) the baseline belongs to. */
  dayStartMs: number;
  /** Fleet cost so far at that midnight (cumulative cost is what the tool servers report). */
  costAtDayStartUsd: number;
}

/** Cumulative cost of the fleet in a snapshot, USD: every workload's cost plus orphan instances'. */
export function fleetCostUsd(snapshot: Snapshot): number {
  let total = 0;
  for (const w of snapshot.workloads) total += w.costUsd;
  for (const i of snapshot.instances) if (i.workloadId === null) total += i.costUsd;
  return total;
}

export function fleetUsdPerHour(snapshot: Snapshot): number {
  let total = 0;
  for (const i of snapshot.instances) if (i.endedAtMs === null) total += i.usdPerHour;
  return total;
}

/** Moves the spend baseline to a new UTC day when one begins. */
export function trackSpend(tracker: SpendTracker | null, snapshot: Snapshot): SpendTracker {
  const dayStartMs = snapshot.atMs - (((snapshot.atMs % DAY_MS) + DAY_MS) % DAY_MS);
  if (tracker && tracker.dayStartMs === dayStartMs) return tracker;
  return { dayStartMs, costAtDayStartUsd: fleetCostUsd(snapshot) };
}

/**
 * The facts one decision is made on, from the latest snapshot and the store's counters. Health is the
 * proposal's workload's: a location is healthy when its region is up and, where the workload is deployed
 * there, it has healthy replicas within its SLO.
 */
export function policyFacts(proposal: Proposal, snapshot: Snapshot, store: Store, spend: SpendTracker): PolicyFacts {
  const nowMs = snapshot.atMs;
  const w = snapshot.workloads.find((x) => x.id === proposal.workloadId) ?? null;
  // instances that belong to no workload are cleaned up under a workload of their own (dev, anywhere)
  const orphans =
    w === null &&
    proposal.type === "terminate" &&
    proposal.instanceIds.every((id) => snapshot.instances.some((i) => i.id === id && i.workloadId === null));
  const health: Record<string, "healthy" | "unhealthy"> = {};
  for (const report of snapshot.health) {
    for (const r of report.regions) health[locationKey(r.cloud, r.region)] = r.state === "up" ? "healthy" : "unhealthy";
  }
  if (w) {
    for (const d of w.deployments) {
      const replicas = snapshot.health.flatMap((h) => h.replicas).filter((r) => r.workloadId === w.id && r.location === d.location);
      const slow = w.sloP99Ms !== null && replicas.length > 0 && replicas.every((r) => r.latencyP99Ms > w.sloP99Ms!);
      const down = d.healthyReplicas === 0 && d.replicas > 0;
      if (down || slow) health[d.location] = "unhealthy";
    }
  }
  const counts = store.proposals.actionCounts(proposal.workloadId, nowMs);
  return {
    now: nowMs,
    workload: w
      ? { id: w.id, kind: w.kind, team: w.team, tier: w.tier, residency: w.residency, frozen: w.frozen, gpu: w.gpu, maxUsdPerHour: null, usdPerHour: w.usdPerHour }
      : orphans
        ? { id: proposal.workloadId, team: "unowned", tier: "dev", residency: [], frozen: false, maxUsdPerHour: null, usdPerHour: 0 }
        : null,
    offers: snapshot.offers.map((o) => ({
      cloud: o.cloud,
      region: o.region,
      instanceType: o.instanceType,
      accelerator: o.accelerator,
      acceleratorCount: o.acceleratorCount,
      spot: o.spotUsdPerHourNow !== null,
      launchable: o.launchable,
      spotAvailability: o.spotAvailability,
    })),
    health,
    spendTodayUsd: Math.max(0, fleetCostUsd(snapshot) - spend.costAtDayStartUsd),
    fleetUsdPerHour: fleetUsdPerHour(snapshot),
    actionsLastHourWorkload: counts.workload,
    actionsLastHour: counts.fleet,
    inFlight: store.proposals.inFlight().filter((p) => p.proposalId !== proposal.id),
    failures: store.proposals.failureTimes(nowMs - DAY_MS, nowMs),
  };
}
