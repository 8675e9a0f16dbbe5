import type { Finding, SnapshotWorkload } from "../../domain/index.js";

/**
 * Adds a serving workload's healthy capacity per deployment (`healthyRps:cloud/region`, with its traffic
 * weight as `weight:cloud/region`) to `facts`, and returns the total, requests/second.
 */
export function addCapacityFacts(facts: Finding["facts"], w: SnapshotWorkload, keys: FactKeys): number {
  const perReplica = w.replicaRps ?? 0;
  let total = 0;
  for (const d of w.deployments) {
    const rps = d.healthyReplicas * perReplica;
    const key = keys.of(d.location);
    facts[key.healthyRps] = rps;
    facts[key.weight] = d.trafficWeight;
    total += rps;
  }
  facts["totalHealthyRps"] = total;
  return total;
}

/** The fact names per location, made once per tick rather than once per finding. */
export class FactKeys {
  private readonly keys = new Map<string, { healthyRps: string; weight: string }>();

  of(location: string): { healthyRps: string; weight: string } {
    let key = this.keys.get(location);
    if (!key) this.keys.set(location, (key = { healthyRps: `healthyRps:${location}`, weight: `weight:${location}` }));
    return key;
  }
}
