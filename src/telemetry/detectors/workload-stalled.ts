import type { DetectorConfig } from "../config.js";
import type { Raised } from "../raised.js";
import type { Since } from "../state.js";
import { hours, minutes, round } from "../text.js";
import type { SnapshotView } from "../view.js";

/**
 * A training job has been waiting (no running placement: preempted, its region down, nodes lost) for
 * `stalledAfterMs` or longer. The wait is timed from the first tick it was seen waiting.
 */
export function detectStalledWorkloads(
  view: SnapshotView,
  previous: Readonly<Record<string, Since>>,
  config: DetectorConfig,
): { raised: Raised[]; waiting: Record<string, Since> } {
  const raised: Raised[] = [];
  const waiting: Record<string, Since> = {};
  for (const { workload: w } of view.workloads) {
    if (w.kind !== "training" || w.state !== "waiting") continue;
    const sinceMs = Object.hasOwn(previous, w.id) ? Math.min(previous[w.id]!.sinceMs, view.atMs) : view.atMs;
    waiting[w.id] = { server: w.server, sinceMs };
    const waitedMs = view.atMs - sinceMs;
    if (waitedMs < config.stalledAfterMs) continue;
    const remaining = w.workHours === null ? null : Math.max(0, w.workHours - (w.progressHours ?? 0));
    raised.push({
      kind: "workload-stalled",
      scope: w.id,
      workloadId: w.id,
      severity: "warning",
      summary:
        `Training job ${w.id} has had no running placement for ${minutes(waitedMs)}` +
        (remaining === null ? "." : `, with ${hours(remaining)} of work left.`),
      facts: {
        waitingSinceMs: sinceMs,
        waitingMs: waitedMs,
        stalledAfterMs: config.stalledAfterMs,
        progressHours: w.progressHours === null ? null : round(w.progressHours),
        checkpointedHours: w.checkpointedHours === null ? null : round(w.checkpointedHours),
        remainingHours: remaining === null ? null : round(remaining),
        deployments: w.deployments.length,
      },
      server: w.server,
    });
  }
  if (view.sources.suspect.size > 0) {
    for (const [id, since] of Object.entries(previous)) {
      if (!Object.hasOwn(waiting, id) && !view.workloadById.has(id) && view.sources.suspect.has(since.server)) waiting[id] = since;
    }
  }
  return { raised, waiting };
}
