import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Planner } from "../../planner/index.js";
import { proposalTarget, type ActionType, type WorldData, type WorldSpec } from "../../domain/index.js";
import { ConfigSchema } from "../../server/config.js";
import { Daemon } from "../../server/daemon.js";
import { createLogger } from "../../server/logger.js";
import { DEFAULT_START_MS } from "../../sim/index.js";
import { SimHost } from "../../../tools/sim/host.js";
import { inMemorySimTransport } from "../../../tools/sim/in-memory.js";
import type { Scenario } from "./scenario.js";
import { checkExpectations, checkInvariants, type ExecutedAction, type RunFacts } from "./score.js";

/** The user the simulated human answers approval requests as (recorded as `user:eval-approver`). */
export const SIMULATED_APPROVER = "eval-approver";

/** One row of the scorecard: SCENARIOS.md's fields, plus what a reader needs to see why. */
export interface ScenarioResult {
  name: string;
  file: string;
  passed: boolean;
  failures: string[];
  costUsd: number;
  availability: Record<string, number>;
  deadlinesMissed: number;
  actions: Partial<Record<ActionType, number>>;
  approvals: number;
  denials: number;
  llmCalls: number;
  llmTokens: number;
  simSeconds: number;
  wallMs: number;
  /** Every execution that ran (not refused at the re-check), in the order it finished. */
  executed: ExecutedAction[];
  /** SHA-256 over what the run did and what it cost: equal for equal runs. */
  fingerprint: string;
}

export interface EvalOptions {
  /** The data the simulator replays (loaded once for many scenarios). */
  data: WorldData;
  /** Overrides every scenario's `planner`. */
  planner?: "builtin" | "llm" | undefined;
  /** Run each scenario a second time and compare (the "run is deterministic" invariant). Default true. */
  checkDeterminism?: boolean;
  /** Where the runs keep their state (a fresh folder under it per run, removed afterwards). Default: the OS temp folder. */
  tmpRoot?: string;
  /** Stands in for the built-in planner (tests show that an unsafe one makes scenarios fail). */
  proposer?: Planner;
  /** Keep the first run's state (SQLite database) in KEEP/<scenario name> for `skyops status` and `skyops audit`. */
  keepState?: string | undefined;
}

interface RawRun {
  facts: RunFacts;
  fingerprint: string;
}

/** The world a scenario describes, in the simulator's terms. */
export function worldSpecOf(s: Scenario): WorldSpec {
  return {
    seed: s.seed,
    startMs: s.start ?? DEFAULT_START_MS,
    clouds: s.clouds ?? ["aws", "gcp", "azure"],
    workloads: s.workloads,
    events: s.events,
  };
}

/**
 * Runs one scenario once: a real daemon (SQLite state in a temporary folder, the scenario's policies, the
 * agent graph, the executor) on an embedded simulator reached over MCP in-memory, ticking in simulated
 * time — the daemon moves the world's clock by `tick` before each tick, nothing waits on the wall clock.
 * After each tick the simulated human answers the approval requests raised (approve, reject, or ignore
 * them until they expire).
 */
