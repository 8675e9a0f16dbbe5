import { mkdirSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { join } from "node:path";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { Agent, type TickReport } from "../agent/agent.js";
import { fleetCostUsd, fleetUsdPerHour } from "../agent/facts.js";
import { McpHub, readOnlyPort } from "../agent/hub.js";
import { ApprovalRefusedError, ApprovalsService } from "../approvals/index.js";
import type { Proposal, Snapshot, SnapshotWorkload } from "../domain/index.js";
import type { GuardrailsInput } from "../policy/index.js";
import { DEFAULT_RETRY, Executor } from "../executor/index.js";
import { builtinPlanner, plannerConfig, type Planner } from "../planner/index.js";
import { setCedarTier } from "./cedar-tier.js";
import { openStore, type PublishedLine, type Store, type WorkloadCosts } from "../store/index.js";
import { DEFAULT_DETECTOR_CONFIG } from "../telemetry/index.js";
import type { Config } from "./config.js";
import { EventBus, countEvents, logEvents } from "./events.js";
import { TokenAuthenticator, isLoopbackAddress } from "./auth.js";
import { ApiError, startDaemonHttp, type DaemonApi } from "./http.js";
import type { Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { PolicyStore } from "./policy-store.js";
import { statusReport } from "./status.js";

// Node 20's V8 (11.3) crashes with a fatal "unreachable code" in Deoptimizer::DoComputeBuiltinContinuation
// when it inlines hot JS→Wasm calls (the Cedar engine is Wasm) and later deoptimizes them: seen in the loop
// benchmark at 10,000 workloads after a few ticks, and gone with this flag. Set before any such code is
// optimized; it costs nothing measurable here.
setFlagsFromString("--no-turbo-inline-js-wasm-calls");

/**
 * A full garbage collection, for the daemon's idle time between ticks (null where it cannot be had). V8
 * lets the heap grow to ~3× what is live while work runs back to back and gives it back only after a
 * full collection; a daemon that ticks once a minute is idle most of the time, so it collects then and
 * its peak memory stays near its live heap.
 */
const fullGc: (() => void) | null = (() => {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
})();

/** The clock of the world the daemon manages: an embedded simulator's (which the daemon moves) or the wall clock. */
export interface DaemonClock {
  now(): number;
  /** Embedded simulator only: move its world forward; the daemon calls it once per tick. */
  advance?: (ms: number) => void;
}

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  /** Built-in tool servers by name (the embedded simulator), as transport factories. */
  inMemory?: Record<string, () => Promise<Transport>>;
  clock: DaemonClock;
  /** Serve HTTP (default true; tests of the loop alone turn it off). */
  http?: boolean;
  /** Policy warm-up evaluations at start (default 2,000 on the optimizing Cedar tier, none on the baseline one). */
  warmup?: number;
  /** The planners, in the order they are asked (default: the built-in one); see AgentOptions.planners. */
  planners?: readonly Planner[];
  /** Guardrail limits that override the policy folder's guardrails.yaml (a scenario's `budgetUsdPerDay`). */
  guardrails?: Partial<GuardrailsInput>;
}

/**
 * The always-on daemon: opens the state, loads the policies (fail closed), connects the tool servers,
 * continues unfinished executions, then runs the loop tick after tick until stopped (SIGTERM: it stops
 * taking new work after the tick in progress; every step is already stored before and after it runs).
 */
export class Daemon {
  readonly store: Store;
  readonly metrics: Metrics;
  readonly agent: Agent;
  private ticks = 0;
  /** The workload records whose lines were published last (by server and id); null before the first publish of this process. */
  private published: Map<string, Map<string, SnapshotWorkload>> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private firstTickDone = false;
  private httpClose: (() => Promise<void>) | null = null;
  httpUrl: string | null = null;

  private constructor(
    private readonly options: DaemonOptions,
    readonly policies: PolicyStore,
    private readonly hub: McpHub,
    readonly executor: Executor,
    store: Store,
    metrics: Metrics,
    agent: Agent,
    /** The one approvals service: the HTTP API, the CLI's and the scenario runner's answers go through it. */
    readonly approvals: ApprovalsService,
    /** The event bus: subscribe to follow what the daemon does. */
    readonly events: EventBus,
  ) {
    this.store = store;
    this.metrics = metrics;
    this.agent = agent;
  }

  /**
   * The composition root: builds the daemon from its configuration, each part from the ones before it —
   * policy (fail closed: a set that does not load stops start-up before anything is opened), store, events
   * (the log and the metrics subscribe), hub, planners, executor, approvals, agent, channels (HTTP) — and
   * nothing else builds them. The CLI owns the process (flags, signals, an embedded simulator it passes in as
   * a built-in tool server and a clock); tests and the scenario runner call this the same way.
   */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const { config, logger } = options;
    const now = (): number => options.clock.now();
    mkdirSync(config.state, { recursive: true });
    // events first, so that everything built after publishes to the log and the metrics
    const metrics = createMetrics();
    const bus = new EventBus(logger);
    bus.subscribe(logEvents(logger.child({ component: "agent" })));
    bus.subscribe(countEvents(metrics));

    // policy: before the first policy load of the process compiles Cedar (an error if another tier already has)
    setCedarTier(config.cedarTier);
    const policies = new PolicyStore(config.policies, {
      // warming up makes V8 tier Cedar's hot functions up before the first decision; on the baseline tier there is nothing to tier up
      warmup: options.warmup ?? (config.cedarTier === "optimizing" ? 2_000 : 0),
      ...(options.guardrails ? { guardrails: options.guardrails } : {}),
      onReload: (r) =>
        bus.publish(r.ok ? { type: "policies.reloaded", atMs: now(), digest: r.digest ?? "" } : { type: "policies.reload-refused", atMs: now(), error: r.error ?? "the policy folder did not load" }),
    });

    // store
    const store = openStore(join(config.state, "skyops.db"));

    // hub: the configuration's entries are the hub's own (one schema): env, cwd, headers and readOnly reach it as written
    const hub = await McpHub.connect(config.servers, { inMemory: options.inMemory ?? {}, logger });

    // planners: the built-in one, always; an LLM planner joins here when one is built (issue: chat and the LLM planner)
    const planners: readonly Planner[] = options.planners ?? [builtinPlanner];

    // executor: the only holder of changing tools
    let daemon: Daemon | null = null;
    const serverFor = (p: Proposal): string => daemon?.agent.lastSnapshot?.workloads.find((w) => w.id === p.workloadId)?.server ?? config.servers[0]!.name;
    const executor = new Executor({
      repo: store.executions,
      tools: hub,
      now,
      server: serverFor,
      // read at each start: a policy reload (guardrails.yaml) changes it for the next execution
      maxInFlight: () => policies.current.guardrails.maxInFlight,
      retry: DEFAULT_RETRY,
      events: bus.publish,
    });

    // approvals: the one service every channel answers through
    // world ms a wall ms: an embedded simulator's speed (0: ticks back to back, nobody waits), else the wall clock
    const worldPerWall = options.clock.advance !== undefined ? config.speed : 1;
    const approvals = new ApprovalsService({ store, policy: () => policies.current, now, events: bus.publish, minOpenMs: config.approvalWallWindow * worldPerWall });

    // agent: read-only tools for observe, the policy in force, the planners
    const agent = await Agent.create({
      observePort: readOnlyPort(hub),
      servers: config.servers.map((s) => s.name),
      store,
      executor,
      policy: () => policies.current,
      detectorConfig: DEFAULT_DETECTOR_CONFIG,
      plannerConfig: plannerConfig(),
      planners,
      approvals,
      autonomy: config.autonomy,
      dryRun: config.dryRun,
      maxNewProposalsPerTick: config.maxNewProposalsPerTick,
      now,
      events: bus.publish,
    });
    daemon = new Daemon(options, policies, hub, executor, store, metrics, agent, approvals, bus);
    // the tick count goes on from the stored one: `skyops status` counts the state's ticks, not this process's
    daemon.ticks = (await store.kv.get<{ ticks?: number }>("clock"))?.ticks ?? 0;
    // an edit of the policy folder takes effect without a restart; an invalid set is refused (policies.reload-refused) and the one in force stays
    if (config.watchPolicies) policies.watch();

    // channels
    if (options.http !== false) {
      const [host, port] = splitHostPort(config.http);
      const http = await startDaemonHttp({
        host,
        port,
        api: daemon.api(),
        registry: metrics.registry,
        auth: new TokenAuthenticator(config.api.tokens),
        allowed: config.api,
        readsNeedToken: !isLoopbackAddress(host),
      });
      daemon.httpClose = http.close;
      daemon.httpUrl = http.url;
    }
    logger.info({ event: "daemon.started", autonomy: config.autonomy, servers: config.servers.map((s) => s.name), planners: planners.map((p) => p.name), policies: policies.current.digest.slice(0, 16), http: daemon.httpUrl });
    return daemon;
  }

  /** What the HTTP API serves. */
  api(): DaemonApi {
    return {
      live: () => !this.stopping,
      ready: () => {
        const why: string[] = [];
        if (!this.firstTickDone) why.push("the first tick has not finished");
        for (const s of this.hub.servers()) if (s.state !== "connected") why.push(`tool server ${s.name} is ${s.state}${s.error ? `: ${s.error}` : ""}`);
        return { ready: this.firstTickDone && !this.stopping, why };
      },
      status: () => statusReport(this.store),
      approvals: () => this.approvals.pending(),
      refused: (r) => this.approvals.refused({ proposalId: approvalIdOf(r.path), who: r.user, channel: "http", why: `${r.method} ${r.path}: ${r.status} ${r.why}` }),
      decide: async (id, body, user) => {
        try {
          return await this.approvals.answer(id, { decision: body.decision, reason: body.reason }, { user, channel: "http" });
        } catch (error) {
          if (error instanceof ApprovalRefusedError) {
            const status = error.kind === "not-found" ? 404 : error.kind === "self-approval" || error.kind === "not-allowed" ? 403 : 409;
            throw new ApiError(status, error.kind, error.message);
          }
          throw error;
        }
      },
    };
  }

  /** Re-reads the policy folder (SIGHUP); an invalid set leaves the current one in force. */
  reloadPolicies() {
    return this.policies.reload();
  }

  private async publish(report: TickReport, wallMs: number): Promise<void> {
    const snapshot = this.agent.lastSnapshot;
    const { store } = this;
    this.ticks++;
    await store.kv.set("clock", { nowMs: report.atMs, ticks: this.ticks, lastTickWallMs: wallMs }, report.atMs);
    if (snapshot) {
      await this.publishWorkloads(snapshot, report.atMs);
      const spend = await store.kv.get<{ dayStartMs: number; costAtDayStartUsd: number }>("spend");
      const total = fleetCostUsd(snapshot);
      await store.kv.set("spend-now", { totalUsd: total, usdPerHour: fleetUsdPerHour(snapshot), todayUsd: Math.max(0, total - (spend?.costAtDayStartUsd ?? 0)) }, report.atMs);
      for (const s of snapshot.sources) this.metrics.sourceUp.set({ server: s.server }, s.ok ? 1 : 0);
    }
    this.metrics.ticks.inc();
    this.metrics.tickSeconds.observe(wallMs / 1000);
    this.metrics.approvalsPending.set((await store.approvals.listPending()).length);
  }

  /**
   * Publishes each workload's line for `skyops status`: only the lines that changed since the last tick
   * are written (and all of them on the first tick of this process), the costs as one small value.
   */
  private async publishWorkloads(snapshot: Snapshot, atMs: number): Promise<void> {
    const previous = this.published;
    // by server, then id: the ids are the records' own strings, so the maps find them without building keys
    const current = new Map<string, Map<string, SnapshotWorkload>>();
    const changed: PublishedLine[] = [];
    const costs: Record<string, WorkloadCosts> = {};
    for (const w of snapshot.workloads) {
      let mine = current.get(w.server);
      if (mine === undefined) {
        current.set(w.server, (mine = new Map()));
        costs[w.server] = { ids: [], usd: [] };
      }
      mine.set(w.id, w);
      costs[w.server]!.ids.push(w.id);
      costs[w.server]!.usd.push(w.costUsd);
      const before = previous?.get(w.server)?.get(w.id);
      if (before !== undefined && sameLine(before, w)) continue;
      changed.push({
        server: w.server,
        line: { id: w.id, kind: w.kind, tier: w.tier, state: w.state, locations: w.deployments.map((d) => `${d.location}${d.spot ? " (spot)" : ""}`), usdPerHour: w.usdPerHour },
      });
    }
    const gone: { server: string; id: string }[] = [];
    if (previous !== null) {
      for (const [server, mine] of previous) for (const id of mine.keys()) if (current.get(server)?.has(id) !== true) gone.push({ server, id });
    }
    await this.store.workloadLines.publish({ changed, gone, all: previous === null, costs, atMs });
    this.published = current;
  }

  /** One tick (and the clock's move before it, except for the first). */
  async tickOnce(): Promise<TickReport> {
    if (this.firstTickDone) this.options.clock.advance?.(this.options.config.tick);
    const started = performance.now();
    const report = await this.agent.tick();
    await this.publish(report, performance.now() - started);
    this.firstTickDone = true;
    return report;
  }

  /**
   * Continues unfinished executions, then ticks until stopped or until `stopAfter` of the world's time has
   * passed. Between ticks it waits `tick / speed` of wall time (not at all with speed 0 or for a clock it
   * does not move, where it waits `tick`).
   */
  async run(): Promise<void> {
    const { config, logger } = this.options;
    const reconciled = await this.executor.reconcile();
    if (reconciled.length > 0) logger.info({ event: "executions.reconciled", count: reconciled.length, states: reconciled.map((r) => `${r.proposalId}:${r.state}`) });
    const startMs = this.options.clock.now();
    while (!this.stopping) {
      let report: TickReport;
      try {
        report = await this.tickOnce();
      } catch (error) {
        logger.error({ event: "tick.failed", error: (error as Error).stack ?? String(error) });
        throw error;
      }
      logger.debug({ event: "tick.done", atMs: report.atMs, findings: report.findings.length, proposals: report.proposals.length, deferred: report.deferred.length, wallMs: Math.round(report.wallMs) });
      if (config.stopAfter !== undefined && this.options.clock.now() - startMs >= config.stopAfter) break;
      const waitMs = this.options.clock.advance ? (config.speed > 0 ? config.tick / config.speed : 0) : config.tick;
      if (waitMs >= config.idleGcAfterMs) this.idle();
      if (waitMs > 0) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /**
   * Housekeeping for the idle time between two ticks (run() calls it when the wait is at least
   * `idleGcAfterMs`): a full garbage collection, so the heap shrinks back to what is live. Returns its
   * wall time, ms.
   */
  idle(): number {
    const started = performance.now();
    fullGc?.();
    return performance.now() - started;
  }

  /** Stops taking new work; the tick in progress finishes. */
  requestStop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.policies.close();
    await this.httpClose?.();
    await this.hub.close();
    await this.store.close();
  }
}

/** The proposal an HTTP path is about (`/v1/approvals/{id}`), or null. */
function approvalIdOf(path: string): string | null {
  const m = /^\/v1\/approvals\/([^/]+)$/.exec(path);
  if (m === null) return null;
  try {
    return decodeURIComponent(m[1]!).slice(0, 128);
  } catch {
    return null;
  }
}

function splitHostPort(text: string): [string, number] {
  const i = text.lastIndexOf(":");
  return [text.slice(0, i).replace(/^\[|\]$/g, ""), Number(text.slice(i + 1))];
}

/** Whether two records of a workload show the same line in `skyops status` (cost aside). */
function sameLine(a: SnapshotWorkload, b: SnapshotWorkload): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.tier !== b.tier || a.state !== b.state || a.usdPerHour !== b.usdPerHour) return false;
  if (a.deployments === b.deployments) return true;
  if (a.deployments.length !== b.deployments.length) return false;
  return a.deployments.every((d, i) => d.location === b.deployments[i]!.location && d.spot === b.deployments[i]!.spot);
}
