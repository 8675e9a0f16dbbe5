import type { ActionType, AnyContractTool, Proposal, ProposalOf, ToolArgs, ToolOutput } from "../domain/index.js";
import type { SagaData } from "../store/executions.js";

/** The idempotency key of a step: `${proposalId}/${stepName}`, passed to every changing tool as `idempotencyKey`. */
export function stepKey(proposalId: string, stepName: string): string {
  return `${proposalId}/${stepName}`;
}

/** The idempotency key of a step's compensation: the step's key with `/compensate`. */
export function compensationKey(key: string): string {
  return `${key}/compensate`;
}

/** What a step's `run` returns: done (with an output to record), or not yet (call again, not before `untilMs`). */
export type StepResult = { kind: "done"; output: unknown } | { kind: "wait"; untilMs: number | null; reason: string };

export function done(output: unknown = null): StepResult {
  return { kind: "done", output };
}

/** The step cannot finish yet; `untilMs` (executor clock) is the earliest worth another look, null for next tick. */
export function wait(reason: string, untilMs: number | null = null): StepResult {
  return { kind: "wait", untilMs, reason };
}

/** What a step sees. Everything it reaches in the world goes through `call`. */
export interface StepContext<P extends Proposal, D extends SagaData> {
  proposal: P;
  /** The saga's variables: change them in place; they are stored with the step's transition. */
  data: D;
  /** The idempotency key of this step (or of its compensation, inside `compensate`). */
  key: string;
  /** The idempotency key of another step of this saga (to poll what it started with the same key). */
  keyOf(stepName: string): string;
  /** The executor's clock when this try began, ms. */
  nowMs: number;
  /** When the step first started, ms (for waits with a limit and settle windows). */
  startedAtMs: number;
  /**
   * Calls a tool of the contract (src/domain/contract) on the saga's tool server and validates the
   * structuredContent with the tool's output schema. Throws SagaError, retryable as the failure's code says
   * (throttling and transport failures are; domain refusals are not).
   */
  call<T extends AnyContractTool>(tool: T, args: ToolArgs<T>): Promise<ToolOutput<T>>;
}

export interface SagaStep<P extends Proposal, D extends SagaData> {
  name: string;
  /**
   * Does the step, or looks whether what it waits for has happened. Must be safe to run again with the
   * same key at any point (after a crash the executor re-runs a step it recorded as running): changing
   * calls pass `ctx.key` as `idempotencyKey`, and the arguments must be the same on every run.
   */
  run(ctx: StepContext<P, D>): Promise<StepResult>;
  /**
   * Undoes the step's effect after a later step failed, or after this step failed (its effect may have
   * happened: a timed-out launch did launch). Idempotent under `ctx.key` (the compensation key), and a
   * no-op when there is nothing to undo.
   */
  compensate?(ctx: StepContext<P, D>): Promise<void>;
  /** A step that still waits this long after it started fails (not retried), ms. */
  timeoutMs?: number;
  /**
   * Once this step has succeeded the saga rolls forward only: a later failure ends `failed` and nothing is
   * undone. If this step itself runs out of retries with the outcome unknown (every try timed out), the
   * saga also ends `failed` without undoing anything: its effect may have happened.
   */
  pointOfNoReturn?: boolean;
}

/** One saga per action type: an ordered list of steps over typed saga data. */
export interface Saga<T extends ActionType, D extends SagaData> {
  type: T;
  steps: readonly SagaStep<ProposalOf<T>, D>[];
}

/** A saga with its types erased, as the executor runs it. */
export type AnySaga = Saga<ActionType, SagaData>;

/** Declares a saga; checks step names are unique and usable in a key. */
export function defineSaga<T extends ActionType, D extends SagaData>(saga: Saga<T, D>): AnySaga {
  const names = saga.steps.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new Error(`saga ${saga.type} has duplicate step names: ${names.join(", ")}`);
  for (const n of names) if (!/^[a-z][a-z0-9-]*$/.test(n)) throw new Error(`saga ${saga.type}: step name "${n}" must be lower-case words with dashes`);
  return saga as unknown as AnySaga;
}
