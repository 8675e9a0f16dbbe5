import type { Raised } from "../raised.js";
import { minutes, plural } from "../text.js";
import type { SnapshotView } from "../view.js";

interface Notice {
  instanceId: string;
  location: string;
  atMs: number;
  server: string;
}

/**
 * A live instance of a workload has a spot interruption notice (on the instance, or in a health report):
 * one finding per workload, with the earliest reclaim time.
 */
export function detectPreemptionNotices(view: SnapshotView): Raised[] {
  const byWorkload = new Map<string, Map<string, Notice>>();
  const add = (workloadId: string, n: Notice): void => {
    let notices = byWorkload.get(workloadId);
    if (!notices) byWorkload.set(workloadId, (notices = new Map()));
    const seen = notices.get(n.instanceId);
    if (!seen || n.atMs < seen.atMs) notices.set(n.instanceId, n);
  };
  for (const i of view.liveInstances) {
    if (i.interruptionAtMs !== null && i.workloadId !== null) add(i.workloadId, { instanceId: i.id, location: `${i.cloud}/${i.region}`, atMs: i.interruptionAtMs, server: i.server });
  }
  for (const [workloadId, notices] of view.interruptions) {
    for (const n of notices) {
      // a notice for an instance already gone is history, not news
      if (view.endedInstanceIds.has(n.instanceId)) continue;
      add(workloadId, { instanceId: n.instanceId, location: `${n.cloud}/${n.region}`, atMs: n.atMs, server: n.server });
    }
  }
  const raised: Raised[] = [];
  for (const [workloadId, notices] of byWorkload) {
    const list = [...notices.values()].sort((a, b) => a.atMs - b.atMs || (a.instanceId < b.instanceId ? -1 : 1));
    const first = list[0]!;
    const locations = [...new Set(list.map((n) => n.location))].sort();
    const inMs = first.atMs - view.atMs;
    const entry = view.workloadById.get(workloadId);
    const workload = entry?.workload;
    raised.push({
      kind: "preemption-notice",
      scope: workloadId,
      workloadId,
      severity: "critical",
      summary:
        `${plural(list.length, "instance")} of ${workload ? `${workload.kind} workload ` : "workload "}${workloadId} in ${locations.join(", ")} ` +
        (inMs > 0 ? `will be reclaimed in ${minutes(inMs)}` : `were due to be reclaimed ${minutes(-inMs)} ago`) +
        ` (spot interruption notice); first instance ${first.instanceId}.`,
      facts: {
        instances: list.length,
        location: first.location,
        locations: locations.join(","),
        firstInstanceId: first.instanceId,
        interruptionAtMs: first.atMs,
        msUntilInterruption: inMs,
        kind: workload?.kind ?? null,
        liveInstances: (entry?.instances ?? view.instancesOfUnlisted.get(workloadId))?.length ?? 0,
      },
      server: first.server,
    });
  }
  return raised;
}
