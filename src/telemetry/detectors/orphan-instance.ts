import type { DetectorConfig } from "../config.js";
import type { Raised } from "../raised.js";
import type { Since } from "../state.js";
import { minutes, round, usd } from "../text.js";
import type { SnapshotView } from "../view.js";

/**
 * A live instance that belongs to no workload, seen so for `orphanAfterMs` or longer (a launch that
 * lost its job, a drained replica left running). Timed from the first tick it was seen without a
 * workload, so an instance a saga has just launched and not yet labelled is left alone.
 */
export function detectOrphans(
  view: SnapshotView,
  previous: Readonly<Record<string, Since>>,
  config: DetectorConfig,
): { raised: Raised[]; orphans: Record<string, Since> } {
  const raised: Raised[] = [];
  const orphans: Record<string, Since> = {};
  for (const i of view.orphans) {
    const sinceMs = Object.hasOwn(previous, i.id) ? Math.min(previous[i.id]!.sinceMs, view.atMs) : view.atMs;
    orphans[i.id] = { server: i.server, sinceMs };
    const forMs = view.atMs - sinceMs;
    if (forMs < config.orphanAfterMs) continue;
    const location = `${i.cloud}/${i.region}`;
    raised.push({
      kind: "orphan-instance",
      scope: i.id,
      workloadId: null,
      severity: "info",
      summary: `Instance ${i.id} (${i.spot ? "spot" : "on-demand"} ${i.instanceType} in ${location}) has belonged to no workload for ${minutes(forMs)}, costing ${usd(i.usdPerHour)}/h.`,
      facts: {
        instanceId: i.id,
        location,
        instanceType: i.instanceType,
        spot: i.spot,
        usdPerHour: round(i.usdPerHour),
        costUsd: round(i.costUsd),
        orphanSinceMs: sinceMs,
        orphanForMs: forMs,
        launchedAtMs: i.launchedAtMs,
      },
      server: i.server,
    });
  }
  if (view.sources.suspect.size > 0) {
    // an orphan whose server is missing keeps its clock, unless it was seen again (adopted) or ended
    const seen = new Set(view.liveInstances.map((i) => i.id));
    for (const [id, since] of Object.entries(previous)) {
      if (!Object.hasOwn(orphans, id) && !seen.has(id) && !view.endedInstanceIds.has(id) && view.sources.suspect.has(since.server)) orphans[id] = since;
    }
  }
  return { raised, orphans };
}
