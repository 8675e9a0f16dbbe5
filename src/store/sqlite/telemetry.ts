import { assertNoSecrets, canonicalJson, parseJsonColumn } from "../json.js";
import type { StoredTelemetryEvent, TelemetryEvent, TelemetryRepository } from "../telemetry.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";

interface Row {
  id: number;
  at_ms: number;
  kind: string;
  server: string | null;
  summary: string;
}

/** Telemetry events in SQLite (`TelemetryRepository`), kept for a while and pruned by age. */
export class SqliteTelemetryRepository implements SyncOf<TelemetryRepository> {
  private readonly insertStmt;
  private readonly pruneStmt;
  private readonly rangeStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare("INSERT INTO telemetry_events (at_ms, kind, server, summary) VALUES (@atMs, @kind, @server, @summary)");
    this.pruneStmt = db.prepare("DELETE FROM telemetry_events WHERE at_ms < ?");
    this.rangeStmt = db.prepare<[number, number, number], Row>("SELECT * FROM telemetry_events WHERE at_ms BETWEEN ? AND ? ORDER BY at_ms, id LIMIT ?");
  }

  append(event: TelemetryEvent): number {
    assertNoSecrets(`telemetry ${event.kind}`, event.summary);
    return Number(this.insertStmt.run({ atMs: event.atMs, kind: event.kind, server: event.server, summary: canonicalJson(event.summary) }).lastInsertRowid);
  }

  appendMany(events: readonly TelemetryEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) this.append(e);
    }).immediate();
  }

  list(fromMs: number, toMs: number, limit = 10_000): StoredTelemetryEvent[] {
    return this.rangeStmt
      .all(fromMs, toMs, limit)
      .map((r) => ({ id: r.id, atMs: r.at_ms, kind: r.kind, server: r.server, summary: parseJsonColumn<Record<string, unknown>>(r.summary) }));
  }

  pruneOlderThan(cutoffMs: number): number {
    return this.pruneStmt.run(cutoffMs).changes;
  }
}
