import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import pino from "pino";
import { loadWorldData } from "../../src/data/load.js";
import { WorldSpecSchema } from "../../src/domain/index.js";
import { ConfigSchema } from "../../src/server/config.js";
import { Daemon } from "../../src/server/daemon.js";
import { DEFAULT_START_MS, generateFleet } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/host.js";
import { createSimServer } from "../../tools/sim/server.js";

/**
 * The control loop's cost: a real daemon (store on disk, policies, hub over MCP in-memory, built-in
 * planner, executor, graph) on a simulated fleet of N workloads, ticking once a simulated minute.
 * Tick latency is the wall time of `tickOnce` (observe → detect → plan → check → execute).
 */
async function fleetRun(n: number, ticks: number): Promise<{ tickMsP50: number; tickMsP99: number; peakRssMb: number }> {
  const state = mkdtempSync(join(tmpdir(), "skyops-bench-loop-"));
  const data = loadWorldData();
  const spec = WorldSpecSchema.parse({ seed: 11, startMs: DEFAULT_START_MS, workloads: generateFleet(n, data.offers, 11), events: [] });
  const host = new SimHost({ spec, data, speed: 0 });
  const daemon = await Daemon.start({
    config: ConfigSchema.parse({ state, policies: "policies" }),
    logger: pino({ level: "silent" }),
    inMemory: { sim: async () => connect(host) },
    clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
    http: false,
    warmup: 2_000,
  });
  const times: number[] = [];
  let peak = process.memoryUsage().rss;
  for (let i = 0; i < ticks; i++) {
    const t = performance.now();
    await daemon.tickOnce();
    times.push(performance.now() - t);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  await daemon.close();
  host.close();
  rmSync(state, { recursive: true, force: true });
  const sorted = times.slice(1).sort((a, b) => a - b); // the first tick also fills caches (egress)
  return { tickMsP50: sorted[Math.floor(sorted.length / 2)]!, tickMsP99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!, peakRssMb: peak / 1048576 };
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
  const state = mkdtempSync(join(tmpdir(), "skyops-bench-f2e-"));
  const spec = WorldSpecSchema.parse({
    seed: 3,
    startMs: DEFAULT_START_MS,
    workloads: [{ id: "chat", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800, residency: ["us"], tier: "prod" }],
    events: [{ at: "3m", outage: { cloud: "gcp", region: "us-central1", for: "2h" } }],
  });
  const host = new SimHost({ spec, speed: 0 });
  const daemon = await Daemon.start({
    config: ConfigSchema.parse({ state, policies: "policies" }),
    logger: pino({ level: "silent" }),
    inMemory: { sim: async () => connect(host) },
    clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
    http: false,
    warmup: 2_000,
  });
  let startedAt: number | null = null;
  let ticks = 0;
  let ms = Number.NaN;
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const report = await daemon.tickOnce();
    if (startedAt === null && report.findings.some((f) => f.workloadId === "chat")) startedAt = t;
    if (startedAt !== null) ticks++;
    const done = daemon.store.db.prepare("SELECT count(*) AS n FROM executions WHERE type = 'failover' AND state = 'succeeded'").get() as { n: number };
    if (startedAt !== null && done.n > 0) {
      ms = performance.now() - startedAt;
      break;
    }
  }
  await daemon.close();
  host.close();
  rmSync(state, { recursive: true, force: true });
  return { ms, ticks };
}

export async function benchLoop(sizes: number[] = [1_000, 10_000], ticks = 12): Promise<Record<string, unknown>> {
  const perFleet: Record<string, { tickMsP50: number; tickMsP99: number }> = {};
  let peakRssMb = 0;
  for (const n of sizes) {
    const r = await fleetRun(n, ticks);
    perFleet[String(n)] = { tickMsP50: Math.round(r.tickMsP50), tickMsP99: Math.round(r.tickMsP99) };
    if (n === Math.max(...sizes)) peakRssMb = Math.round(r.peakRssMb);
  }
  const f2e = await findingToExecuted();
  return { fleets: perFleet, findingToExecutedMs: Math.round(f2e.ms), findingToExecutedTicks: f2e.ticks, peakRssMb };
}
