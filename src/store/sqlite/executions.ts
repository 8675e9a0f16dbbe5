import type { Statement } from "better-sqlite3";
import { ProposalSchema, type ActionType } from "../../domain/index.js";
import { ExecutionNotFoundError } from "../errors.js";
import type {
  ExecutionAdmission,
  ExecutionPatch,
  ExecutionRecord,
  ExecutionRepository,
  ExecutionState,
  NewExecution,
  SagaData,
  StepPatch,
  StepRecord,
  StepStatus,
} from "../executions.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";

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

/**
 * Executions and their steps in SQLite (`ExecutionRepository`). Every change is one transaction (BEGIN
 * IMMEDIATE, so a second process waits instead of failing to upgrade) that writes the execution row and
 * (optionally) one step row together, so a crash leaves either the state before a transition or the state
 * after it, never half of one.
 */
export class SqliteExecutionRepository implements SyncOf<ExecutionRepository> {
  private readonly insertExecution: Statement;
  private readonly insertStep: Statement;
  private readonly selectById: Statement;
  private readonly selectByProposal: Statement;
  private readonly selectSteps: Statement;
  private readonly selectUnfinished: Statement;
  private readonly countUnfinished: Statement;
  private readonly selectAll: Statement;
  private readonly selectNotDue: Statement<[number], string>;
  private readonly countStates: Statement<[], { state: ExecutionState; n: number }>;
  private readonly countStatesOfType: Statement<[string], { state: ExecutionState; n: number }>;
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
    this.selectAll = db.prepare("SELECT * FROM executions ORDER BY started_at_ms, proposal_id");
    this.selectNotDue = db.prepare<[number], string>("SELECT proposal_id FROM executions WHERE state = 'waiting' AND not_before_ms > ?").pluck();
    this.countStates = db.prepare("SELECT state, count(*) AS n FROM executions GROUP BY state ORDER BY state");
    this.countStatesOfType = db.prepare("SELECT state, count(*) AS n FROM executions WHERE type = ? GROUP BY state ORDER BY state");
    this.updateExecution = db.prepare(
      "UPDATE executions SET state = ?, ended_at_ms = ?, not_before_ms = ?, data = ?, error = ? WHERE id = ?",
    );
    this.updateStep = db.prepare(
      `UPDATE execution_steps SET status = ?, attempts = ?, compensation_attempts = ?, started_at_ms = ?, ended_at_ms = ?, output = ?, error = ?, compensation_error = ?
       WHERE execution_id = ? AND idx = ?`,
    );
  }

  create(input: NewExecution, options: { maxInFlight?: number } = {}): ExecutionAdmission {
    return this.atomically((): ExecutionAdmission => {
      const p = input.proposal;
      const existing = this.getByProposalId(p.id);
      if (existing) return { existing };
      if (input.state === "running" && options.maxInFlight !== undefined) {
        const inFlight = this.countInFlight();
        if (inFlight >= options.maxInFlight) return { queued: { inFlight, maxInFlight: options.maxInFlight } };
      }
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
      return { created: this.require(input.id) };
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

  listUnfinished(): ExecutionRecord[] {
    return (this.selectUnfinished.all() as ExecutionRow[]).map((r) => this.load(r));
  }

  list(): ExecutionRecord[] {
    return (this.selectAll.all() as ExecutionRow[]).map((r) => this.load(r));
  }

  countInFlight(): number {
    return (this.countUnfinished.get() as { n: number }).n;
  }

  notDueProposalIds(nowMs: number): string[] {
    return this.selectNotDue.all(nowMs);
  }

  countByState(type?: ActionType): Partial<Record<ExecutionState, number>> {
    const rows = type === undefined ? this.countStates.all() : this.countStatesOfType.all(type);
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

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

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE; nested in a unit of work, a savepoint). */
  private atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
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
