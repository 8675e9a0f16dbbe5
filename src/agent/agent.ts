import { Command, isInterrupted } from "@langchain/langgraph";
import type { DaemonEvent, EgressMatrix, EventSink, Finding, Proposal, Skip, Snapshot } from "../domain/index.js";
import type { Executor } from "../executor/index.js";
import type { Planner, PlannerConfig } from "../planner/index.js";
import type { DecisionDetail, PolicyEngine } from "../policy/index.js";
import type { Store } from "../store/index.js";
import { detect, initialDetectorState, restoreDetectorState, type DetectorConfig, type DetectorState } from "../telemetry/index.js";
import { policyFacts, trackSpend, type SpendTracker } from "./facts.js";
import { buildProposalGraph, type ApprovalOutcome, type ApprovalRequests, type ProposalGraph } from "./graph.js";
import { ObserveMemory, observe, type ObservePort } from "./observe.js";

/** Statuses in which a proposal still holds its workload (the planner proposes nothing else for it). */
const OPEN_STATUSES = ["proposed", "decided", "waiting-approval", "approved", "executing"] as const;

export interface AgentOptions {
  /** Read-only access for observe (a `readOnlyPort(hub)`): the planner side never holds a changing tool. */
  observePort: ObservePort;
  servers: readonly string[];
  store: Store;
  executor: Executor;
  /** The policy engine in force (it may be reloaded between ticks). */
  policy: () => PolicyEngine;
  detectorConfig: DetectorConfig;
  plannerConfig: PlannerConfig;
  /**
   * The planners, asked in this order each tick (the built-in one first). A planner only ever returns
   * proposals and why it proposed nothing (it holds no tool), and every proposal still goes through the
   * policy engine; evaluations swap in deliberately unsafe planners to show the policies and the scenario
   * suite catch them.
   */
  planners: readonly Planner[];
  /** The approvals service: the graph opens requests there, the tick expires them there. */
  approvals: ApprovalRequests & { expireDue(): Promise<string[]> };
  autonomy: "observe" | "approve-all" | "auto";
  dryRun: boolean;
  /** The clock: the simulator's for simulated runs, the wall clock for real clouds. */
  now: () => number;
  /** A proposal for an incident already answered is made again only after this long (ms). Default 30 min. */
  reproposeAfterMs?: number;
  /**
   * At most this many new proposal threads start in one tick (0: no limit), the most urgent first; the
   * rest are not recorded and are planned again on the next tick. Default 0.
   */
  maxNewProposalsPerTick?: number;
  /** Where what happens is published (logs, metrics and channels subscribe). */
  events?: EventSink;
}

export interface TickReport {
  atMs: number;
  sources: { server: string; ok: boolean; error: string | null }[];
  findings: Finding[];
  /** The proposals planned this tick and handed to their threads (or already running in one). */
  proposals: Proposal[];
  /** Planned this tick but left for a later one: over `maxNewProposalsPerTick`, least urgent first. */
  deferred: Proposal[];
  decisions: { proposalId: string; outcome: string }[];
  resumed: number;
  wallMs: number;
}

/**
 * The control loop: each tick observes every tool server with bulk calls, runs the pure detectors and the
 * built-in planner, and hands each new proposal to its own graph thread (check → approve → execute →
 * verify). Threads waiting for a human or for the world are resumed on later ticks: a proposal waiting
 * never blocks the loop for other workloads.
 */
export class Agent {
  private readonly graph: ProposalGraph;
  private detectorState: DetectorState;
  private spend: SpendTracker | null = null;
  private readonly egressCache: EgressMatrix = {};
  /** The previous answers, so each tick asks tool servers only for what changed (incremental listing). */
  private readonly observeMemory = new ObserveMemory();
  private snapshot: Snapshot | null = null;
  private readonly events: EventSink;
  private decisionsThisTick: { proposalId: string; outcome: string }[] = [];
  /** Why nothing was proposed for each open finding, as last published and stored (`skipKey`). */
  private readonly skips: Map<string, string>;

