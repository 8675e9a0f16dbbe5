import type { DetectorConfig } from "../config.js";
import type { Raised } from "../raised.js";
import { round } from "../text.js";
import type { SnapshotView } from "../view.js";

/**
 * A serving workload's drift — the larger of its prediction PSI and any feature's PSI — is at or above
 * `psiThreshold`. A report about another model version than the one serving now is stale and ignored
 * (a rollback must not be answered by the drift it fixed). Feature names are telemetry text: counted, never named.
 */
export function detectDrift(view: SnapshotView, config: DetectorConfig): Raised[] {
  const raised: Raised[] = [];
  for (const { workload: w, drift: report } of view.workloads) {
    if (w.kind !== "inference" || report === null) continue;
    if (w.modelVersion !== null && report.modelVersion !== w.modelVersion) continue;
    let maxFeaturePsi = 0;
    let featuresOver = 0;
    for (const f of report.features) {
      maxFeaturePsi = Math.max(maxFeaturePsi, f.psi);
      if (f.psi >= config.psiThreshold) featuresOver++;
    }
    const psi = Math.max(report.predictionPsi, maxFeaturePsi);
    if (psi < config.psiThreshold) continue;
    raised.push({
      kind: "drift",
      scope: w.id,
      workloadId: w.id,
      severity: psi >= 2 * config.psiThreshold ? "critical" : "warning",
      summary:
        `Serving workload ${w.id} has drifted: PSI ${psi.toFixed(3)} against a threshold of ${config.psiThreshold} ` +
        `(prediction PSI ${report.predictionPsi.toFixed(3)}, ${featuresOver} of ${report.features.length} features over the threshold).`,
      facts: {
        psi: round(psi),
        threshold: config.psiThreshold,
        predictionPsi: round(report.predictionPsi),
        maxFeaturePsi: round(maxFeaturePsi),
        featuresOverThreshold: featuresOver,
        features: report.features.length,
        windowMs: report.windowMs,
        reportAtMs: report.atMs,
        hasPreviousVersion: w.previousModelVersion !== null,
      },
      server: report.server,
    });
  }
  return raised;
}
