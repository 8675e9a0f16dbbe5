import { describe, expect, it } from "vitest";
import { runCostBench, defaultCostOptions } from "../../evals/bench/cost.js";
import { act, initialState, observe, OFF, placementCount, isSpot, zoneOf, available, simulate, replay, spotPlacement, type Job, type RunState } from "../../evals/bench/cost/model.js";
import { optimum } from "../../evals/bench/cost/optimum.js";
import { greedyPolicy, onDemandPolicy, skyopsPolicy, STRATEGIES, uniformProgressPolicy } from "../../evals/bench/cost/strategies.js";
import { policyFor } from "../../evals/bench/cost/training.js";
import type { World } from "../../evals/bench/cost/world.js";
import { syntheticWorld } from "../support/synthetic-world.js";
import { plannerConfig } from "../../src/planner/config.js";

const world = syntheticWorld;

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random 2-region world of 2 or 3 zones whose spot comes and goes in runs. */
function randomWorld(seed: number, steps: number): World {
  const r = rng(seed);
  const nz = 2 + Math.floor(r() * 2);
  const zones = Array.from({ length: nz }, (_, i) => {
    let s = "";
    let up = r() < 0.6;
    while (s.length < steps) {
      const run = 1 + Math.floor(r() * 8);
      s += (up ? "1" : "0").repeat(run);
      up = !up;
    }
    return { name: `z${i}`, region: i % 2, avail: s.slice(0, steps), price: 0.2 + r() * 0.8 };
  });
  return world({ regions: [{ name: "r0", od: 3 }, { name: "r1", od: 3.2 }], zones, egressUsd: 0.3 + r() });
}

const config = plannerConfig();
const options = { config, checkpointGb: 50, waitForSpot: true };

/** Least cost of finishing within `deadline` steps over every action sequence, by exhaustive search. */
function bruteForce(w: World, job: Job): number {
  let best = Infinity;
  const go = (s: RunState) => {
    if (s.finishedAt !== null) {
      if (s.finishedAt <= job.deadline) best = Math.min(best, s.costUsd);
      return;
    }
    if (s.t >= job.deadline || s.costUsd >= best) return;
    const base = { ...s };
    observe(w, job, base);
    for (let a = OFF; a < placementCount(w); a++) {
      if (a >= 0 && isSpot(w, a) && !available(w, zoneOf(w, a), job.start + base.t)) continue;
      const next = { ...base };
      act(w, job, next, a);
      go(next);
    }
  };
  go(initialState());
  return best;
}

describe("cost benchmark: hindsight optimum", () => {
  it("equals a brute-force enumeration of every schedule on tiny traces", () => {
    const cases: [World, Job][] = [
      [
        world({ regions: [{ name: "a", od: 3 }, { name: "b", od: 3 }], zones: [{ name: "a1", region: 0, avail: "1101100", price: 0.5 }, { name: "b1", region: 1, avail: "0111011", price: 0.3 }], egressUsd: 0.05 }),
        { start: 0, work: 3, deadline: 7, restart: 1, checkpointEvery: 2, home: 0 },
      ],
      [
        world({ regions: [{ name: "a", od: 2 }, { name: "b", od: 3 }], zones: [{ name: "a1", region: 0, avail: "0110111", price: 0.4 }, { name: "b1", region: 1, avail: "1100110", price: 0.1 }], egressUsd: 0.02 }),
        { start: 0, work: 3, deadline: 6, restart: 1, checkpointEvery: 0, home: 1 },
      ],
      [
        world({ regions: [{ name: "a", od: 3 }], zones: [{ name: "a1", region: 0, avail: "10110101", price: 0.5 }, { name: "a2", region: 0, avail: "01101101", price: 0.7 }] }),
        { start: 1, work: 3, deadline: 6, restart: 0, checkpointEvery: 2, home: 0 },
      ],
    ];
    for (let seed = 1; seed <= 12; seed++) {
      const w = randomWorld(seed, 9);
      cases.push([w, { start: seed % 2, work: 3 + (seed % 2), deadline: 7, restart: 1, checkpointEvery: 2 + (seed % 2), home: 0 }]);
    }
    for (const [w, job] of cases) {
      const opt = optimum(w, job, job.deadline);
      const exhaustive = bruteForce(w, job);
      expect(Number.isFinite(exhaustive)).toBe(true);
      expect(opt.byDeadline[job.deadline]).toBeCloseTo(exhaustive, 9);
    }
  });

  it("is never beaten by any strategy on small random traces, at the time each one finished", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const w = randomWorld(seed, 120);
      const r = rng(seed * 7);
      const work = 15 + Math.floor(r() * 15);
      const job: Job = { start: Math.floor(r() * 10), work, deadline: Math.round(work * (1.1 + r() * 0.6)), restart: 1 + Math.floor(r() * 2), checkpointEvery: Math.floor(r() * 4), home: Math.floor(r() * w.zones.length) };
      const horizon = job.deadline + 2 * job.work + 100;
      const opt = optimum(w, job, horizon);
      for (const name of STRATEGIES) {
        const result = simulate(w, job, policyFor(name, w, job, options));
        expect(result.finishedAt).toBeLessThanOrEqual(horizon);
        expect(result.costUsd).toBeGreaterThanOrEqual(opt.byDeadline[result.finishedAt]! - 1e-9);
      }
    }
  });

  it("gives actions that replay through the cost model at exactly the optimal cost", () => {
    for (let seed = 100; seed < 110; seed++) {
      const w = randomWorld(seed, 80);
      const job: Job = { start: 0, work: 20, deadline: 30, restart: 2, checkpointEvery: seed % 3, home: 0 };
      const opt = optimum(w, job, job.deadline, { path: true });
      const best = opt.byDeadline[job.deadline]!;
      if (best === Infinity) continue;
      const s = replay(w, job, opt.actions!(job.deadline));
      expect(s.finishedAt).not.toBeNull();
      expect(s.finishedAt!).toBeLessThanOrEqual(job.deadline);
      expect(s.costUsd).toBeCloseTo(best, 9);
    }
  });
});

