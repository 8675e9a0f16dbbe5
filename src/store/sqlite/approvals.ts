import type { ApprovalStatus } from "../../domain/index.js";
import { APPROVAL_CHANNELS, type Approval, type ApprovalAnswer, type ApprovalChannel, type ApprovalRepository } from "../approvals.js";
import { SYSTEM_ACTOR } from "../audit.js";
import { ApprovalExpiredError, ApprovalNotFoundError, ApprovalNotPendingError, ProposalNotFoundError, SelfApprovalError, StoreError } from "../errors.js";
import { proposerActor } from "../proposals.js";
import type { SqliteAuditLog } from "./audit.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";
import type { SqliteProposalRepository } from "./proposals.js";

interface Row {
  proposal_id: string;
  status: ApprovalStatus;
  requested_at_ms: number;
  expires_at_ms: number;
  decided_at_ms: number | null;
  approver: string | null;
  channel: ApprovalChannel | null;
  reason: string | null;
}

/** Approvals in SQLite (`ApprovalRepository`): each answer, its proposal's status and its audit row in one transaction. */
export class SqliteApprovalRepository implements SyncOf<ApprovalRepository> {
  private readonly getStmt;
  private readonly insertStmt;
  private readonly decideStmt;
  private readonly dueStmt;
  private readonly pendingStmt;
  private readonly proposerStmt;
  private readonly allStmt;

  constructor(
    private readonly db: Db,
    private readonly proposals: SqliteProposalRepository,
    private readonly audit: SqliteAuditLog,
  ) {
    this.getStmt = db.prepare<[string], Row>("SELECT * FROM approvals WHERE proposal_id = ?");
    this.insertStmt = db.prepare(
      "INSERT INTO approvals (proposal_id, status, requested_at_ms, expires_at_ms) VALUES (@proposalId, 'pending', @requestedAtMs, @expiresAtMs)",
    );
    this.decideStmt = db.prepare(
      `UPDATE approvals SET status = @status, decided_at_ms = @atMs, approver = @approver, channel = @channel, reason = @reason
       WHERE proposal_id = @proposalId AND status = 'pending'`,
    );
    this.dueStmt = db.prepare<[number], Row>("SELECT * FROM approvals WHERE status = 'pending' AND expires_at_ms <= ? ORDER BY expires_at_ms, proposal_id");
    this.pendingStmt = db.prepare<[], Row>("SELECT * FROM approvals WHERE status = 'pending' ORDER BY expires_at_ms, proposal_id");
    this.proposerStmt = db.prepare<[string], { proposer: string }>("SELECT proposer FROM proposals WHERE id = ?");
    this.allStmt = db.prepare<[], Row>("SELECT * FROM approvals ORDER BY requested_at_ms, proposal_id");
  }

  get(proposalId: string): Approval | null {
    const row = this.getStmt.get(proposalId);
    return row === undefined ? null : toApproval(row);
  }

  request(proposalId: string, requestedAtMs: number, expiresAtMs: number, actor: string = SYSTEM_ACTOR): Approval {
    if (!(expiresAtMs > requestedAtMs)) throw new StoreError(`approval of ${JSON.stringify(proposalId)} must expire after it is requested`);
    return this.db
      .transaction(() => {
        const existing = this.getStmt.get(proposalId);
        if (existing !== undefined) return toApproval(existing);
        if (this.proposerStmt.get(proposalId) === undefined) throw new ProposalNotFoundError(proposalId);
        this.insertStmt.run({ proposalId, requestedAtMs, expiresAtMs });
        this.proposals.setStatus(proposalId, "waiting-approval", { atMs: requestedAtMs, actor });
        this.audit.append({ atMs: requestedAtMs, actor, event: "approval.requested", subject: proposalId, payload: { expiresAtMs } });
        return toApproval(this.getStmt.get(proposalId)!);
      })
      .immediate();
  }

  decide(proposalId: string, answer: ApprovalAnswer): Approval {
    if (answer.approver.trim() === "") throw new StoreError("an approval needs the approver's identity");
    if (!APPROVAL_CHANNELS.includes(answer.channel)) throw new StoreError(`unknown approval channel ${JSON.stringify(answer.channel)}`);
    return this.db
      .transaction(() => {
        const row = this.getStmt.get(proposalId);
        if (row === undefined) throw new ApprovalNotFoundError(proposalId);
        const stored = this.proposerStmt.get(proposalId)?.proposer;
        const proposers = [answer.proposer, ...(stored === undefined ? [] : [stored, proposerActor(stored)])];
        if (proposers.includes(answer.approver)) throw new SelfApprovalError(proposalId, answer.approver);
        if (row.status !== "pending") throw new ApprovalNotPendingError(proposalId, row.status);
        if (answer.atMs >= row.expires_at_ms) throw new ApprovalExpiredError(proposalId, row.expires_at_ms, answer.atMs);
        const reason = answer.reason ?? null;
        this.decideStmt.run({ proposalId, status: answer.status, atMs: answer.atMs, approver: answer.approver, channel: answer.channel, reason });
        this.proposals.setStatus(proposalId, answer.status, { atMs: answer.atMs, actor: answer.approver, ...(reason === null ? {} : { note: reason }) });
        this.audit.append({
          atMs: answer.atMs,
          actor: answer.approver,
          event: "approval.decided",
          subject: proposalId,
          payload: { status: answer.status, channel: answer.channel, reason },
        });
        return toApproval(this.getStmt.get(proposalId)!);
      })
      .immediate();
  }

  expireDue(nowMs: number): string[] {
    return this.db
      .transaction(() => {
        const due = this.dueStmt.all(nowMs);
        for (const row of due) {
          this.decideStmt.run({ proposalId: row.proposal_id, status: "expired", atMs: nowMs, approver: null, channel: null, reason: null });
          if (this.proposals.status(row.proposal_id) === "waiting-approval") {
            this.proposals.setStatus(row.proposal_id, "expired", { atMs: nowMs, actor: SYSTEM_ACTOR });
          }
          this.audit.append({ atMs: nowMs, actor: SYSTEM_ACTOR, event: "approval.expired", subject: row.proposal_id, payload: { expiresAtMs: row.expires_at_ms } });
        }
        return due.map((r) => r.proposal_id);
      })
      .immediate();
  }

  listPending(): Approval[] {
    return this.pendingStmt.all().map(toApproval);
  }

  list(): Approval[] {
    return this.allStmt.all().map(toApproval);
  }
}

function toApproval(r: Row): Approval {
  return {
    proposalId: r.proposal_id,
    status: r.status,
    requestedAtMs: r.requested_at_ms,
    expiresAtMs: r.expires_at_ms,
    decidedAtMs: r.decided_at_ms,
    approver: r.approver,
    channel: r.channel,
    reason: r.reason,
  };
}
