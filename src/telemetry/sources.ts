import type { Snapshot } from "../domain/index.js";
import type { DetectorConfig } from "./config.js";
import type { ServerSeen } from "./state.js";

export type MissingReason = "source-failed" | "no-workloads" | "no-health";

export interface MissingSource {
  server: string;
  reason: MissingReason;
  /** What the server reported before it went quiet (records); 0 for a failed source. */
  previousCount: number;
  /** Ticks in a row it has been quiet (a failed source: 0). */
  emptyTicks: number;
}

export interface SourceAssessment {
  /** Servers whose answer failed this tick: their records, if any, are not believed. */
  failed: ReadonlySet<string>;
  /** Servers missing in whole or in part: what the detectors remember about their records is kept, not pruned. */
  suspect: ReadonlySet<string>;
  missing: MissingSource[];
  servers: Record<string, ServerSeen>;
}

/**
 * Which servers' telemetry is missing this tick: a source that failed, or one that reported workloads or
 * health before and now reports none. An absence is never read as zero (no replicas, no regions): it is
 * reported as missing, and the detectors see no data for it rather than bad news.
 */
export function assessSources(snapshot: Snapshot, previous: Record<string, ServerSeen>, config: DetectorConfig): SourceAssessment {
  const counts = new Map<string, { workloads: number; health: number }>();
  const count = (server: string, key: "workloads" | "health", n: number): void => {
    const c = counts.get(server) ?? { workloads: 0, health: 0 };
    c[key] += n;
    counts.set(server, c);
  };
  // a server's records come together: counted by the run, not one by one (10,000s of them)
  forEachRun(snapshot.workloads, (server, n) => count(server, "workloads", n));
  forEachRun(snapshot.health, (server, n) => count(server, "health", n));
  const status = new Map<string, boolean>();
  for (const s of snapshot.sources) status.set(s.server, (status.get(s.server) ?? true) && s.ok);
  const names = new Set<string>([...status.keys(), ...counts.keys()]);
  const name = (server: string): void => void names.add(server);
  forEachRun(snapshot.instances, name);
  forEachRun(snapshot.offers, name);
  forEachRun(snapshot.drift, name);

  const failed = new Set<string>();
  const suspect = new Set<string>();
  const missing: MissingSource[] = [];
  const servers: Record<string, ServerSeen> = {};
  for (const server of [...names].sort()) {
    const before = previous[server] ?? { workloads: 0, health: 0, emptyTicks: 0 };
    if (status.get(server) === false) {
      failed.add(server);
      suspect.add(server);
      missing.push({ server, reason: "source-failed", previousCount: 0, emptyTicks: 0 });
      servers[server] = before;
      continue;
    }
    const now = counts.get(server) ?? { workloads: 0, health: 0 };
    const quietWorkloads = before.workloads > 0 && now.workloads === 0;
    const quietHealth = before.health > 0 && now.health === 0;
    const emptyTicks = before.emptyTicks + 1;
    if ((quietWorkloads || quietHealth) && emptyTicks <= config.emptyAcceptedAfterTicks) {
      suspect.add(server);
      if (quietWorkloads) missing.push({ server, reason: "no-workloads", previousCount: before.workloads, emptyTicks });
      if (quietHealth) missing.push({ server, reason: "no-health", previousCount: before.health, emptyTicks });
      servers[server] = {
        workloads: quietWorkloads ? before.workloads : now.workloads,
        health: quietHealth ? before.health : now.health,
        emptyTicks,
      };
    } else {
      // reporting normally, or quiet for long enough that the silence is believed
      servers[server] = { workloads: now.workloads, health: now.health, emptyTicks: 0 };
    }
  }
  return { failed, suspect, missing, servers };
}

/** Calls `f` with each run of records from one server and its length, in order. */
function forEachRun(records: readonly { server: string }[], f: (server: string, n: number) => void): void {
  let start = 0;
  for (let k = 1; k <= records.length; k++) {
    if (k === records.length || records[k]!.server !== records[start]!.server) {
      f(records[start]!.server, k - start);
      start = k;
    }
  }
}
