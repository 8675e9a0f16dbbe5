import { ProposalSchema, type ActionType, type Proposal, type Proposer } from "../domain/index.js";
import type { AuditLog } from "./audit.js";
import type { Db } from "./db.js";
import { InvalidTransitionError, ProposalConflictError, ProposalNotFoundError } from "./errors.js";
import { canonicalJson, parseJsonColumn } from "./json.js";

export const PROPOSAL_STATUSES = [
  "proposed",
  "decided",
  "waiting-approval",
  "approved",
  "rejected",
  "expired",
  "executing",
  "succeeded",
  "failed",
  "compensated",
  "denied",
  "superseded",
] as const;

/**
 * Where a proposal is in the loop. `decided`: the policy allowed it and it waits for the executor;
 * `denied`: the policy refused it (first check or the re-check before execution); `superseded`: a newer
 * proposal replaced it before it ran.
 */
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** The allowed moves. Anything else throws `InvalidTransitionError`; the terminal statuses have none. */
export const PROPOSAL_TRANSITIONS: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  proposed: ["decided", "waiting-approval", "denied", "superseded"],
  // The re-check just before execution may deny, or now ask for approval.
  decided: ["executing", "waiting-approval", "denied", "superseded"],
  "waiting-approval": ["approved", "rejected", "expired", "superseded"],
  approved: ["executing", "denied", "superseded"],
  executing: ["succeeded", "failed", "compensated"],
  // A failed saga whose compensation completes later (after a restart).
  failed: ["compensated"],
  succeeded: [],
  compensated: [],
  rejected: [],
  expired: [],
  denied: [],
  superseded: [],
};

export const TERMINAL_PROPOSAL_STATUSES: readonly ProposalStatus[] = PROPOSAL_STATUSES.filter((s) => PROPOSAL_TRANSITIONS[s].length === 0);

export const HOUR_MS = 3_600_000;

export interface StoredProposal {
  proposal: Proposal;
  status: ProposalStatus;
  /** When the status last changed. */
  statusAtMs: number;
  /** When it first entered `executing`, or null. */
  executingAtMs: number | null;
}

export interface StatusChange {
  atMs: number;
  /** Who moved it: `agent:builtin`, `policy`, `executor`, `user:alice`. Written to the audit trail. */
  actor: string;
  /** Why, in plain words, for the audit trail. */
  note?: string;
}

interface Row {
  body: string;
  status: ProposalStatus;
  status_at_ms: number;
  executing_at_ms: number | null;
}

/** The actor the audit trail names for a proposer. */
export function proposerActor(proposer: Proposer | string): string {
  return `agent:${proposer}`;
}

/**
 * Proposals and their status. Every insert and status change appends to the audit chain in the same
 * transaction, so the trail and the state cannot disagree.
 */
export class ProposalRepository {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly setStmt;
  private readonly byStatus;
  private readonly startedFleet;
  private readonly startedWorkload;
  private readonly failuresStmt;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
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
  }

  /**
   * Stores a new proposal with status `proposed` (audited as `proposal.created` by its proposer at its
   * `createdAtMs`). Idempotent: the same proposal again returns false; the same id with another body
   * throws `ProposalConflictError`. The body is validated against `ProposalSchema`.
   */
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

  /** The status of a proposal; throws `ProposalNotFoundError`. */
  status(id: string): ProposalStatus {
    const row = this.getStmt.get(id);
    if (row === undefined) throw new ProposalNotFoundError(id);
    return row.status;
  }

  /**
   * Moves a proposal to `to` if PROPOSAL_TRANSITIONS allows it from its current status, and audits it as
   * `proposal.status`. Moving to the status it already has is a no-op that returns false (a resumed node
   * may repeat itself); an unknown id throws `ProposalNotFoundError`, a move that is not allowed throws
   * `InvalidTransitionError` naming from and to.
   */
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

  /** Proposals in any of the statuses, oldest first. */
  listByStatus(status: ProposalStatus | readonly ProposalStatus[], limit = 10_000): StoredProposal[] {
    const statuses = typeof status === "string" ? [status] : status;
    return this.byStatus.all(JSON.stringify(statuses), limit).map(toStored);
  }

  /** Proposals executing now, in the shape the policy facts take (`inFlight`). */
  inFlight(): { proposalId: string; workloadId: string; type: ActionType }[] {
    return this.listByStatus("executing").map(({ proposal: p }) => ({ proposalId: p.id, workloadId: p.workloadId, type: p.type }));
  }

  /**
   * For the flap guard: proposals that started executing in [nowMs - windowMs, nowMs], on one workload
   * and in the whole fleet (policy facts `actionsLastHourWorkload` and `actionsLastHour`).
   */
  actionCounts(workloadId: string, nowMs: number, windowMs = HOUR_MS): { workload: number; fleet: number } {
    const from = nowMs - windowMs;
    return { workload: this.startedWorkload.get(workloadId, from, nowMs)!.n, fleet: this.startedFleet.get(from, nowMs)!.n };
  }

  /** When proposals ended `failed` or `compensated` in [fromMs, toMs], oldest first (policy facts `failures`). */
  failureTimes(fromMs: number, toMs: number): number[] {
    return this.failuresStmt.all(fromMs, toMs).map((r) => r.at);
  }
}

function toStored(row: Row): StoredProposal {
  return { proposal: parseJsonColumn<Proposal>(row.body), status: row.status, statusAtMs: row.status_at_ms, executingAtMs: row.executing_at_ms };
}
