import type { WorkloadStatus } from "../../src/domain/index.js";
import { usdPerHour } from "./result.js";

/** One line about a workload: state, where it runs, progress or traffic, cost rate. */
export function workloadLine(w: WorkloadStatus): string {
  const where = w.deployments.map((d) => {
    const replicas = `${d.healthyReplicas}/${d.replicas} ${w.kind === "training" ? "nodes" : "replicas"} up`;
    const weight = w.kind === "inference" ? `, ${Math.round(d.trafficWeight)}% traffic` : "";
    return `${d.location} ${d.instanceType}${d.spot ? " spot" : ""} (${replicas}${weight})`;
  });
  const extra =
    w.kind === "training"
      ? `progress ${round1(w.progressHours ?? 0)}/${w.workHours ?? 0} h, checkpointed ${round1(w.checkpointedHours ?? 0)} h`
      : `model ${w.modelVersion ?? "?"}, demand ${Math.round(w.rps ?? 0)} requests/second`;
  return `${w.id} (${w.kind}, ${w.tier}${w.frozen ? ", frozen" : ""}) ${w.state}: ${where.length > 0 ? where.join("; ") : "no placement"}; ${extra}; ${usdPerHour(w.usdPerHour)}.`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
