import type { Raised } from "../raised.js";
import type { SnapshotView } from "../view.js";

/**
 * A region that a health report says is down, where a workload has a deployment: one finding per
 * workload and region. A region no believed report speaks of is unknown, never down.
 */
export function detectUnhealthyRegions(view: SnapshotView): Raised[] {
  const raised: Raised[] = [];
  if (!view.anyRegionDown) return raised;
  for (const { workload: w } of view.workloads) {
    if (w.state === "completed") continue;
    for (const d of w.deployments) {
      const region = view.regions.get(d.location);
      if (!region?.down || d.replicas === 0) continue;
      raised.push({
        kind: "region-unhealthy",
        scope: `${w.id}/${d.location}`,
        workloadId: w.id,
        severity: "critical",
        summary:
          `Region ${d.location} is down; ${w.kind} workload ${w.id} has ${d.replicas} ${w.kind === "training" ? "nodes" : "replicas"} there` +
          (w.kind === "inference" ? ` with ${d.trafficWeight}% of its traffic.` : "."),
        facts: {
          location: d.location,
          replicas: d.replicas,
          healthyReplicas: d.healthyReplicas,
          trafficWeight: w.kind === "inference" ? d.trafficWeight : null,
          kind: w.kind,
          workloadState: w.state,
        },
        server: region.server,
      });
    }
  }
  return raised;
}
