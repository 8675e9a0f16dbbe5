import { DecisionSchema, type Decision, type DecisionWorkload, type Reason } from "../../domain/index.js";
import { POLICY_ACTOR, type DecisionPhase, type DecisionRepository, type StoredDecision } from "../decisions.js";
import { parseJsonColumn } from "../json.js";
import type { SqliteAuditLog } from "./audit.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";

interface Row {
  id: number;
  proposal_id: string;
  at_ms: number;
  outcome: Decision["outcome"];
  reasons: string;
  input_digest: string;
  phase: DecisionPhase;
  workload: string | null;
}

/** Decisions in SQLite (`DecisionRepository`), several rows per proposal, each audited in its transaction. */
export class SqliteDecisionRepository implements SyncOf<DecisionRepository> {
  private readonly insertStmt;
  private readonly forProposal;
  private readonly initialByOutcome;

  constructor(
    private readonly db: Db,
    private readonly audit: SqliteAuditLog,
  ) {
    this.insertStmt = db.prepare(
      "INSERT INTO decisions (proposal_id, at_ms, outcome, reasons, input_digest, phase, workload) VALUES (@proposalId, @atMs, @outcome, @reasons, @inputDigest, @phase, @workload)",
    );
    this.forProposal = db.prepare<[string], Row>("SELECT * FROM decisions WHERE proposal_id = ? ORDER BY at_ms, id");
    this.initialByOutcome = db.prepare<[], { outcome: Decision["outcome"]; n: number }>(
      "SELECT outcome, count(*) AS n FROM decisions d WHERE d.phase = 'initial' AND d.id = (SELECT max(id) FROM decisions WHERE proposal_id = d.proposal_id AND phase = 'initial') GROUP BY outcome",
    );
  }

  insert(decision: Decision, phase: DecisionPhase): number {
    const d = DecisionSchema.parse(decision);
    return this.db
      .transaction(() => {
        const id = Number(
          this.insertStmt.run({ proposalId: d.proposalId, atMs: d.atMs, outcome: d.outcome, reasons: JSON.stringify(d.reasons), inputDigest: d.inputDigest, phase, workload: d.workload == null ? null : JSON.stringify(d.workload) })
            .lastInsertRowid,
        );
        this.audit.append({
          atMs: d.atMs,
          actor: POLICY_ACTOR,
          event: "decision.recorded",
          subject: d.proposalId,
          payload: { phase, outcome: d.outcome, reasons: d.reasons, inputDigest: d.inputDigest },
        });
        return id;
      })
      .immediate();
  }

  listFor(proposalId: string): StoredDecision[] {
    return this.forProposal.all(proposalId).map((r) => ({
      id: r.id,
      proposalId: r.proposal_id,
      atMs: r.at_ms,
      outcome: r.outcome,
      reasons: parseJsonColumn<Reason[]>(r.reasons),
      inputDigest: r.input_digest,
      phase: r.phase,
      workload: r.workload === null ? null : parseJsonColumn<DecisionWorkload>(r.workload),
    }));
  }

  latest(proposalId: string): StoredDecision | null {
    return this.listFor(proposalId).at(-1) ?? null;
  }

  countInitialByOutcome(): Record<Decision["outcome"], number> {
    const counts: Record<Decision["outcome"], number> = { allow: 0, "needs-approval": 0, deny: 0 };
    for (const r of this.initialByOutcome.all()) counts[r.outcome] = r.n;
    return counts;
  }
}
