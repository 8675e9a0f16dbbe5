import type { z } from "zod";
import { NO_EVENTS, ProposalSchema, isRetryable, type ActionType, type EventSink, type AnyContractTool, type Proposal, type Reason, type ToolArgs, type ToolOutput } from "../domain/index.js";
import { isFinished, type ExecutionRecord, type ExecutionRepository, type ExecutionState, type NewExecution, type SagaData, type StepRecord } from "../store/executions.js";
import { backoffMs, checkRetryPolicy, type RetryPolicy } from "./backoff.js";
import { SagaError } from "./errors.js";
import type { PolicyRecheck, RecheckResult, ToolCaller } from "./ports.js";
import { compensationKey, stepKey, type AnySaga, type StepContext, type StepResult } from "./saga.js";
import { SAGAS } from "./sagas/index.js";

export interface ExecutorOptions {
  repo: ExecutionRepository;
  tools: ToolCaller;
  /** The clock, ms (the world's simulated clock in tests and evals). The executor never sleeps on it. */
  now: () => number;
  /** Tool server the actions go to: one name, or one per proposal. */
  server: string | ((proposal: Proposal) => string);
  /**
   * Most executions in flight (running, waiting, compensating) at once; more are answered `queued`. A
   * function is read at each `start` (the daemon's follows the guardrails a policy reload brings).
   */
  maxInFlight: number | (() => number);
  retry: RetryPolicy;
  /** Where each step's outcome is published (`execution.step`), after it is stored. */
  events?: EventSink | undefined;
}

/** Where an execution stands after `start` or `advance`. */
export interface ExecutionSummary {
  id: string;
  proposalId: string;
  workloadId: string;
  type: ActionType;
  state: ExecutionState;
  /** Waiting: not worth advancing before this time, ms (null: next tick). */
  until: number | null;
  /** Why it failed, was compensated or refused. */
  error: string | null;
  steps: { name: string; status: StepRecord["status"]; attempts: number }[];
}

export type StartResult =
  | ExecutionSummary
  | { refused: Reason[]; executionId: string }
  | { queued: { inFlight: number; maxInFlight: number } };

/** A long-running loop in a saga is a bug (a step that neither finishes nor waits): stop and say so. */
const MAX_TRANSITIONS_PER_ADVANCE = 10_000;

type Next = "continue" | "pause";

/** The execution id of a proposal: one execution per proposal, so a repeated `start` finds the first. */
export function executionIdFor(proposalId: string): string {
  return `exec-${proposalId}`;
}

/**
 * Runs allowed proposals as sagas of idempotent steps (src/executor/sagas), one step at a time, with every
 * transition stored in SQLite before and after the step's effect.
 *
 * It is step-driven, never sleeping: `advance` runs steps until one must wait for the world (a checkpoint
 * being written, instances provisioning) or for a retry's backoff, and returns `waiting` with the earliest
 * time worth another look; the control loop calls it again on a later tick. After a crash, `reconcile`
 * continues every unfinished execution from what was stored: a step recorded as running is run again with
 * the same idempotency key, which the tool servers answer with the first result instead of a second effect.
 */
export class Executor {
  private readonly repo: ExecutionRepository;
  private readonly tools: ToolCaller;
  private readonly now: () => number;
  private readonly serverFor: (proposal: Proposal) => string;
  private readonly maxInFlightOf: () => number;
  private readonly retry: RetryPolicy;
  private readonly events: EventSink;
  /** Advances in progress in this process, so two callers of one execution share one run. */
  private readonly inProgress = new Map<string, Promise<ExecutionSummary>>();

  constructor(options: ExecutorOptions) {
    const limit = options.maxInFlight;
    this.maxInFlightOf = typeof limit === "function" ? limit : () => limit;
    void this.maxInFlight; // a bad number fails here, at construction
    this.repo = options.repo;
    this.tools = options.tools;
    this.now = options.now;
    const server = options.server;
    this.serverFor = typeof server === "string" ? () => server : server;
    this.retry = checkRetryPolicy(options.retry);
    this.events = options.events ?? NO_EVENTS;
  }

  /** Publishes a step's outcome, once it is stored. */
  private stepped(e: ExecutionRecord, step: string, status: "succeeded" | "failed" | "compensated" | "retrying", attempts: number, error: string | null): void {
    this.events({ type: "execution.step", atMs: this.now(), proposal: e.proposalId, step, status, attempts, error });
  }

