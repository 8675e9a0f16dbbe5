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

/** Compact telemetry records, appended and pruned by age. */
export interface TelemetryRepository {
  /** Appends one event and returns its id. Summary keys that name credentials are refused. */
  append(event: TelemetryEvent): Promise<number>;
  /** Appends events atomically. */
  appendMany(events: readonly TelemetryEvent[]): Promise<void>;
  /** Events in [fromMs, toMs], oldest first. */
  list(fromMs: number, toMs: number, limit?: number): Promise<StoredTelemetryEvent[]>;
  /** Deletes events older than `cutoffMs` (strictly before it) and returns how many. */
  pruneOlderThan(cutoffMs: number): Promise<number>;
}
