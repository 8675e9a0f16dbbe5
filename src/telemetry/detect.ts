import type { EgressMatrix, Finding, Snapshot } from "../domain/index.js";
import type { DetectorConfig } from "./config.js";
import { detectBudgetBurn } from "./detectors/budget-burn.js";
import { detectDeadlinesAtRisk } from "./detectors/deadline-at-risk.js";
import { detectDrift } from "./detectors/drift.js";
import { detectUnhealthyEndpoints } from "./detectors/endpoint-unhealthy.js";
import { detectOrphans } from "./detectors/orphan-instance.js";
import { detectPreemptionNotices } from "./detectors/preemption-notice.js";
import { detectPriceSurge } from "./detectors/price-surge.js";
import { detectUnhealthyRegions } from "./detectors/region-unhealthy.js";
import { detectSloBreaches } from "./detectors/slo-breach.js";
import { detectStockouts } from "./detectors/stockout.js";
import { detectInvalidTelemetry } from "./detectors/telemetry-invalid.js";
import { detectMissingTelemetry } from "./detectors/telemetry-missing.js";
import { detectStalledWorkloads } from "./detectors/workload-stalled.js";
import { assignIncidentIds } from "./incidents.js";
import { assessSources } from "./sources.js";
import { initialDetectorState, type DetectorState } from "./state.js";
import { buildView } from "./view.js";

export interface DetectResult {
  /** Sorted by kind (FindingKindSchema's order), workload, id. */
  findings: Finding[];
  /** Hand back on the next tick. */
  state: DetectorState;
}

/**
 * Turns one snapshot into findings. Pure and deterministic: time is `snapshot.atMs`, memory is `state`
 * (returned anew, never mutated), and the same arguments give the same result. Each call indexes the
 * snapshot once (by id and location), so the cost is linear in its size.
 *
 * Telemetry that failed (a source with `ok: false`) is reported as telemetry-missing and nothing it
 * would have said is assumed: no region is down, no replica unhealthy, no service breaching because its
 * data is absent. Free text in the snapshot (labels, notes, errors, feature names) is read by no detector.
 */
export function detect(snapshot: Snapshot, state: DetectorState, config: DetectorConfig, egress: EgressMatrix): DetectResult {
  if (!Number.isSafeInteger(snapshot.atMs)) return { findings: [], state };
  const previous = state.version === 1 ? state : initialDetectorState();
  const sources = assessSources(snapshot, previous.servers, config);
  const view = buildView(snapshot, sources);

  const surge = detectPriceSurge(view, previous.surge, config, egress);
  const stalled = detectStalledWorkloads(view, previous.waiting, config);
  const orphans = detectOrphans(view, previous.orphans, config);
  const budget = detectBudgetBurn(view, previous.budget, previous.lastAtMs, config);
  const raised = [
    ...surge.raised,
    ...detectPreemptionNotices(view),
    ...stalled.raised,
    ...detectStockouts(view),
    ...detectUnhealthyRegions(view),
    ...detectUnhealthyEndpoints(view),
    ...detectSloBreaches(view, config),
    ...detectDrift(view, config),
    ...budget.raised,
    ...detectDeadlinesAtRisk(view, config),
    ...orphans.raised,
    ...detectMissingTelemetry(sources.missing),
    ...detectInvalidTelemetry(snapshot, view.rejected),
  ];
  const { findings, incidents } = assignIncidentIds(raised, previous.incidents, snapshot.atMs, sources.suspect, config.clearTicks);
  return {
    findings,
    state: {
      version: 1,
      lastAtMs: snapshot.atMs,
      incidents,
      surge: surge.surge,
      waiting: stalled.waiting,
      orphans: orphans.orphans,
      servers: sources.servers,
      budget: budget.budget,
    },
  };
}
