import type { Statement } from "better-sqlite3";
import {
  ProposalSchema,
  type ActionType,
  type Execution,
  type ExecutionResult,
  type ExecutionStep,
  type Proposal,
} from "../domain/index.js";
import type { Db } from "./db.js";

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

/** What a transition may change on the execution row. */
export type ExecutionPatch = Partial<Pick<ExecutionRecord, "state" | "endedAtMs" | "notBeforeMs" | "data" | "error">>;
/** What a transition may change on one step row. */
export type StepPatch = Partial<
  Pick<StepRecord, "status" | "attempts" | "compensationAttempts" | "startedAtMs" | "endedAtMs" | "output" | "error" | "compensationError">
>;

interface ExecutionRow {
  id: string;
  proposal_id: string;
  workload_id: string;
  type: string;
  server: string;
  state: string;
  started_at_ms: number;
  ended_at_ms: number | null;
  not_before_ms: number | null;
  proposal: string;
  data: string;
  error: string | null;
}

interface StepRow {
  execution_id: string;
  idx: number;
  name: string;
  idempotency_key: string;
  status: string;
  attempts: number;
  compensation_attempts: number;
  started_at_ms: number | null;
  ended_at_ms: number | null;
  output: string | null;
  error: string | null;
  compensation_error: string | null;
}

export class ExecutionNotFoundError extends Error {
  override readonly name = "ExecutionNotFoundError";
  constructor(readonly executionId: string) {
    super(`no execution "${executionId}"`);
  }
}

/**
 * Executions and their steps in SQLite. Every change is one transaction that writes the execution row and
 * (optionally) one step row together, so a crash leaves either the state before a transition or the state
 * after it, never half of one.
 */
export class ExecutionRepository {
  private readonly insertExecution: Statement;
  private readonly insertStep: Statement;
  private readonly selectById: Statement;
  private readonly selectByProposal: Statement;
  private readonly selectSteps: Statement;
  private readonly selectUnfinished: Statement;
  private readonly countUnfinished: Statement;
  private readonly updateExecution: Statement;
  private readonly updateStep: Statement;

  constructor(private readonly db: Db) {
    this.insertExecution = db.prepare(
      `INSERT INTO executions (id, proposal_id, workload_id, type, server, state, started_at_ms, ended_at_ms, not_before_ms, proposal, data, error)
       VALUES (@id, @proposal_id, @workload_id, @type, @server, @state, @started_at_ms, @ended_at_ms, NULL, @proposal, @data, @error)`,
    );
    this.insertStep = db.prepare(
      `INSERT INTO execution_steps (execution_id, idx, name, idempotency_key, status) VALUES (?, ?, ?, ?, 'pending')`,
    );
    this.selectById = db.prepare("SELECT * FROM executions WHERE id = ?");
    this.selectByProposal = db.prepare("SELECT * FROM executions WHERE proposal_id = ?");
    this.selectSteps = db.prepare("SELECT * FROM execution_steps WHERE execution_id = ? ORDER BY idx");
    this.selectUnfinished = db.prepare(
      "SELECT * FROM executions WHERE state IN ('running', 'waiting', 'compensating') ORDER BY started_at_ms, id",
    );
    this.countUnfinished = db.prepare("SELECT count(*) AS n FROM executions WHERE state IN ('running', 'waiting', 'compensating')");
    this.updateExecution = db.prepare(
      "UPDATE executions SET state = ?, ended_at_ms = ?, not_before_ms = ?, data = ?, error = ? WHERE id = ?",
    );
    this.updateStep = db.prepare(
      `UPDATE execution_steps SET status = ?, attempts = ?, compensation_attempts = ?, started_at_ms = ?, ended_at_ms = ?, output = ?, error = ?, compensation_error = ?
       WHERE execution_id = ? AND idx = ?`,
    );
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE, so a second process waits instead of failing to upgrade); nested calls join it. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Records a new execution with all its steps pending (or a refused one, with none run). */
  create(input: NewExecution): ExecutionRecord {
    return this.atomically(() => {
      const p = input.proposal;
      const finished = input.state === "refused";
      this.insertExecution.run({
        id: input.id,
        proposal_id: p.id,
        workload_id: p.workloadId,
        type: p.type,
        server: input.server,
        state: input.state,
        started_at_ms: input.startedAtMs,
        ended_at_ms: finished ? input.startedAtMs : null,
        proposal: JSON.stringify(p),
        data: JSON.stringify(input.data ?? {}),
        error: input.error ?? null,
      });
      input.steps.forEach((s, idx) => this.insertStep.run(input.id, idx, s.name, s.idempotencyKey));
      return this.require(input.id);
    });
  }

  get(id: string): ExecutionRecord | null {
    const row = this.selectById.get(id) as ExecutionRow | undefined;
    return row ? this.load(row) : null;
  }

  require(id: string): ExecutionRecord {
    const found = this.get(id);
    if (!found) throw new ExecutionNotFoundError(id);
    return found;
  }

  getByProposalId(proposalId: string): ExecutionRecord | null {
    const row = this.selectByProposal.get(proposalId) as ExecutionRow | undefined;
    return row ? this.load(row) : null;
  }

  /** Executions still in flight (running, waiting, compensating), oldest first. */
  listUnfinished(): ExecutionRecord[] {
    return (this.selectUnfinished.all() as ExecutionRow[]).map((r) => this.load(r));
  }

  countInFlight(): number {
    return (this.countUnfinished.get() as { n: number }).n;
  }

  /**
   * One transition: the execution row and, when given, one step row, in one transaction. Fields left
   * out keep their value. Returns the execution as stored afterwards.
   */
  update(id: string, patch: ExecutionPatch, step?: { idx: number; patch: StepPatch }): ExecutionRecord {
    return this.atomically(() => {
      const current = this.require(id);
      const next = { ...current, ...patch };
      this.updateExecution.run(next.state, next.endedAtMs, next.notBeforeMs, JSON.stringify(next.data), next.error, id);
      if (step) {
        const s = current.steps[step.idx];
        if (!s) throw new RangeError(`execution "${id}" has no step ${step.idx}`);
        const n = { ...s, ...step.patch };
        this.updateStep.run(
          n.status,
          n.attempts,
          n.compensationAttempts,
          n.startedAtMs,
          n.endedAtMs,
          n.output === null || n.output === undefined ? null : JSON.stringify(n.output),
          n.error,
          n.compensationError,
          id,
          step.idx,
        );
      }
      return this.require(id);
    });
  }

  private load(row: ExecutionRow): ExecutionRecord {
    const steps = (this.selectSteps.all(row.id) as StepRow[]).map(
      (s): StepRecord => ({
        idx: s.idx,
        name: s.name,
        idempotencyKey: s.idempotency_key,
        status: s.status as StepStatus,
        attempts: s.attempts,
        compensationAttempts: s.compensation_attempts,
        startedAtMs: s.started_at_ms,
        endedAtMs: s.ended_at_ms,
        output: s.output === null ? null : (JSON.parse(s.output) as unknown),
        error: s.error,
        compensationError: s.compensation_error,
      }),
    );
    return {
      id: row.id,
      proposalId: row.proposal_id,
      workloadId: row.workload_id,
      type: row.type as ActionType,
      server: row.server,
      state: row.state as ExecutionState,
      startedAtMs: row.started_at_ms,
      endedAtMs: row.ended_at_ms,
      notBeforeMs: row.not_before_ms,
      proposal: ProposalSchema.parse(JSON.parse(row.proposal)),
      data: JSON.parse(row.data) as SagaData,
      error: row.error,
      steps,
    };
  }
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
