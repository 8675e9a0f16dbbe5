import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import pino from "pino";
import { loadWorldData } from "../../src/data/load.js";
import { WorldSpecSchema, type WorldData, type WorldSpec } from "../../src/domain/index.js";
import { ConfigSchema } from "../../src/server/config.js";
import { DAEMON_NODE_FLAGS } from "../../src/server/node-flags.js";
import { Daemon } from "../../src/server/daemon.js";
import { DEFAULT_START_MS, World, generateFleet, generateIncidents, type FleetProfile } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/host.js";
import { createSimServer } from "../../tools/sim/server.js";

/**
 * The control loop's cost: a real daemon (store on disk, policies, hub over MCP in-memory, built-in
 * planner, executor, graph) on a simulated fleet of N workloads, ticking once a simulated minute.
 * Tick latency is the wall time of `tickOnce` (observe → detect → plan → check → execute), which here also
 * includes the simulator's own work: moving its world a minute and answering the tool calls.
 */
/** A daemon (state in a temp folder, no HTTP) on a simulated world; `close` removes everything. */
async function benchDaemon(spec: WorldSpec, data?: WorldData, maxNewProposalsPerTick?: number): Promise<{ daemon: Daemon; close(): Promise<void> }> {
  const state = mkdtempSync(join(tmpdir(), "skyops-bench-loop-"));
  const host = new SimHost({ spec, data, speed: 0 });
  const daemon = await Daemon.start({
    config: ConfigSchema.parse({ state, policies: "policies", ...(maxNewProposalsPerTick === undefined ? {} : { maxNewProposalsPerTick }) }),
    logger: pino({ level: "silent" }),
    inMemory: { sim: async () => connect(host) },
    clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
    http: false,
    warmup: 2_000,
  });
  return {
    daemon,
    close: async () => {
      await daemon.close();
      host.close();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** What one fleet size measured. */
export interface FleetRun {
  /** Ticks after the warm-up. */
  tickMsP50: number;
  tickMsP99: number;
  /** The first tick (cold caches; it answers whatever the world started with), and the slowest warm-up tick after it. */
  firstTickMs: number;
  warmupTickMsMax: number;
  /** The process's resident high-water mark (the kernel's maxRSS, and RSS after each tick): from start-up, loading the prices and building the world included. */
  peakRssMb: number;
  /** Findings (open) and new proposals per measured tick: median and most, and proposals of the first tick. */
  findingsPerTick: number;
  proposalsPerTick: number;
  proposalsPerTickMax: number;
  firstTickProposals: number;
  /** The most proposals one measured tick left for a later one (over `maxNewProposalsPerTick`). */
  deferredPerTickMax: number;
  /** Median wall time of the idle-time housekeeping between two ticks (null with `--no-idle`). */
  idleMsP50: number | null;
}

/**
 * Ticks run before the measured ones: the daemon's code is compiled by V8 as it runs, and the first ticks of a
 * process run much of it unoptimized (twice as slow here). A daemon runs for days; the warm-up is reported
 * apart (first tick, slowest warm-up tick), not hidden.
 */
export const WARMUP_TICKS = 8;

/**
 * The world a fleet size runs: `realistic` (the default) is a mostly healthy fleet with about one incident
 * per 2,000 workloads a simulated minute (spot preemptions, traffic surges, drift) on top of the spot
 * capacity and price changes the traces replay; `stress` is the random fleet of the first measurements,
 * where ~30% of workloads start in trouble (see `generateFleet`).
 */
export function benchWorld(n: number, minutes: number, profile: FleetProfile, data: WorldData): WorldSpec {
  const base = { seed: 11, startMs: DEFAULT_START_MS };
  if (profile === "stress") return WorldSpecSchema.parse({ ...base, workloads: generateFleet(n, data.offers, 11), events: [] });
  // spot only where the traces have capacity when the world starts: ask an empty world of the same start
  const quotes = new World(data, WorldSpecSchema.parse({ ...base, workloads: [], events: [] }), { logEvents: false }).listOffers();
  const workloads = generateFleet(n, quotes, 11, { profile: "realistic" });
  return WorldSpecSchema.parse({ ...base, workloads, events: generateIncidents(workloads, 11, { minutes: minutes + 2, perMinute: n / 2_000 }) });
}

/**
 * `idle`: between ticks, run the daemon's idle-time housekeeping (`Daemon.idle`, a full garbage collection),
 * as `run()` does when the next tick is at least `idleGcAfterMs` away — a daemon ticking once a minute is
 * idle ~99% of the time. Its time is reported apart (`idleMsP50`), not in the tick. Without it, ticks run
 * back to back with no idle time at all, which no deployed daemon does (`--no-idle` measures that).
 */
export async function fleetRun(n: number, ticks: number, profile: FleetProfile = "realistic", warmup = WARMUP_TICKS, idle = true, maxNewProposalsPerTick?: number): Promise<FleetRun> {
  const data = loadWorldData();
  const spec = benchWorld(n, warmup + ticks, profile, data);
  const { daemon, close } = await benchDaemon(spec, data, maxNewProposalsPerTick);
  const times: number[] = [];
  const findings: number[] = [];
  const proposals: number[] = [];
  const deferred: number[] = [];
  const idles: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let i = 0; i < warmup + ticks; i++) {
    const t = performance.now();
    const report = await daemon.tickOnce();
    times.push(performance.now() - t);
    findings.push(report.findings.length);
    proposals.push(report.proposals.length);
    deferred.push(report.deferred.length);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (idle) idles.push(daemon.idle());
  }
  await close();
  // the kernel's high-water mark as well as the samples: a peak inside a tick counts too
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  const measured = times.slice(warmup).sort((a, b) => a - b);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return {
    tickMsP50: measured[Math.floor(measured.length / 2)]!,
    tickMsP99: measured[Math.min(measured.length - 1, Math.floor(measured.length * 0.99))]!,
    firstTickMs: times[0]!,
    warmupTickMsMax: Math.max(0, ...times.slice(1, warmup)),
    peakRssMb: peak / 1048576,
    findingsPerTick: median(findings.slice(warmup)),
    proposalsPerTick: median(proposals.slice(warmup)),
    proposalsPerTickMax: Math.max(0, ...proposals.slice(warmup)),
    firstTickProposals: proposals[0] ?? 0,
    deferredPerTickMax: Math.max(0, ...deferred.slice(warmup)),
    idleMsP50: idle ? median(idles.slice(warmup)) : null,
  };
}

async function connect(host: SimHost) {
  const [client, server] = InMemoryTransport.createLinkedPair();
  await createSimServer(host.context()).connect(server);
  return client;
}

/**
 * Finding to executed, in auto mode: a serving workload's region goes down; how long from the start of
 * the tick that observes it until its failover has executed (same tick when nothing waits on the world).
 */
async function findingToExecuted(): Promise<{ ms: number; ticks: number }> {
  const spec = WorldSpecSchema.parse({
    seed: 3,
    startMs: DEFAULT_START_MS,
    workloads: [{ id: "chat", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800, residency: ["us"], tier: "prod" }],
    events: [{ at: "3m", outage: { cloud: "gcp", region: "us-central1", for: "2h" } }],
  });
  const { daemon, close } = await benchDaemon(spec);
  let startedAt: number | null = null;
  let ticks = 0;
  let ms = Number.NaN;
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const report = await daemon.tickOnce();
    if (startedAt === null && report.findings.some((f) => f.workloadId === "chat")) startedAt = t;
    if (startedAt !== null) ticks++;
    const done = (await daemon.store.executions.countByState("failover")).succeeded ?? 0;
    if (startedAt !== null && done > 0) {
      ms = performance.now() - startedAt;
      break;
    }
  }
  await close();
  return { ms, ticks };
}

/**
 * How the fleet runs start: the code as the daemon ships, compiled to JavaScript and run by node with the
 * daemon's launch flags (as the `skyops` command and `npm start` run it), not through the TypeScript
 * loader, whose thread and caches add ~60 MB to RSS.
 * Compiled from this checkout into evals/out/bench-js each time; if that fails, through tsx, and said so.
 */
function childCommand(): { args: string[]; runner: string } {
  const out = join("evals", "out", "bench-js");
  const child = join(out, "evals", "bench", "loop-child.js");
  const started = Date.now();
  mkdirSync(out, { recursive: true });
  const root = "../../..";
  const config = {
    extends: `${root}/tsconfig.json`,
    compilerOptions: { noEmit: false, outDir: ".", rootDir: root, sourceMap: false },
    include: [`${root}/src`, `${root}/tools`, `${root}/evals/bench/loop.ts`, `${root}/evals/bench/loop-child.ts`],
    exclude: [`${root}/**/*.test.ts`],
  };
  writeFileSync(join(out, "tsconfig.json"), JSON.stringify(config, null, 2));
  // type errors elsewhere in a work in progress still emit: what matters is that this run's files are fresh
  spawnSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", join(out, "tsconfig.json")], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (existsSync(child) && statSync(child).mtimeMs >= started - 1_000) return { args: [child], runner: "node (compiled)" };
  return { args: ["--import", "tsx", "evals/bench/loop-child.ts"], runner: "tsx (compiling failed: RSS includes the loader)" };
}

/** Runs one fleet size in a child process (its own heap and RSS). */
type FleetResult = FleetRun | { error: string };

function inProcess(child: string[], n: number, ticks: number, profile: FleetProfile, idle: boolean, nodeFlags: readonly string[], maxNewProposalsPerTick: number | undefined): FleetResult {
  const r = spawnSync(process.execPath, [...nodeFlags, ...child, String(n), String(ticks), profile, idle ? "idle" : "no-idle", String(maxNewProposalsPerTick ?? "")], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.status !== 0 || !line.startsWith("{")) {
    // reported, not hidden: a run that crashes is a finding of the benchmark
    const fatal = /Fatal error[^\n]*\n#\s*([^\n]+)/.exec(r.stderr)?.[1];
    return { error: `the ${n}-workload run died (status ${r.status}, signal ${r.signal})${fatal ? `: V8 fatal error "${fatal.trim()}"` : ""}` };
  }
  return JSON.parse(line) as FleetResult;
}

/**
 * `plainNode`: run the fleets under node without the daemon's launch flags (DAEMON_NODE_FLAGS), to see
 * what they buy. `maxNewProposalsPerTick`: the daemon's option of that name (its default when undefined;
 * 0 lets a burst start every proposal in one tick).
 */
export async function benchLoop(sizes: number[] = [1_000, 10_000], ticks = 12, profile: FleetProfile = "realistic", idle = true, plainNode = false, maxNewProposalsPerTick?: number): Promise<Record<string, unknown>> {
  const perFleet: Record<string, Omit<FleetRun, "peakRssMb"> | { error: string }> = {};
  const peakRssMb: Record<string, number> = {};
  const { args, runner } = childCommand();
  for (const n of sizes) {
    const r = inProcess(args, n, ticks, profile, idle, plainNode ? [] : DAEMON_NODE_FLAGS, maxNewProposalsPerTick);
    if ("error" in r) perFleet[String(n)] = r;
    else {
      const { peakRssMb: rss, ...rest } = r;
      perFleet[String(n)] = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, typeof v === "number" && (k.endsWith("Ms") || k.endsWith("P50") || k.endsWith("P99")) ? Math.round(v) : v])) as Omit<FleetRun, "peakRssMb">;
      peakRssMb[String(n)] = Math.round(rss);
    }
  }
  const f2e = await findingToExecuted();
  return { fleet: profile, ticks, warmupTicks: WARMUP_TICKS, idleBetweenTicks: idle, maxNewProposalsPerTick: maxNewProposalsPerTick ?? "default", runner, nodeFlags: plainNode ? [] : [...DAEMON_NODE_FLAGS], fleets: perFleet, peakRssMb, findingToExecutedMs: Math.round(f2e.ms), findingToExecutedTicks: f2e.ticks };
}