async function runOnce(s: Scenario, options: EvalOptions, keep: boolean): Promise<RawRun> {
  const kept = keep && options.keepState !== undefined ? join(options.keepState, s.name) : null;
  if (kept !== null) {
    rmSync(kept, { recursive: true, force: true });
    mkdirSync(kept, { recursive: true });
  }
  const dir = kept ?? mkdtempSync(join(options.tmpRoot ?? tmpdir(), "skyops-eval-"));
  const host = new SimHost({ spec: worldSpecOf(s), speed: 0, data: options.data });
  const startMs = host.world.nowMs;
  const endMs = startMs + s.duration;
  let daemon: Daemon | null = null;
  let crash: string | null = null;
  try {
    const config = ConfigSchema.parse({ autonomy: s.autonomy, tick: s.tick, speed: 0, state: dir, policies: s.policyDir, logLevel: "silent", watchPolicies: false });
    daemon = await Daemon.start({
      config,
      logger: createLogger({ level: "silent" }),
      inMemory: { sim: inMemorySimTransport(host) },
      clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
      http: false,
      warmup: 0,
      ...(options.proposer ? { planners: [options.proposer] } : {}),
      ...(s.budgetUsdPerDay !== undefined ? { guardrails: { budgetUsdPerDay: s.budgetUsdPerDay } } : {}),
    });
    const ticks = Math.floor(s.duration / s.tick);
    for (let i = 0; i <= ticks; i++) {
      await daemon.tickOnce();
      if (s.approver !== "ignore") await answerPending(daemon, s.approver);
    }
    // a duration that is not a whole number of ticks: the world runs to the end, the loop does not
    if (host.world.nowMs < endMs) host.advanceTo(endMs);
  } catch (error) {
    crash = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  try {
    const facts = await collect(s, daemon, host, startMs, crash);
    return { facts, fingerprint: fingerprintOf(facts) };
  } finally {
    await daemon?.close().catch(() => {});
    host.close();
    if (kept === null) rmSync(dir, { recursive: true, force: true });
  }
}

/** The scenario's simulated human answers every pending request, through the approvals service like any channel. */
async function answerPending(daemon: Daemon, answer: "approve" | "reject"): Promise<void> {
  for (const a of await daemon.approvals.pending()) {
    await daemon.approvals.answer(a.proposalId, { decision: answer, reason: answer === "reject" ? "the scenario's simulated human rejects every request" : undefined }, { user: SIMULATED_APPROVER, channel: "sim" });
  }
}

/** Reads what happened out of the daemon's database and the world. */
async function collect(s: Scenario, daemon: Daemon | null, host: SimHost, startMs: number, crash: string | null): Promise<RunFacts> {
  const totals = host.world.totals();
  const availability: Record<string, number> = {};
  for (const w of s.workloads) if (w.kind === "inference") availability[w.id] = totals.availability[w.id] ?? 1;
  const base: RunFacts = {
    scenario: s,
    startMs,
    crash,
    costUsd: totals.costUsd,
    availability,
    deadlinesMissed: totals.deadlinesMissed,
    executions: [],
    proposals: [],
    approvals: [],
    auditOk: true,
    auditProblem: null,
    simSeconds: (host.world.nowMs - startMs) / 1000,
  };
  if (!daemon) return base;
  const { store } = daemon;
  const executions = (await store.executions.list()).map((r) => {
    const target = proposalTarget(r.proposal);
    return {
      proposalId: r.proposalId,
      type: r.type,
      workloadId: r.workloadId,
      state: r.state,
      startedAtMs: r.startedAtMs - startMs,
      endedAtMs: r.endedAtMs === null ? null : r.endedAtMs - startMs,
      to: target === null ? null : { cloud: target.cloud, region: target.region, spot: target.spot },
    };
  });
  const proposals: RunFacts["proposals"] = [];
  for (const { proposal: p, status } of await store.proposals.list()) {
    const decisions = (await store.decisions.listFor(p.id)).map((d) => ({ outcome: d.outcome, phase: d.phase, reasons: d.reasons.length }));
    proposals.push({ id: p.id, type: p.type, workloadId: p.workloadId, proposer: p.proposer, status, decisions });
  }
  const approvals = (await store.approvals.list()).map((a) => ({ proposalId: a.proposalId, status: a.status, approver: a.approver }));
  const audit = await store.audit.verify();
  return {
    ...base,
    executions,
    proposals,
    approvals,
    auditOk: audit.ok,
    auditProblem: audit.firstBroken ? `row ${audit.firstBroken.seq}: ${audit.firstBroken.problem}` : null,
  };
}

function fingerprintOf(f: RunFacts): string {
  const h = createHash("sha256");
  h.update(
    JSON.stringify({
      cost: f.costUsd,
      availability: f.availability,
      deadlinesMissed: f.deadlinesMissed,
      executions: f.executions,
      proposals: f.proposals,
      approvals: f.approvals,
      crash: f.crash !== null,
    }),
  );
  return h.digest("hex");
}

/** Runs a scenario (twice, unless told not to: the run must be deterministic) and scores it. */
export async function runScenario(s: Scenario, options: EvalOptions): Promise<ScenarioResult> {
  const wallStart = performance.now();
  const planner = options.planner ?? s.planner;
  const failures: string[] = [];
  if (planner === "llm") {
    // The LLM planner is not part of this build yet: say so rather than quietly running the built-in one.
    failures.push(
      process.env["OPENAI_BASE_URL"]
        ? "planner llm: the LLM planner is not built yet in this version of skyops; run with --planner builtin"
        : "planner llm needs an OpenAI-compatible endpoint (OPENAI_BASE_URL, OPENAI_API_KEY, SKYOPS_MODEL); none is set — run with --planner builtin",
    );
    return emptyResult(s, failures, performance.now() - wallStart);
  }
  const first = await runOnce(s, options, true);
  const wallMs = performance.now() - wallStart;
  failures.push(...checkInvariants(first.facts), ...checkExpectations(first.facts));
  if (options.checkDeterminism !== false && first.facts.crash === null) {
    const second = await runOnce(s, options, false);
    if (second.fingerprint !== first.fingerprint) failures.push("not deterministic: a second run with the same seed and file did something else (its actions, decisions or cost differ)");
  }
  const f = first.facts;
  const actions: Partial<Record<ActionType, number>> = {};
  for (const e of f.executions) if (e.state === "succeeded") actions[e.type] = (actions[e.type] ?? 0) + 1;
  return {
    name: s.name,
    file: s.file,
    passed: failures.length === 0,
    failures,
    costUsd: round(f.costUsd, 2),
    availability: Object.fromEntries(Object.entries(f.availability).map(([k, v]) => [k, round(v, 6)])),
    deadlinesMissed: f.deadlinesMissed,
    actions,
    approvals: f.approvals.length,
    denials: f.proposals.filter((p) => p.decisions.some((d) => d.outcome === "deny")).length,
    llmCalls: 0,
    llmTokens: 0,
    simSeconds: f.simSeconds,
    wallMs: Math.round(wallMs),
    executed: f.executions.filter((e) => e.state !== "refused"),
    fingerprint: first.fingerprint,
  };
}

function emptyResult(s: Scenario, failures: string[], wallMs: number): ScenarioResult {
  return {
    name: s.name,
    file: s.file,
    passed: false,
    failures,
    costUsd: 0,
    availability: {},
    deadlinesMissed: 0,
    actions: {},
    approvals: 0,
    denials: 0,
    llmCalls: 0,
    llmTokens: 0,
    simSeconds: 0,
    wallMs: Math.round(wallMs),
    executed: [],
    fingerprint: "",
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
