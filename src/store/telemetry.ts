import type { Db } from "./db.js";
import { assertNoSecrets, canonicalJson, parseJsonColumn } from "./json.js";

/**
 * One compact telemetry record, e.g. per tick `{kind: "tick", server: null, summary: {sources: 3,
 * failed: 1, workloads: 120, findings: 2}}` or per source `{kind: "source", server: "aws", summary: {ok:
 * false, error: "timeout", ms: 5000}}`. Not the raw snapshot: the tool servers keep their own history.
 */
export interface TelemetryEvent {
  atMs: number;
  kind: string;
  /** The tool server it is about, or null for the whole tick. */
  server: string | null;
  summary: Readonly<Record<string, unknown>>;
}

export interface StoredTelemetryEvent extends TelemetryEvent {
  id: number;
  summary: Record<string, unknown>;
}

interface Row {
  id: number;
  at_ms: number;
  kind: string;
  server: string | null;
  summary: string;
}

/** Telemetry events, kept for a while and pruned by age. */
export class TelemetryRepository {
  private readonly insertStmt;
  private readonly pruneStmt;
  private readonly rangeStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare("INSERT INTO telemetry_events (at_ms, kind, server, summary) VALUES (@atMs, @kind, @server, @summary)");
    this.pruneStmt = db.prepare("DELETE FROM telemetry_events WHERE at_ms < ?");
    this.rangeStmt = db.prepare<[number, number, number], Row>("SELECT * FROM telemetry_events WHERE at_ms BETWEEN ? AND ? ORDER BY at_ms, id LIMIT ?");
  }

  /** Appends one event and returns its id. Summary keys that name credentials are refused. */
  append(event: TelemetryEvent): number {
    assertNoSecrets(`telemetry ${event.kind}`, event.summary);
    return Number(this.insertStmt.run({ atMs: event.atMs, kind: event.kind, server: event.server, summary: canonicalJson(event.summary) }).lastInsertRowid);
  }

  /** Appends events in one transaction. */
  appendMany(events: readonly TelemetryEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) this.append(e);
    }).immediate();
  }

  /** Events in [fromMs, toMs], oldest first. */
  list(fromMs: number, toMs: number, limit = 10_000): StoredTelemetryEvent[] {
    return this.rangeStmt
      .all(fromMs, toMs, limit)
      .map((r) => ({ id: r.id, atMs: r.at_ms, kind: r.kind, server: r.server, summary: parseJsonColumn<Record<string, unknown>>(r.summary) }));
  }

  /** Deletes events older than `cutoffMs` (strictly before it) and returns how many. */
  pruneOlderThan(cutoffMs: number): number {
    return this.pruneStmt.run(cutoffMs).changes;
  }
}