  /** The limit in force now: a whole number >= 1, or a RangeError (fail closed: nothing starts). */
  private get maxInFlight(): number {
    const limit = this.maxInFlightOf();
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`maxInFlight must be a whole number >= 1, got ${limit}`);
    return limit;
  }

  /**
   * Re-checks the proposal with the policy engine and, if it still allows it and fewer than `maxInFlight`
   * executions are in flight, records the execution and advances it. A proposal that already has an
   * execution gets that one back (nothing is checked or run twice). Refusals are recorded with their
   * reasons (state `refused`, nothing run); a full executor records nothing and answers `queued`.
   */
  async start(proposal: Proposal, recheck: PolicyRecheck): Promise<StartResult> {
    const p = ProposalSchema.parse(proposal);
    const existing = await this.repo.getByProposalId(p.id);
    if (existing) return this.startAnswer(existing);
    const maxInFlight = this.maxInFlight;
    const inFlight = await this.repo.countInFlight();
    if (inFlight >= maxInFlight) return { queued: { inFlight, maxInFlight } };

    const verdict = await this.recheck(p, recheck);
    const saga = SAGAS[p.type];
    const id = executionIdFor(p.id);
    const nowMs = this.now();
    const execution: NewExecution =
      verdict.outcome !== "allow"
        ? {
            id,
            proposal: p,
            server: this.serverFor(p),
            state: "refused",
            startedAtMs: nowMs,
            data: { refusal: { outcome: verdict.outcome, reasons: verdict.reasons } },
            error: `refused by the policy recheck (${verdict.outcome}): ${verdict.reasons.map((r) => `${r.id}: ${r.reason}`).join("; ") || "no reason given"}`,
            steps: [],
          }
        : { id, proposal: p, server: this.serverFor(p), state: "running", startedAtMs: nowMs, steps: saga.steps.map((s) => ({ name: s.name, idempotencyKey: stepKey(p.id, s.name) })) };
    // the repository checks again, atomically with the write: another start may have raced this one
    const admitted = await this.repo.create(execution, { maxInFlight });
    if ("queued" in admitted) return admitted;
    const created = "created" in admitted ? admitted.created : admitted.existing;
    if (created.state === "refused") return this.startAnswer(created);
    return this.advance(created.id);
  }

  /**
   * Runs the execution's steps until one must wait or the saga ends. Returns at once when it is not due
   * yet (`until` in the future) or finished. Safe to call at any time, from any tick, after any crash.
   */
  advance(id: string): Promise<ExecutionSummary> {
    const running = this.inProgress.get(id);
    if (running) return running;
    const run = this.drive(id).finally(() => this.inProgress.delete(id));
    this.inProgress.set(id, run);
    return run;
  }

  /**
   * Advances every unfinished execution (the control loop's call each tick), concurrently. One that throws
   * (a bug, the database) does not stop the others: all are advanced, then the errors are thrown together.
   */
  async advanceAll(): Promise<ExecutionSummary[]> {
    const settled = await Promise.allSettled((await this.repo.listUnfinished()).map((e) => this.advance(e.id)));
    const failed = settled.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length === 1) throw failed[0]!.reason;
    if (failed.length > 1) throw new AggregateError(failed.map((f) => f.reason as unknown), `${failed.length} executions could not be advanced`);
    return settled.map((r) => (r as PromiseFulfilledResult<ExecutionSummary>).value);
  }

  /**
   * On start-up: continues every execution left unfinished by the previous process. Steps recorded as
   * running are run again with their stored idempotency key; compensations under way go on likewise.
   */
  async reconcile(): Promise<ExecutionSummary[]> {
    return this.advanceAll();
  }

  async summary(id: string): Promise<ExecutionSummary> {
    return summarize(await this.repo.require(id));
  }

  // ------------------------------------------------------------------------------------------ internals

  private startAnswer(e: ExecutionRecord): StartResult {
    if (e.state === "refused") {
      const refusal = (e.data["refusal"] as { reasons?: Reason[] } | undefined)?.reasons ?? [];
      return { refused: refusal, executionId: e.id };
    }
    return summarize(e);
  }

  /** Fails closed: a recheck that throws or answers garbage refuses. */
  private async recheck(p: Proposal, recheck: PolicyRecheck): Promise<RecheckResult> {
    try {
      const r = await recheck(p);
      if (r.outcome !== "allow" && r.outcome !== "needs-approval" && r.outcome !== "deny") throw new Error(`unknown outcome ${String(r.outcome)}`);
      return { outcome: r.outcome, reasons: Array.isArray(r.reasons) ? r.reasons : [] };
    } catch (error) {
      return { outcome: "deny", reasons: [{ source: "engine", id: "recheck-failed", reason: `the policy recheck failed: ${error instanceof Error ? error.message : String(error)}` }] };
    }
  }

  private async drive(id: string): Promise<ExecutionSummary> {
    for (let i = 0; i < MAX_TRANSITIONS_PER_ADVANCE; i++) {
      const e = await this.repo.require(id);
      if (isFinished(e.state)) return summarize(e);
      if (e.notBeforeMs !== null && this.now() < e.notBeforeMs) return summarize(e);
      const saga = SAGAS[e.type];
      const mismatch = sagaMismatch(e, saga);
      if (mismatch !== null) {
        await this.repo.update(id, { state: "failed", endedAtMs: this.now(), notBeforeMs: null, error: mismatch });
        continue;
      }
      const next = e.state === "compensating" ? await this.compensateNext(e, saga) : await this.forward(e, saga);
      if (next === "pause") return summarize(await this.repo.require(id));
    }
    throw new Error(`execution "${id}" made ${MAX_TRANSITIONS_PER_ADVANCE} transitions in one advance: a step neither finishes nor waits`);
  }

  /** Runs (or re-runs, or polls) the first step that has not succeeded. */
  private async forward(e: ExecutionRecord, saga: AnySaga): Promise<Next> {
    const idx = e.steps.findIndex((s) => s.status !== "succeeded");
    if (idx < 0) {
      await this.repo.update(e.id, { state: "succeeded", endedAtMs: this.now(), notBeforeMs: null });
      return "continue";
    }
    const def = saga.steps[idx]!;
    let rec = e.steps[idx]!;
    if (rec.status === "pending") {
      // before the step: recorded as running, so a crash from here on re-runs it with the same key
      rec = (await this.repo.update(e.id, { state: "running", notBeforeMs: null }, { idx, patch: { status: "running", attempts: 1, startedAtMs: this.now() } })).steps[idx]!;
    }
    const nowMs = this.now();
    const startedAtMs = rec.startedAtMs ?? nowMs;
    const data = structuredClone(e.data);
    if (def.timeoutMs !== undefined && nowMs - startedAtMs > def.timeoutMs) {
      return this.fail(e, saga, idx, new SagaError("timeout", `${def.name} still waiting after ${Math.round((nowMs - startedAtMs) / 1000)} s (limit ${Math.round(def.timeoutMs / 1000)} s)`, false), data, false);
    }
    let result: StepResult;
    try {
      result = await def.run(this.context(e, rec.idempotencyKey, data, nowMs, startedAtMs));
    } catch (error) {
      const err = SagaError.from(error);
      if (err.retryable && rec.attempts < this.retry.maxAttempts) {
        const until = this.now() + backoffMs(rec.idempotencyKey, rec.attempts, this.retry);
        await this.repo.update(e.id, { state: "waiting", notBeforeMs: until, data }, { idx, patch: { attempts: rec.attempts + 1, error: err.render() } });
        this.stepped(e, def.name, "retrying", rec.attempts, err.render());
        return "pause";
      }
      return this.fail(e, saga, idx, err, data, err.retryable);
    }
    if (result.kind === "wait") {
      const until = result.untilMs !== null && result.untilMs > this.now() ? result.untilMs : null;
      await this.repo.update(e.id, { state: "waiting", notBeforeMs: until, data });
      return "pause";
    }
    // after the step: its output and the saga variables it set, in one transaction
    await this.repo.update(e.id, { state: "running", notBeforeMs: null, data }, { idx, patch: { status: "succeeded", endedAtMs: this.now(), output: result.output ?? null } });
    this.stepped(e, def.name, "succeeded", rec.attempts, null);
    return "continue";
  }

  /**
   * A step failed for good: unwind the steps done (this one included: its effect may have happened), unless
   * the saga is past its point of no return, or this step is that point and its outcome is unknown.
   */
  private async fail(e: ExecutionRecord, saga: AnySaga, idx: number, err: SagaError, data: SagaData, outcomeUnknown: boolean): Promise<Next> {
    const def = saga.steps[idx]!;
    const passed = saga.steps.findIndex((s, i) => i < idx && s.pointOfNoReturn === true && e.steps[i]!.status === "succeeded");
    const stepError = err.render();
    const nowMs = this.now();
    if (passed >= 0 || (def.pointOfNoReturn === true && outcomeUnknown)) {
      const why =
        passed >= 0
          ? `past the point of no return (${saga.steps[passed]!.name} succeeded): nothing rolled back`
          : `${def.name} is the point of no return and its outcome is unknown: nothing rolled back`;
      await this.repo.update(e.id, { state: "failed", endedAtMs: nowMs, notBeforeMs: null, data, error: `${def.name} failed: ${stepError}; ${why}` }, { idx, patch: { status: "failed", endedAtMs: nowMs, error: stepError } });
      this.stepped(e, def.name, "failed", e.steps[idx]!.attempts, stepError);
      return "continue";
    }
    await this.repo.update(e.id, { state: "compensating", notBeforeMs: null, data, error: `${def.name} failed: ${stepError}` }, { idx, patch: { status: "failed", endedAtMs: nowMs, error: stepError } });
    this.stepped(e, def.name, "failed", e.steps[idx]!.attempts, stepError);
    return "continue";
  }

  /**
   * Compensates the latest step that ran (succeeded or failed), has a compensation and has not been
   * compensated; when none is left the execution ends compensated (or failed, if one could not be undone).
   */
  private async compensateNext(e: ExecutionRecord, saga: AnySaga): Promise<Next> {
    let idx = -1;
    for (let i = e.steps.length - 1; i >= 0; i--) {
      const s = e.steps[i]!;
      if ((s.status === "succeeded" || s.status === "failed") && saga.steps[i]!.compensate !== undefined && s.compensationError === null) {
        idx = i;
        break;
      }
    }
    if (idx < 0) {
      const stuck = e.steps.filter((s) => s.compensationError !== null);
      const nowMs = this.now();
      if (stuck.length === 0) await this.repo.update(e.id, { state: "compensated", endedAtMs: nowMs, notBeforeMs: null });
      else {
        const why = stuck.map((s) => `${s.name}: ${s.compensationError}`).join("; ");
        await this.repo.update(e.id, { state: "failed", endedAtMs: nowMs, notBeforeMs: null, error: `${e.error ?? "a step failed"}; could not undo ${why}` });
      }
      return "continue";
    }
    const def = saga.steps[idx]!;
    const rec = e.steps[idx]!;
    const key = compensationKey(rec.idempotencyKey);
    const data = structuredClone(e.data);
    const nowMs = this.now();
    try {
      await def.compensate!(this.context(e, key, data, nowMs, rec.startedAtMs ?? nowMs));
    } catch (error) {
      const err = SagaError.from(error);
      const tries = rec.compensationAttempts + 1;
      if (err.retryable && tries < this.retry.maxAttempts) {
        await this.repo.update(e.id, { notBeforeMs: this.now() + backoffMs(key, tries, this.retry), data }, { idx, patch: { compensationAttempts: tries } });
        return "pause";
      }
      await this.repo.update(e.id, { notBeforeMs: null, data }, { idx, patch: { compensationAttempts: tries, compensationError: err.render() } });
      return "continue";
    }
    await this.repo.update(e.id, { notBeforeMs: null, data }, { idx, patch: { status: "compensated" } });
    this.stepped(e, def.name, "compensated", rec.attempts, null);
    return "continue";
  }

  private context(e: ExecutionRecord, key: string, data: SagaData, nowMs: number, startedAtMs: number): StepContext<Proposal, SagaData> {
    return {
      proposal: e.proposal,
      data,
      key,
      keyOf: (name) => stepKey(e.proposalId, name),
      nowMs,
      startedAtMs,
      call: <T extends AnyContractTool>(tool: T, args: ToolArgs<T>) => this.call(e.server, tool, args),
    };
  }

  /** One call of a contract tool: its answer checked with the tool's output schema; a failure retryable as its code says. */
  private async call<T extends AnyContractTool>(server: string, tool: T, args: ToolArgs<T>): Promise<ToolOutput<T>> {
    let result;
    try {
      result = await this.tools.call(server, tool.name, args);
    } catch (error) {
      throw new SagaError("transport", error instanceof Error ? error.message : String(error), true, tool.name);
    }
    if (!result.ok) throw new SagaError("tool", result.error, isRetryable(result.code), tool.name);
    const parsed = (tool.outputSchema as z.ZodType).safeParse(result.structured);
    if (!parsed.success) {
      throw new SagaError("invalid-output", `structuredContent does not match the tool contract: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`, false, tool.name);
    }
    return parsed.data as ToolOutput<T>;
  }
}

/** Why a stored execution no longer matches its saga's definition (the daemon was upgraded mid-saga), or null. */
function sagaMismatch(e: ExecutionRecord, saga: AnySaga): string | null {
  const stored = e.steps.map((s) => s.name).join(",");
  const defined = saga.steps.map((s) => s.name).join(",");
  return stored === defined ? null : `the ${e.type} saga's steps changed since this execution started (stored: ${stored}; now: ${defined}); left for a person`;
}

function summarize(e: ExecutionRecord): ExecutionSummary {
  return {
    id: e.id,
    proposalId: e.proposalId,
    workloadId: e.workloadId,
    type: e.type,
    state: e.state,
    until: isFinished(e.state) ? null : e.notBeforeMs,
    error: e.error,
    steps: e.steps.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts })),
  };
}
