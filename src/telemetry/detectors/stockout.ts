import type { Raised } from "../raised.js";
import { shown } from "../text.js";
import type { SnapshotView } from "../view.js";

/**
 * A region where a workload has a deployment is out of that workload's accelerator: it cannot replace a
 * lost node or add a replica there. One finding per workload and location.
 */
export function detectStockouts(view: SnapshotView): Raised[] {
  const raised: Raised[] = [];
  if (!view.anyStockout) return raised;
  for (const { workload: w } of view.workloads) {
    if (w.state === "completed") continue;
    const accelerator = w.gpu.name.toLowerCase();
    for (const d of w.deployments) {
      const region = view.regions.get(d.location);
      if (!region || !region.stockouts.has(accelerator)) continue;
      const short = d.healthyReplicas < d.replicas || w.state === "waiting" || w.state === "down" || w.state === "degraded";
      raised.push({
        kind: "stockout",
        scope: `${w.id}/${d.location}`,
        workloadId: w.id,
        severity: short ? "critical" : "warning",
        summary:
          `${d.location} is out of ${shown(w.gpu.name, "its accelerator's")} capacity, where ${w.kind} workload ${w.id} has ${d.replicas} ` +
          `${w.kind === "training" ? "nodes" : "replicas"} (${d.healthyReplicas} healthy): new ones cannot be launched there.`,
        facts: {
          location: d.location,
          accelerator: shown(w.gpu.name, "") || null,
          replicas: d.replicas,
          healthyReplicas: d.healthyReplicas,
          workloadState: w.state,
          kind: w.kind,
        },
        server: region.server,
      });
    }
  }
  return raised;
}
