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

/** What every decision of a tick reads from the same snapshot, computed once. */
interface SnapshotIndex {
  costUsd: number;
  usdPerHour: number;
  regionHealth: Record<string, "healthy" | "unhealthy">;
  replicasByWorkload: Map<string, Snapshot["health"][number]["replicas"]>;
  workloads: Map<string, Snapshot["workloads"][number]>;
  liveOrphans: Set<string>;
}
const indexes = new WeakMap<Snapshot, SnapshotIndex>();

function indexOf(snapshot: Snapshot): SnapshotIndex {
  let index = indexes.get(snapshot);
  if (index) return index;
  let costUsd = 0;
  let usdPerHour = 0;
  const liveOrphans = new Set<string>();
  for (const w of snapshot.workloads) costUsd += w.costUsd;
  for (const i of snapshot.instances) {
    if (i.workloadId === null) {
      costUsd += i.costUsd;
      if (i.endedAtMs === null) liveOrphans.add(i.id);
    }
    if (i.endedAtMs === null) usdPerHour += i.usdPerHour;
  }
  const regionHealth: Record<string, "healthy" | "unhealthy"> = {};
  const replicasByWorkload = new Map<string, Snapshot["health"][number]["replicas"]>();
  for (const report of snapshot.health) {
    for (const r of report.regions) regionHealth[locationKey(r.cloud, r.region)] = r.state === "up" ? "healthy" : "unhealthy";
    for (const r of report.replicas) {
      const list = replicasByWorkload.get(r.workloadId) ?? [];
      list.push(r);
      replicasByWorkload.set(r.workloadId, list);
    }
  }
  const workloads = new Map<string, Snapshot["workloads"][number]>();
  for (const w of snapshot.workloads) if (!workloads.has(w.id)) workloads.set(w.id, w);
  index = { costUsd, usdPerHour, regionHealth, replicasByWorkload, workloads, liveOrphans };
  indexes.set(snapshot, index);
  return index;
}

/** Cumulative cost of the fleet in a snapshot, USD: every workload's cost plus orphan instances'. */
export function fleetCostUsd(snapshot: Snapshot): number {
  return indexOf(snapshot).costUsd;
}

export function fleetUsdPerHour(snapshot: Snapshot): number {
  return indexOf(snapshot).usdPerHour;
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
/** The offers as policy facts, once per snapshot (every decision of a tick reads the same ones). */
const offerFactsOf = new WeakMap<Snapshot, PolicyFacts["offers"]>();
/**
 * The last offer facts made: a tick whose offers differ only in price (most ticks) gets the same list back,
 * and the policy engine, which digests the list once per list, does not digest 1,000s of offers again.
 */
let lastOfferFacts: NonNullable<PolicyFacts["offers"]> = [];
function offerFacts(snapshot: Snapshot): PolicyFacts["offers"] {
  let facts = offerFactsOf.get(snapshot);
  if (!facts) {
    const made = snapshot.offers.map((o) => ({
      cloud: o.cloud,
      region: o.region,
      instanceType: o.instanceType,
      accelerator: o.accelerator,
      acceleratorCount: o.acceleratorCount,
      spot: o.spotUsdPerHourNow !== null,
      launchable: o.launchable,
      spotAvailability: o.spotAvailability,
    }));
    facts = sameOfferFacts(made, lastOfferFacts) ? lastOfferFacts : made;
    lastOfferFacts = facts;
    offerFactsOf.set(snapshot, facts);
  }
  return facts;
}

function sameOfferFacts(a: NonNullable<PolicyFacts["offers"]>, b: NonNullable<PolicyFacts["offers"]>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.cloud !== y.cloud ||
      x.region !== y.region ||
      x.instanceType !== y.instanceType ||
      x.accelerator !== y.accelerator ||
      x.acceleratorCount !== y.acceleratorCount ||
      x.spot !== y.spot ||
      x.launchable !== y.launchable ||
      x.spotAvailability !== y.spotAvailability
    ) {
      return false;
    }
  }
  return true;
}

export async function policyFacts(proposal: Proposal, snapshot: Snapshot, store: Store, spend: SpendTracker): Promise<PolicyFacts> {
  const nowMs = snapshot.atMs;
  const index = indexOf(snapshot);
  const w = index.workloads.get(proposal.workloadId) ?? null;
  // instances that belong to no workload are cleaned up under a workload of their own (dev, anywhere)
  const orphans = w === null && proposal.type === "terminate" && proposal.instanceIds.every((id) => index.liveOrphans.has(id));
  const health: Record<string, "healthy" | "unhealthy"> = { ...index.regionHealth };
  if (w) {
    const mine = index.replicasByWorkload.get(w.id) ?? [];
    for (const d of w.deployments) {
      const replicas = mine.filter((r) => r.location === d.location);
      const slow = w.sloP99Ms !== null && replicas.length > 0 && replicas.every((r) => r.latencyP99Ms > w.sloP99Ms!);
      const down = d.healthyReplicas === 0 && d.replicas > 0;
      if (down || slow) health[d.location] = "unhealthy";
    }
  }
  const counts = await store.proposals.actionCounts(proposal.workloadId, nowMs);
  return {
    now: nowMs,
    workload: w
      ? { id: w.id, kind: w.kind, team: w.team, tier: w.tier, residency: w.residency, frozen: w.frozen, gpu: w.gpu, maxUsdPerHour: w.maxUsdPerHour, usdPerHour: w.usdPerHour }
      : orphans
        ? { id: proposal.workloadId, team: "unowned", tier: "dev", residency: [], frozen: false, maxUsdPerHour: null, usdPerHour: 0 }
        : null,
    offers: offerFacts(snapshot),
    health,
    spendTodayUsd: Math.max(0, fleetCostUsd(snapshot) - spend.costAtDayStartUsd),
    fleetUsdPerHour: fleetUsdPerHour(snapshot),
    actionsLastHourWorkload: counts.workload,
    actionsLastHour: counts.fleet,
    inFlight: (await store.proposals.inFlight()).filter((p) => p.proposalId !== proposal.id),
    failures: await store.proposals.failureTimes(nowMs - DAY_MS, nowMs),
  };
}
