import { DecisionSchema, type Decision, type Reason } from "../domain/index.js";
import type { AuditLog } from "./audit.js";
import type { Db } from "./db.js";
import { parseJsonColumn } from "./json.js";

/** `initial`: when the proposal was checked; `recheck`: just before execution, on fresh facts. */
export type DecisionPhase = "initial" | "recheck";

/** The actor the audit trail names for the policy engine. */
export const POLICY_ACTOR = "policy";

export interface StoredDecision extends Decision {
  id: number;
  phase: DecisionPhase;
}

interface Row {
  id: number;
  proposal_id: string;
  at_ms: number;
  outcome: Decision["outcome"];
  reasons: string;
  input_digest: string;
  phase: DecisionPhase;
}

/** The policy engine's decisions, several per proposal. Each is audited as `decision.recorded`. */
export class DecisionRepository {
  private readonly insertStmt;
  private readonly forProposal;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {
    this.insertStmt = db.prepare(
      "INSERT INTO decisions (proposal_id, at_ms, outcome, reasons, input_digest, phase) VALUES (@proposalId, @atMs, @outcome, @reasons, @inputDigest, @phase)",
    );
    this.forProposal = db.prepare<[string], Row>("SELECT * FROM decisions WHERE proposal_id = ? ORDER BY at_ms, id");
  }

  /**
   * Stores a decision (validated against `DecisionSchema`) and returns its id. The proposal must be
   * stored first (foreign key).
   */
  insert(decision: Decision, phase: DecisionPhase): number {
    const d = DecisionSchema.parse(decision);
    return this.db
      .transaction(() => {
        const id = Number(
          this.insertStmt.run({ proposalId: d.proposalId, atMs: d.atMs, outcome: d.outcome, reasons: JSON.stringify(d.reasons), inputDigest: d.inputDigest, phase })
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

  /** A proposal's decisions, oldest first. */
  listFor(proposalId: string): StoredDecision[] {
    return this.forProposal.all(proposalId).map((r) => ({
      id: r.id,
      proposalId: r.proposal_id,
      atMs: r.at_ms,
      outcome: r.outcome,
      reasons: parseJsonColumn<Reason[]>(r.reasons),
      inputDigest: r.input_digest,
      phase: r.phase,
    }));
  }

  /** The latest decision on a proposal, or null. */
  latest(proposalId: string): StoredDecision | null {
    return this.listFor(proposalId).at(-1) ?? null;
  }
}
