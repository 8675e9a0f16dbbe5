import type { Raised } from "../raised.js";
import type { SnapshotView } from "../view.js";
import { addCapacityFacts, FactKeys } from "./capacity.js";

/**
 * A serving deployment with no healthy replica that still has traffic weight: its share of requests
 * fails. One finding per workload and location; the facts list the healthy capacity everywhere, which a
 * failover needs.
 */
export function detectUnhealthyEndpoints(view: SnapshotView): Raised[] {
  const raised: Raised[] = [];
  const keys = new FactKeys();
  for (const { workload: w } of view.workloads) {
    if (w.kind !== "inference") continue;
    for (const d of w.deployments) {
      if (d.healthyReplicas > 0 || d.trafficWeight <= 0) continue;
      const facts: Raised["facts"] = {
        location: d.location,
        replicas: d.replicas,
        healthyReplicas: d.healthyReplicas,
        trafficWeight: d.trafficWeight,
        demandRps: w.rps,
      };
      const totalHealthyRps = addCapacityFacts(facts, w, keys);
      raised.push({
        kind: "endpoint-unhealthy",
        scope: `${w.id}/${d.location}`,
        workloadId: w.id,
        severity: "critical",
        summary:
          `Serving workload ${w.id} has no healthy replica in ${d.location} (${d.replicas} there) while it still gets ${d.trafficWeight}% of the traffic; ` +
          `healthy capacity elsewhere is ${totalHealthyRps} requests/s.`,
        facts,
        server: w.server,
      });
    }
  }
  return raised;
}
