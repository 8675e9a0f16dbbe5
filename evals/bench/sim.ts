import { loadWorldData } from "../../src/data/load.js";
import { WorldSpecSchema } from "../../src/domain/index.js";
import { DEFAULT_START_MS, World, generateFleet } from "../../src/sim/index.js";

export interface SimBenchResult {
  workloads: number;
  simHours: number;
  tickMs: number;
  wallSeconds: number;
  simHoursPerWallSecond: number;
  buildSeconds: number;
  costUsd: number;
  events: number;
  peakRssMb: number;
}

/**
 * Simulates `workloads` workloads for `simHours` at `tickMs` ticks (the loop calls `advanceBy(tick)` once
 * per tick, as the daemon does) and measures wall time. Building the world is timed apart.
 */
export function benchSim(options: { workloads?: number; simHours?: number; tickMs?: number; seed?: number } = {}): SimBenchResult {
  const workloads = options.workloads ?? 10_000;
  const simHours = options.simHours ?? 24;
  const tickMs = options.tickMs ?? 60_000;
  const seed = options.seed ?? 7;
  const data = loadWorldData();
  const t0 = performance.now();
  const spec = WorldSpecSchema.parse({ seed, startMs: DEFAULT_START_MS, workloads: generateFleet(workloads, data.offers, seed), events: [] });
  const world = new World(data, spec);
  const t1 = performance.now();
  let peak = process.memoryUsage().rss;
  const ticks = Math.round((simHours * 3_600_000) / tickMs);
  for (let i = 0; i < ticks; i++) {
    world.advanceBy(tickMs);
    if (i % 60 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const t2 = performance.now();
  const wallSeconds = (t2 - t1) / 1000;
  return {
    workloads,
    simHours,
    tickMs,
    wallSeconds,
    simHoursPerWallSecond: simHours / wallSeconds,
    buildSeconds: (t1 - t0) / 1000,
    costUsd: world.totals().costUsd,
    events: world.eventCount(),
    peakRssMb: Math.max(peak, process.memoryUsage().rss) / 1048576,
  };
}
