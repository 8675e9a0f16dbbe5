import type { ActionType, Execution, ExecutionResult, ExecutionStep, Proposal } from "../domain/index.js";

/** Where an execution stands, as stored (finer than the domain's `ExecutionResult`). */
export type ExecutionState = "running" | "waiting" | "succeeded" | "failed" | "compensating" | "compensated" | "refused";
export type StepStatus = ExecutionStep["status"];

/** States of an execution that is still in flight (counted against `maxInFlight`, continued by reconcile). */
export const UNFINISHED_STATES: readonly ExecutionState[] = ["running", "waiting", "compensating"];

export function isFinished(state: ExecutionState): boolean {
  return !UNFINISHED_STATES.includes(state);
}

/** A saga's variables: a JSON object. */
export type SagaData = Record<string, unknown>;

export interface StepRecord {
  idx: number;
  name: string;
  idempotencyKey: string;
  status: StepStatus;
  /** Tries begun: 1 on the first run, +1 per retry after a retryable failure. */
  attempts: number;
  /** Retries of this step's compensation after retryable failures. */
  compensationAttempts: number;
  startedAtMs: number | null;
  endedAtMs: number | null;
  /** What the step returned when it succeeded (JSON), else null. */
  output: unknown;
  /** The step's last error: the one that failed it, or the last retryable one before it succeeded. */
  error: string | null;
  /** Why this step's compensation failed for good (needs a person). */
  compensationError: string | null;
}

export interface ExecutionRecord {
  id: string;
  proposalId: string;
  workloadId: string;
  type: ActionType;
  /** Tool server the saga's calls go to. */
  server: string;
  state: ExecutionState;
  startedAtMs: number;
  endedAtMs: number | null;
  /** Not to be advanced before this time (a retry's backoff, or when the world is expected to be ready). */
  notBeforeMs: number | null;
  proposal: Proposal;
  data: SagaData;
  error: string | null;
  steps: StepRecord[];
}

export interface NewExecution {
  id: string;
  proposal: Proposal;
  server: string;
  state: "running" | "refused";
  startedAtMs: number;
  data?: SagaData;
  error?: string | null;
  steps: readonly { name: string; idempotencyKey: string }[];
}

/**
 * What `create` did: recorded the execution, found the one the proposal already has (nothing written),
 * or found `maxInFlight` executions in flight (nothing written).
 */
export type ExecutionAdmission = { created: ExecutionRecord } | { existing: ExecutionRecord } | { queued: { inFlight: number; maxInFlight: number } };

/** What a transition may change on the execution record. */
export type ExecutionPatch = Partial<Pick<ExecutionRecord, "state" | "endedAtMs" | "notBeforeMs" | "data" | "error">>;
/** What a transition may change on one step record. */
export type StepPatch = Partial<
  Pick<StepRecord, "status" | "attempts" | "compensationAttempts" | "startedAtMs" | "endedAtMs" | "output" | "error" | "compensationError">
>;

/**
 * Executions and their steps. Every change is atomic over the execution and (optionally) one step, so a
 * crash leaves either the state before a transition or the state after it, never half of one.
 */
export interface ExecutionRepository {
  /**
   * Records a new execution with all its steps pending (or a refused one, with none run), in one atomic
   * step with its checks: a proposal that has an execution already gets that one back (`existing`), and
   * with `maxInFlight` a running one is not recorded while that many are in flight (`queued`). So two
   * starts of one proposal, or two proposals racing for the last slot, never both write.
   */
  create(input: NewExecution, options?: { maxInFlight?: number }): Promise<ExecutionAdmission>;
  get(id: string): Promise<ExecutionRecord | null>;
  /** The execution, or `ExecutionNotFoundError`. */
  require(id: string): Promise<ExecutionRecord>;
  getByProposalId(proposalId: string): Promise<ExecutionRecord | null>;
  /** Executions still in flight (running, waiting, compensating), oldest first. */
  listUnfinished(): Promise<ExecutionRecord[]>;
  /** Every execution, by start time then proposal id. */
  list(): Promise<ExecutionRecord[]>;
  /** Executions in flight (UNFINISHED_STATES): the count `maxInFlight` limits, for the executor and the agent alike. */
  countInFlight(): Promise<number>;
  /** The proposals whose executions wait for the world until after `nowMs`: nothing to do for them now. */
  notDueProposalIds(nowMs: number): Promise<string[]>;
  /** How many executions are in each state, of one action type or of all (states with none left out). */
  countByState(type?: ActionType): Promise<Partial<Record<ExecutionState, number>>>;
  /**
   * One transition: the execution and, when given, one step, atomically. Fields left out keep their
   * value. Returns the execution as stored afterwards.
   */
  update(id: string, patch: ExecutionPatch, step?: { idx: number; patch: StepPatch }): Promise<ExecutionRecord>;
}

/** The domain's view of an execution: waiting and compensating are still running; a refusal is a failure. */
export function toExecution(record: ExecutionRecord): Execution {
  const result: ExecutionResult =
    record.state === "waiting" || record.state === "compensating" ? "running" : record.state === "refused" ? "failed" : record.state;
  return {
    id: record.id,
    proposalId: record.proposalId,
    result,
    startedAtMs: record.startedAtMs,
    endedAtMs: record.endedAtMs,
    steps: record.steps.map((s) => ({
      name: s.name,
      idempotencyKey: s.idempotencyKey,
      status: s.status,
      startedAtMs: s.startedAtMs,
      endedAtMs: s.endedAtMs,
      attempts: s.attempts,
      error: s.error,
    })),
  };
}
