import { FindingSchema, type Finding } from "../domain/index.js";
import type { Db } from "./db.js";
import { parseJsonColumn } from "./json.js";

/** A finding as stored: `atMs` is when it was last seen. */
export interface StoredFinding extends Finding {
  firstSeenMs: number;
  lastSeenMs: number;
  open: boolean;
  closedAtMs: number | null;
}

/** What an upsert did: a new finding, one seen again after it was closed, or one still open seen again. */
export type UpsertOutcome = "opened" | "reopened" | "refreshed";

interface Row {
  id: string;
  kind: Finding["kind"];
  workload_id: string | null;
  severity: Finding["severity"];
  first_seen_ms: number;
  last_seen_ms: number;
  summary: string;
  facts: string;
  open: 0 | 1;
  closed_at_ms: number | null;
}

/**
 * Findings by id. Detectors give a finding a stable id (kind + subject), so seeing the same problem on
 * the next tick refreshes one row instead of adding another. Findings are not audited: they are
 * observations, and the proposals that answer them are.
 */
export class FindingRepository {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly refreshStmt;
  private readonly closeStmt;
  private readonly openAll;
  private readonly openForWorkload;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], Row>("SELECT * FROM findings WHERE id = ?");
    this.insertStmt = db.prepare(
      `INSERT INTO findings (id, kind, workload_id, severity, first_seen_ms, last_seen_ms, summary, facts, open, closed_at_ms)
       VALUES (@id, @kind, @workloadId, @severity, @atMs, @atMs, @summary, @facts, 1, NULL)`,
    );
    this.refreshStmt = db.prepare(
      `UPDATE findings SET kind = @kind, workload_id = @workloadId, severity = @severity, summary = @summary, facts = @facts,
         first_seen_ms = @firstSeenMs, last_seen_ms = @lastSeenMs, open = 1, closed_at_ms = NULL
       WHERE id = @id`,
    );
    this.closeStmt = db.prepare("UPDATE findings SET open = 0, closed_at_ms = @atMs WHERE id = @id AND open = 1");
    this.openAll = db.prepare<[], Row>("SELECT * FROM findings WHERE open = 1 ORDER BY first_seen_ms, id");
    this.openForWorkload = db.prepare<[string], Row>("SELECT * FROM findings WHERE open = 1 AND workload_id = ? ORDER BY first_seen_ms, id");
  }

  /**
   * Stores a finding seen at `finding.atMs` (validated against `FindingSchema`). An open finding keeps
   * its first-seen time and takes the new severity, summary and facts; last-seen never moves back. A
   * closed one is reopened as a new episode (first seen now).
   */
  upsert(finding: Finding): UpsertOutcome {
    return this.db.transaction(() => this.upsertOne(FindingSchema.parse(finding))).immediate();
  }

  /** `upsert` for each finding, in one transaction. */
  upsertMany(findings: readonly Finding[]): UpsertOutcome[] {
    const parsed = findings.map((f) => FindingSchema.parse(f));
    return this.db.transaction(() => parsed.map((f) => this.upsertOne(f))).immediate();
  }

  private upsertOne(f: Finding): UpsertOutcome {
    const row = this.getStmt.get(f.id);
    const fields = { id: f.id, kind: f.kind, workloadId: f.workloadId, severity: f.severity, summary: f.summary, facts: JSON.stringify(f.facts) };
    if (row === undefined) {
      this.insertStmt.run({ ...fields, atMs: f.atMs });
      return "opened";
    }
    if (row.open === 1) {
      this.refreshStmt.run({ ...fields, firstSeenMs: row.first_seen_ms, lastSeenMs: Math.max(row.last_seen_ms, f.atMs) });
      return "refreshed";
    }
    this.refreshStmt.run({ ...fields, firstSeenMs: f.atMs, lastSeenMs: f.atMs });
    return "reopened";
  }

  get(id: string): StoredFinding | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : toFinding(row);
  }

  /** Closes an open finding; false when it was not open (or not stored). */
  close(id: string, atMs: number): boolean {
    return this.closeStmt.run({ id, atMs }).changes > 0;
  }

  /** Closes several in one transaction; returns how many were open. */
  closeMany(ids: readonly string[], atMs: number): number {
    return this.db.transaction(() => ids.reduce((n, id) => n + this.closeStmt.run({ id, atMs }).changes, 0)).immediate();
  }

  /** Open findings, on one workload or all, oldest first. */
  listOpen(workloadId?: string): StoredFinding[] {
    return (workloadId === undefined ? this.openAll.all() : this.openForWorkload.all(workloadId)).map(toFinding);
  }
}

function toFinding(r: Row): StoredFinding {
  return {
    id: r.id,
    kind: r.kind,
    workloadId: r.workload_id,
    severity: r.severity,
    atMs: r.last_seen_ms,
    summary: r.summary,
    facts: parseJsonColumn<Finding["facts"]>(r.facts),
    firstSeenMs: r.first_seen_ms,
    lastSeenMs: r.last_seen_ms,
    open: r.open === 1,
    closedAtMs: r.closed_at_ms,
  };
}