describe("cost benchmark: strategies", () => {
  it("greedy costs exactly what on demand does when the trace never has spot", () => {
    const w = world({ regions: [{ name: "a", od: 3 }], zones: [{ name: "a1", region: 0, avail: "0".repeat(200), price: 0.5 }] });
    const job: Job = { start: 0, work: 50, deadline: 60, restart: 2, checkpointEvery: 5, home: 0 };
    const greedy = simulate(w, job, greedyPolicy(w, job));
    const od = simulate(w, job, onDemandPolicy(w, job));
    expect(greedy.costUsd).toBe(od.costUsd);
    expect(greedy.finishedAt).toBe(od.finishedAt);
    expect(od.costUsd).toBeCloseTo(3 * 0.1 * (50 + 2), 9);
  });

  it("uniform progress never misses a deadline that on demand alone could make (checkpoint on the notice, the paper's model)", () => {
    let runs = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const w = randomWorld(seed, 200);
      const r = rng(seed * 13);
      const work = 20 + Math.floor(r() * 40);
      const restart = 1 + Math.floor(r() * 3);
      // from no slack at all to 60%: on demand alone needs work + restart steps
      const deadline = work + restart + Math.floor(r() * work * 0.6);
      const job: Job = { start: Math.floor(r() * 20), work, deadline, restart, checkpointEvery: 0, home: Math.floor(r() * w.zones.length) };
      expect(simulate(w, job, onDemandPolicy(w, job)).met).toBe(true);
      expect(simulate(w, job, uniformProgressPolicy(w, job)).met).toBe(true);
      runs++;
    }
    expect(runs).toBe(150);
  });

  it("skyops moves to another zone when its own zone's spot goes away and another has it", () => {
    // z0 is cheaper and up for 5 steps; z1 (another region) is up throughout
    const w = world({
      regions: [{ name: "east", od: 3 }, { name: "west", od: 3 }],
      zones: [{ name: "z0", region: 0, avail: "11111" + "0".repeat(95), price: 0.3 }, { name: "z1", region: 1, avail: "1".repeat(100), price: 0.5 }],
      egressUsd: 1,
    });
    const job: Job = { start: 0, work: 40, deadline: 60, restart: 1, checkpointEvery: 0, home: 0 };
    const policy = skyopsPolicy(w, job, options);
    const actions: number[] = [];
    const result = simulate(w, job, { decide: (s) => (actions.push(policy.decide(s)), actions[actions.length - 1]!) });
    expect(actions.slice(0, 5)).toEqual(Array(5).fill(spotPlacement(w, 0)));
    expect(actions[5]).toBe(spotPlacement(w, 1));
    expect(result.met).toBe(true);
    expect(result.egressUsd).toBe(1);
    // greedy and uniform progress stay in their zone: on demand or waiting
    const greedyActions: number[] = [];
    const g = greedyPolicy(w, job);
    simulate(w, job, { decide: (s) => (greedyActions.push(g.decide(s)), greedyActions[greedyActions.length - 1]!) });
    expect(greedyActions[5]).toBe(0);
  });

  it("skyops waits for spot while the deadline rule allows it, and runs on demand once it does not", () => {
    const w = world({ regions: [{ name: "a", od: 3 }], zones: [{ name: "a1", region: 0, avail: "0".repeat(300), price: 0.5 }] });
    const job: Job = { start: 0, work: 40, deadline: 80, restart: 1, checkpointEvery: 0, home: 0 };
    const actions: number[] = [];
    const p = skyopsPolicy(w, job, options);
    const result = simulate(w, job, { decide: (s) => (actions.push(p.decide(s)), actions[actions.length - 1]!) });
    expect(actions[0]).toBe(OFF);
    expect(actions.at(-1)).toBe(0);
    expect(result.met).toBe(true);
  });
});

describe("cost benchmark: output", () => {
  it("reports one JSON row per strategy, trace family and slack, with the fields, and the same numbers each run", () => {
    const small = { ...defaultCostOptions(), stepHours: 0.2, workHours: 6, slacks: [0.25, 0.5], maxOffsets: 1, chartPath: null };
    const a = runCostBench(small);
    const families = new Set(a.rows.map((r) => r.traceFamily));
    expect(families.size).toBeGreaterThanOrEqual(5);
    expect(a.rows).toHaveLength(families.size * 2 * (STRATEGIES.length + 1));
    for (const row of a.rows) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(["strategy", "traceFamily", "slack", "costVsOptimum", "deadlineMisses", "runs"]));
      if (row.deadlineMisses === 0) expect(row.costVsOptimum).toBeGreaterThanOrEqual(1 - 1e-9);
      expect(row.runs).toBeGreaterThan(0);
    }
    for (const row of a.rows.filter((r) => r.strategy === "optimum")) expect(row.costVsOptimum).toBe(1);
    expect(a.inference.length).toBeGreaterThan(0);
    for (const x of a.inference) {
      expect(x.availability).toBeGreaterThan(0);
      expect(x.availability).toBeLessThanOrEqual(1);
    }
    expect(JSON.stringify(runCostBench(small))).toBe(JSON.stringify(a));
  });
});