  /** An agent that goes on from the state a previous process stored (the detectors', the spend baseline, the open findings' skips). */
  static async create(options: AgentOptions): Promise<Agent> {
    const saved = await options.store.kv.get<unknown>("detector-state");
    const spend = await options.store.kv.get<SpendTracker>("spend");
    const skips = new Map<string, string>();
    for (const f of await options.store.findings.listOpen()) if (f.skip !== null) skips.set(f.id, skipKey(f.skip.planner, f.skip));
    return new Agent(options, saved !== null ? restoreDetectorState(saved) : initialDetectorState(), spend, skips);
  }

  private constructor(
    private readonly options: AgentOptions,
    detectorState: DetectorState,
    spend: SpendTracker | null,
    skips: Map<string, string>,
  ) {
    const publish = options.events ?? (() => {});
    this.events = (event: DaemonEvent) => {
      if (event.type === "proposal.decided") this.decisionsThisTick.push({ proposalId: event.proposal, outcome: event.outcome });
      publish(event);
    };
    this.detectorState = detectorState;
    this.spend = spend;
    this.skips = skips;
    this.graph = buildProposalGraph(
      {
        store: options.store,
        executor: options.executor,
        decide: (p) => this.decide(p),
        autonomy: options.autonomy,
        dryRun: options.dryRun,
        now: options.now,
        approvals: options.approvals,
        events: this.events,
      },
      options.store.checkpointer,
    );
  }

  /** The latest snapshot (null before the first tick). */
  get lastSnapshot(): Snapshot | null {
    return this.snapshot;
  }

  private async decide(p: Proposal): Promise<DecisionDetail> {
    const snapshot = this.snapshot;
    if (!snapshot) throw new Error("no snapshot yet: the first tick has not observed the world");
    return this.options.policy().decide(p, await policyFacts(p, snapshot, this.options.store, this.spend ?? trackSpend(null, snapshot)));
  }

  private thread(id: string) {
    return { configurable: { thread_id: id } };
  }

  /** Runs one thread until it ends or waits; `resume` answers the interrupt it waits at. */
  private async drive(id: string, input: unknown): Promise<void> {
    const out = await this.graph.invoke(input as never, this.thread(id));
    void isInterrupted(out);
  }

  /**
   * Drops proposals that answer only incidents already answered by a proposal of the same type within
   * `reproposeAfterMs` (default 30 min): a denied, rejected or expired proposal is not made again every
   * tick for the same incident, but is made again once that time has passed.
   */
  private async fresh(proposals: Proposal[], nowMs: number): Promise<Proposal[]> {
    if (proposals.length === 0) return proposals;
    const since = nowMs - (this.options.reproposeAfterMs ?? 1_800_000);
    const answered = new Set<string>();
    for (const r of await this.options.store.proposals.answeredSince(since)) for (const f of r.findingIds) answered.add(`${r.type}|${f}`);
    return proposals.filter((p) => p.findingIds.length === 0 || p.findingIds.some((f) => !answered.has(`${p.type}|${f}`)));
  }

  /**
   * "Why nothing happened", kept once per change: each open finding a planner answered with a skip gets
   * that skip stored (and `proposal.skipped` published) when it is new or its reason changed; a finding
   * that a proposal answers, or that no planner skips any more, has its skip cleared. A tick where nothing
   * changed writes and publishes nothing.
   */
  private async publishSkips(skipped: readonly (Skip & { planner: string })[], offered: readonly Proposal[], findings: readonly Finding[], nowMs: number): Promise<void> {
    const open = new Set(findings.map((f) => f.id));
    const now = new Map<string, { key: string; skip: Skip & { planner: string } }>();
    // the first planner to skip a finding speaks for it
    for (const s of skipped) for (const id of s.findingIds) if (open.has(id) && !now.has(id)) now.set(id, { key: skipKey(s.planner, s), skip: s });
    const answered = new Set(offered.flatMap((p) => p.findingIds));
    const changes: { findingId: string; skip: { planner: string; strategy: Skip["strategy"]; reason: Skip["reason"]; atMs: number } | null }[] = [];
    const news = new Set<Skip & { planner: string }>();
    for (const [id, { key, skip }] of now) {
      if (answered.has(id) || this.skips.get(id) === key) continue;
      this.skips.set(id, key);
      changes.push({ findingId: id, skip: { planner: skip.planner, strategy: skip.strategy, reason: skip.reason, atMs: nowMs } });
      news.add(skip);
    }
    for (const id of [...this.skips.keys()]) {
      if (now.has(id) && !answered.has(id)) continue;
      this.skips.delete(id);
      if (open.has(id)) changes.push({ findingId: id, skip: null });
    }
    if (changes.length > 0) await this.options.store.findings.setSkips(changes);
    for (const s of news) this.events({ type: "proposal.skipped", atMs: nowMs, planner: s.planner, workload: s.workloadId, strategy: s.strategy, reason: s.reason, findings: s.findingIds });
  }

