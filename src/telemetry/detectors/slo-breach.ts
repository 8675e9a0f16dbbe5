import type { DetectorConfig } from "../config.js";
import type { Raised } from "../raised.js";
import { percent, round } from "../text.js";
import type { SnapshotView } from "../view.js";
import { addCapacityFacts, FactKeys } from "./capacity.js";

/**
 * A serving workload serves less than `sloAvailability` of its demand within its p99 latency target
 * (overload, added latency, replicas down). Needs the health report's service line: without it the
 * service level is unknown, not zero.
 */
export function detectSloBreaches(view: SnapshotView, config: DetectorConfig): Raised[] {
  const raised: Raised[] = [];
  const keys = new FactKeys();
  for (const { workload: w, service, serviceServer } of view.workloads) {
    if (w.kind !== "inference" || service === null || service.demandRps <= 0) continue;
    const servedShare = Math.min(1, service.servedWithinSloRps / service.demandRps);
    if (servedShare >= config.sloAvailability) continue;
    const facts: Raised["facts"] = {
      servedShare: round(servedShare),
      sloAvailability: config.sloAvailability,
      demandRps: round(service.demandRps),
      servedWithinSloRps: round(service.servedWithinSloRps),
      latencyP99Ms: round(service.latencyP99Ms),
      sloP99Ms: w.sloP99Ms,
    };
    const totalHealthyRps = addCapacityFacts(facts, w, keys);
    raised.push({
      kind: "slo-breach",
      scope: w.id,
      workloadId: w.id,
      severity: "critical",
      summary:
        `Serving workload ${w.id} serves ${percent(servedShare)} of its demand within its p99 target ` +
        `(${round(service.servedWithinSloRps, 1)} of ${round(service.demandRps, 1)} requests/s; objective ${percent(config.sloAvailability)}); ` +
        `p99 is ${round(service.latencyP99Ms, 0)} ms against ${w.sloP99Ms ?? "no"} ms; healthy capacity is ${totalHealthyRps} requests/s.`,
      facts,
      server: serviceServer,
    });
  }
  return raised;
}
