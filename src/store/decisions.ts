import type { Decision } from "../domain/index.js";

/** `initial`: when the proposal was checked; `recheck`: just before execution, on fresh facts. */
export type DecisionPhase = "initial" | "recheck";

/** The actor the audit trail names for the policy engine. */
export const POLICY_ACTOR = "policy";

export interface StoredDecision extends Decision {
  id: number;
  phase: DecisionPhase;
}

/** The policy engine's decisions, several per proposal. Each is audited as `decision.recorded`. */
export interface DecisionRepository {
  /**
   * Stores a decision (validated against `DecisionSchema`) and returns its id. The proposal must be
   * stored first.
   */
  insert(decision: Decision, phase: DecisionPhase): Promise<number>;
  /** A proposal's decisions, oldest first. */
  listFor(proposalId: string): Promise<StoredDecision[]>;
  /** The latest decision on a proposal, or null. */
  latest(proposalId: string): Promise<StoredDecision | null>;
  /**
   * Proposals by the outcome of their initial decision (the latest one, should a proposal have been
   * checked twice), each counted once: a recheck before execution is not counted here.
   */
  countInitialByOutcome(): Promise<Record<Decision["outcome"], number>>;
}
