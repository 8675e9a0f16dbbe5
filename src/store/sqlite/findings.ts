import { FindingSchema, type Finding } from "../../domain/index.js";
import type { ClosedFinding, FindingRepository, FindingSkip, StoredFinding, UpsertOutcome } from "../findings.js";
import { parseJsonColumn } from "../json.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";

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
  skip: string | null;
}

/** Findings in SQLite (`FindingRepository`): one row per finding id. */
export class SqliteFindingRepository implements SyncOf<FindingRepository> {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly refreshStmt;
  private readonly closeStmt;
  private readonly openAll;
  private readonly openForWorkload;
  private readonly openIds;
  private readonly openByKind;
  private readonly skipStmt;

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
    // a closed finding's skip goes with it: if it opens again, planners look again
    this.closeStmt = db.prepare("UPDATE findings SET open = 0, closed_at_ms = @atMs, skip = NULL WHERE id = @id AND open = 1");
    this.skipStmt = db.prepare("UPDATE findings SET skip = @skip WHERE id = @id AND open = 1");
    this.openAll = db.prepare<[], Row>("SELECT * FROM findings WHERE open = 1 ORDER BY first_seen_ms, id");
    this.openForWorkload = db.prepare<[string], Row>("SELECT * FROM findings WHERE open = 1 AND workload_id = ? ORDER BY first_seen_ms, id");
    this.openIds = db.prepare<[], { id: string; kind: Finding["kind"]; workload_id: string | null }>("SELECT id, kind, workload_id FROM findings WHERE open = 1");
    this.openByKind = db.prepare<[], { kind: string; n: number }>("SELECT kind, count(*) AS n FROM findings WHERE open = 1 GROUP BY kind ORDER BY kind");
  }

  upsert(finding: Finding): UpsertOutcome {
    return this.db.transaction(() => this.upsertOne(FindingSchema.parse(finding))).immediate();
  }

  upsertMany(findings: readonly Finding[]): UpsertOutcome[] {
    const parsed = findings.map((f) => FindingSchema.parse(f));
    return this.db.transaction(() => parsed.map((f) => this.upsertOne(f))).immediate();
  }

  replaceOpen(findings: readonly Finding[], atMs: number): { outcomes: UpsertOutcome[]; closed: ClosedFinding[] } {
    const parsed = findings.map((f) => FindingSchema.parse(f));
    return this.db
      .transaction(() => {
        const outcomes = parsed.map((f) => this.upsertOne(f));
        const seen = new Set(parsed.map((f) => f.id));
        const closed: ClosedFinding[] = [];
        // ids only: the facts of every open finding are not parsed to learn which to close
        for (const r of this.openIds.all()) {
          if (!seen.has(r.id) && this.closeStmt.run({ id: r.id, atMs }).changes > 0) closed.push({ id: r.id, kind: r.kind, workloadId: r.workload_id });
        }
        return { outcomes, closed };
      })
      .immediate();
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
      return row.severity === f.severity ? "refreshed" : "severity-changed";
    }
    this.refreshStmt.run({ ...fields, firstSeenMs: f.atMs, lastSeenMs: f.atMs });
    return "reopened";
  }

  get(id: string): StoredFinding | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : toFinding(row);
  }

  close(id: string, atMs: number): boolean {
    return this.closeStmt.run({ id, atMs }).changes > 0;
  }

  closeMany(ids: readonly string[], atMs: number): number {
    return this.db.transaction(() => ids.reduce((n, id) => n + this.closeStmt.run({ id, atMs }).changes, 0)).immediate();
  }

  listOpen(workloadId?: string): StoredFinding[] {
    return (workloadId === undefined ? this.openAll.all() : this.openForWorkload.all(workloadId)).map(toFinding);
  }

  setSkips(skips: readonly { findingId: string; skip: FindingSkip | null }[]): void {
    if (skips.length === 0) return;
    this.db.transaction(() => {
      for (const s of skips) this.skipStmt.run({ id: s.findingId, skip: s.skip === null ? null : JSON.stringify(s.skip) });
    }).immediate();
  }

  countOpenByKind(): Record<string, number> {
    return Object.fromEntries(this.openByKind.all().map((r) => [r.kind, r.n]));
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
    skip: r.skip === null ? null : parseJsonColumn<FindingSkip>(r.skip),
  };
}
