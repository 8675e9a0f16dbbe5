import type { DetectorConfig } from "../config.js";
import type { Raised } from "../raised.js";
import { hours, round } from "../text.js";
import type { SnapshotView } from "../view.js";

const HOUR_MS = 3_600_000;

/**
 * A training job with a deadline whose remaining work, run from now without a break, would end later
 * than the deadline less `deadlineSlackMs`. Critical once it cannot make the deadline even with no slack.
 */
export function detectDeadlinesAtRisk(view: SnapshotView, config: DetectorConfig): Raised[] {
  const raised: Raised[] = [];
  for (const { workload: w } of view.workloads) {
    if (w.kind !== "training" || w.state === "completed" || w.deadlineMs === null || w.workHours === null) continue;
    const remainingHours = Math.max(0, w.workHours - (w.progressHours ?? 0));
    if (remainingHours <= 0) continue;
    const hoursToDeadline = (w.deadlineMs - view.atMs) / HOUR_MS;
    const slackHours = config.deadlineSlackMs / HOUR_MS;
    if (remainingHours <= hoursToDeadline - slackHours) continue;
    const late = remainingHours > hoursToDeadline;
    raised.push({
      kind: "deadline-at-risk",
      scope: w.id,
      workloadId: w.id,
      severity: late ? "critical" : "warning",
      summary:
        `Training job ${w.id} has ${hours(remainingHours)} of work left and ` +
        (hoursToDeadline > 0 ? `${hours(hoursToDeadline)} until its deadline` : `passed its deadline ${hours(-hoursToDeadline)} ago`) +
        ` (slack wanted: ${hours(slackHours)}); it is ${w.state} now.`,
      facts: {
        remainingHours: round(remainingHours),
        hoursToDeadline: round(hoursToDeadline),
        slackHours: round(slackHours),
        deadlineMs: w.deadlineMs,
        shortfallHours: round(remainingHours - (hoursToDeadline - slackHours)),
        workloadState: w.state,
      },
      server: w.server,
    });
  }
  return raised;
}
