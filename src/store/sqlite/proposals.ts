import { ProposalSchema, type ActionType, type Proposal } from "../../domain/index.js";
import { InvalidTransitionError, ProposalConflictError, ProposalNotFoundError } from "../errors.js";
import { canonicalJson, parseJsonColumn } from "../json.js";
import { HOUR_MS, PROPOSAL_TRANSITIONS, proposerActor, type ProposalRepository, type ProposalStatus, type StatusChange, type StoredProposal } from "../proposals.js";
import type { SqliteAuditLog } from "./audit.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";

interface Row {
  body: string;
  status: ProposalStatus;
  status_at_ms: number;
  executing_at_ms: number | null;
}

/** Proposals in SQLite (`ProposalRepository`): each insert and status change audited in its transaction. */
export class SqliteProposalRepository implements SyncOf<ProposalRepository> {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly setStmt;
  private readonly byStatus;
  private readonly startedFleet;
  private readonly startedWorkload;
  private readonly failuresStmt;
  private readonly allStmt;
  private readonly createdSince;
  private readonly byStatusCount;

  constructor(
    private readonly db: Db,
    private readonly audit: SqliteAuditLog,
  ) {
    this.insertStmt = db.prepare(
      `INSERT INTO proposals (id, workload_id, type, proposer, created_at_ms, body, finding_ids, status, status_at_ms)
       VALUES (@id, @workloadId, @type, @proposer, @createdAtMs, @body, @findingIds, 'proposed', @createdAtMs)`,
    );
    this.getStmt = db.prepare<[string], Row>("SELECT body, status, status_at_ms, executing_at_ms FROM proposals WHERE id = ?");
    this.setStmt = db.prepare(
      `UPDATE proposals SET status = @to, status_at_ms = @atMs,
         executing_at_ms = CASE WHEN @to = 'executing' AND executing_at_ms IS NULL THEN @atMs ELSE executing_at_ms END
       WHERE id = @id`,
    );
    this.byStatus = db.prepare<[string, number], Row>(
      "SELECT body, status, status_at_ms, executing_at_ms FROM proposals WHERE status IN (SELECT value FROM json_each(?)) ORDER BY created_at_ms, id LIMIT ?",
    );
    this.startedFleet = db.prepare<[number, number], { n: number }>(
      "SELECT count(*) AS n FROM proposals WHERE executing_at_ms IS NOT NULL AND executing_at_ms BETWEEN ? AND ?",
    );
    this.startedWorkload = db.prepare<[string, number, number], { n: number }>(
      "SELECT count(*) AS n FROM proposals WHERE workload_id = ? AND executing_at_ms IS NOT NULL AND executing_at_ms BETWEEN ? AND ?",
    );
    this.failuresStmt = db.prepare<[number, number], { at: number }>(
      "SELECT status_at_ms AS at FROM proposals WHERE status IN ('failed', 'compensated') AND status_at_ms BETWEEN ? AND ? ORDER BY status_at_ms",
    );
    this.allStmt = db.prepare<[number], Row>("SELECT body, status, status_at_ms, executing_at_ms FROM proposals ORDER BY created_at_ms, id LIMIT ?");
    this.createdSince = db.prepare<[number], { type: ActionType; findingIds: string }>("SELECT type, finding_ids AS findingIds FROM proposals WHERE created_at_ms > ?");
    this.byStatusCount = db.prepare<[], { status: ProposalStatus; n: number }>("SELECT status, count(*) AS n FROM proposals GROUP BY status ORDER BY status");
  }

  insert(proposal: Proposal): boolean {
    const p = ProposalSchema.parse(proposal);
    const body = canonicalJson(p);
    return this.db
      .transaction(() => {
        const existing = this.getStmt.get(p.id);
        if (existing !== undefined) {
          if (existing.body !== body) throw new ProposalConflictError(p.id);
          return false;
        }
        this.insertStmt.run({ id: p.id, workloadId: p.workloadId, type: p.type, proposer: p.proposer, createdAtMs: p.createdAtMs, body, findingIds: JSON.stringify(p.findingIds) });
        this.audit.append({ atMs: p.createdAtMs, actor: proposerActor(p.proposer), event: "proposal.created", subject: p.id, payload: { proposal: p } });
        return true;
      })
      .immediate();
  }

  get(id: string): StoredProposal | null {
    const row = this.getStmt.get(id);
    return row === undefined ? null : toStored(row);
  }

  status(id: string): ProposalStatus {
    const row = this.getStmt.get(id);
    if (row === undefined) throw new ProposalNotFoundError(id);
    return row.status;
  }

  setStatus(id: string, to: ProposalStatus, change: StatusChange): boolean {
    return this.db
      .transaction(() => {
        const row = this.getStmt.get(id);
        if (row === undefined) throw new ProposalNotFoundError(id);
        const from = row.status;
        if (from === to) return false;
        if (!PROPOSAL_TRANSITIONS[from].includes(to)) throw new InvalidTransitionError(id, from, to);
        this.setStmt.run({ id, to, atMs: change.atMs });
        this.audit.append({
          atMs: change.atMs,
          actor: change.actor,
          event: "proposal.status",
          subject: id,
          payload: change.note === undefined ? { from, to } : { from, to, note: change.note },
        });
        return true;
      })
      .immediate();
  }

  listByStatus(status: ProposalStatus | readonly ProposalStatus[], limit = 10_000): StoredProposal[] {
    const statuses = typeof status === "string" ? [status] : status;
    return this.byStatus.all(JSON.stringify(statuses), limit).map(toStored);
  }

  inFlight(): { proposalId: string; workloadId: string; type: ActionType }[] {
    return this.listByStatus("executing").map(({ proposal: p }) => ({ proposalId: p.id, workloadId: p.workloadId, type: p.type }));
  }

  actionCounts(workloadId: string, nowMs: number, windowMs = HOUR_MS): { workload: number; fleet: number } {
    const from = nowMs - windowMs;
    return { workload: this.startedWorkload.get(workloadId, from, nowMs)!.n, fleet: this.startedFleet.get(from, nowMs)!.n };
  }

  failureTimes(fromMs: number, toMs: number): number[] {
    return this.failuresStmt.all(fromMs, toMs).map((r) => r.at);
  }

  list(limit = -1): StoredProposal[] {
    return this.allStmt.all(limit).map(toStored);
  }

  answeredSince(sinceMs: number): { type: ActionType; findingIds: string[] }[] {
    return this.createdSince.all(sinceMs).map((r) => ({ type: r.type, findingIds: parseJsonColumn<string[]>(r.findingIds) }));
  }

  countByStatus(): Partial<Record<ProposalStatus, number>> {
    return Object.fromEntries(this.byStatusCount.all().map((r) => [r.status, r.n]));
  }
}

function toStored(row: Row): StoredProposal {
  return { proposal: parseJsonColumn<Proposal>(row.body), status: row.status, statusAtMs: row.status_at_ms, executingAtMs: row.executing_at_ms };
}