  /** One tick of the loop. Never throws for a tool server's failure: that is in the snapshot's sources. */
  async tick(): Promise<TickReport> {
    const started = performance.now();
    const { store } = this.options;
    const nowMs = this.options.now();
    this.decisionsThisTick = [];

    // observe
    const { snapshot, egress } = await observe(this.options.observePort, this.options.servers, nowMs, { egressCache: this.egressCache, memory: this.observeMemory });
    this.snapshot = snapshot;
    this.spend = trackSpend(this.spend, snapshot);

    // detect
    const detected = detect(snapshot, this.detectorState, this.options.detectorConfig, egress);
    this.detectorState = detected.state;
    const findings = detected.findings;
    const found = await store.unitOfWork(async (tx) => {
      await tx.telemetry.append({
        atMs: nowMs,
        kind: "tick",
        server: null,
        summary: {
          sources: snapshot.sources.map((s) => ({ server: s.server, ok: s.ok, error: s.error, invalid: s.invalid.length })),
          workloads: snapshot.workloads.length,
          instances: snapshot.instances.length,
          findings: findings.length,
        },
      });
      await tx.kv.set("detector-state", this.detectorState, nowMs);
      await tx.kv.set("spend", this.spend, nowMs);
      return tx.findings.replaceOpen(findings, nowMs);
    });
    // a finding is news when it opens (again), not every tick it stays open
    found.outcomes.forEach((outcome, i) => {
      const f = findings[i]!;
      if (outcome === "opened" || outcome === "reopened") this.events({ type: "finding.raised", atMs: nowMs, finding: f.id, kind: f.kind, workload: f.workloadId, severity: f.severity });
      else if (outcome === "severity-changed") this.events({ type: "finding.severity-changed", atMs: nowMs, finding: f.id, kind: f.kind, workload: f.workloadId, severity: f.severity });
    });
    for (const f of found.closed) {
      this.skips.delete(f.id);
      this.events({ type: "finding.cleared", atMs: nowMs, finding: f.id, kind: f.kind, workload: f.workloadId });
    }

    // resume threads waiting on a human's answer (or the clock's) and on the world
    let resumed = 0;
    await this.options.approvals.expireDue();
    // every open thread with work left: answered approvals, executions waiting on the world, and threads
    // a crash interrupted between two nodes (e.g. decided, killed before the execution was recorded)
    const notDue = new Set(await store.executions.notDueProposalIds(nowMs));
    // proposals waiting for an execution slot: only as many as there are free slots get another try
    let freeSlots = this.options.policy().guardrails.maxInFlight - (await store.executions.countInFlight());
    for (const stored of await store.proposals.listByStatus(["decided", "approved", "rejected", "expired", "executing"])) {
      // an execution waiting for the world until a later time has nothing to do this tick
      if (stored.status === "executing" && notDue.has(stored.proposal.id)) continue;
      if (stored.status === "decided" || stored.status === "approved") {
        if (freeSlots <= 0) continue;
        freeSlots--;
      }
      const state = await this.graph.getState(this.thread(stored.proposal.id));
      if (state.next.length === 0) continue;
      const waitingForHuman = state.next.includes("approve") && state.tasks.some((t) => t.interrupts.length > 0);
      if (waitingForHuman && !["approved", "rejected", "expired"].includes(stored.status)) continue;
      let resume: unknown = null;
      if (waitingForHuman) {
        const approval = await store.approvals.get(stored.proposal.id);
        const answer: ApprovalOutcome = { status: stored.status === "approved" ? "approved" : stored.status === "rejected" ? "rejected" : "expired", approver: approval?.approver ?? null };
        resume = new Command({ resume: answer });
      } else {
        resume = state.tasks.some((t) => t.interrupts.length > 0) ? new Command({ resume: { tick: nowMs } }) : null;
      }
      await this.drive(stored.proposal.id, resume);
      resumed++;
    }

    // plan and hand each new proposal to its thread
    const busy = (await store.proposals.listByStatus([...OPEN_STATUSES])).map((p) => p.proposal.workloadId);
    const input = { nowMs, snapshot, findings, egress, busy, config: this.options.plannerConfig };
    const offered: Proposal[] = [];
    const skipped: (Skip & { planner: string })[] = [];
    for (const planner of this.options.planners) {
      const result = await planner.plan(input);
      offered.push(...result.proposals);
      for (const s of result.skipped) skipped.push({ ...s, planner: planner.name });
    }
    const planned = byUrgency(await this.fresh(offered, nowMs), findings);
    const limit = this.options.maxNewProposalsPerTick ?? 0;
    const proposals: Proposal[] = [];
    const deferred: Proposal[] = [];
    let admitted = 0;
    for (const p of planned) {
      if (limit > 0 && admitted >= limit && (await store.proposals.get(p.id)) === null) {
        deferred.push(p);
        continue;
      }
      proposals.push(p);
      if (!(await store.proposals.insert(p))) continue; // already known (same id): its thread runs already
      admitted++;
      this.events({ type: "proposal.made", atMs: nowMs, proposal: p.id, workload: p.workloadId, action: p.type, proposer: p.proposer, findings: p.findingIds });
      await this.drive(p.id, { proposalId: p.id });
    }
    // a fleet in trouble can defer thousands a tick: the log line names the most urgent few
    if (deferred.length > 0) this.events({ type: "proposals.deferred", atMs: nowMs, count: deferred.length, limit, proposals: deferred.slice(0, DEFERRED_NAMED).map((p) => p.id) });
    await this.publishSkips(skipped, offered, findings, nowMs);
    // threads started in earlier ticks that never ran (a crash between insert and first run)
    for (const stored of await store.proposals.listByStatus(["proposed"])) {
      if (proposals.some((p) => p.id === stored.proposal.id)) continue;
      await this.drive(stored.proposal.id, { proposalId: stored.proposal.id });
    }

    return {
      atMs: nowMs,
      sources: snapshot.sources.map((s) => ({ server: s.server, ok: s.ok, error: s.error })),
      findings,
      proposals,
      deferred,
      decisions: this.decisionsThisTick,
      resumed,
      wallMs: performance.now() - started,
    };
  }
}

/** A skip as one comparable string: what changes when the reason for "nothing happened" changes. */
function skipKey(planner: string, s: { strategy: string; reason: string }): string {
  return `${planner}\u0000${s.strategy}\u0000${s.reason}`;
}

/** How many deferred proposals the `proposals.deferred` event names (it counts them all). */
const DEFERRED_NAMED = 20;

const SEVERITY_RANK: Record<Finding["severity"], number> = { critical: 0, warning: 1, info: 2 };

/**
 * Proposals most urgent first: by the gravest finding each answers (critical, warning, info; none last),
 * then in the planner's order. Stable, so the same plan gives the same order.
 */
export function byUrgency(proposals: Proposal[], findings: readonly Finding[]): Proposal[] {
  if (proposals.length < 2) return proposals;
  const severity = new Map(findings.map((f) => [f.id, SEVERITY_RANK[f.severity]]));
  const rank = (p: Proposal): number => p.findingIds.reduce((best, id) => Math.min(best, severity.get(id) ?? 3), 3);
  return proposals
    .map((p, index) => ({ p, index, rank: rank(p) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.p);
}
