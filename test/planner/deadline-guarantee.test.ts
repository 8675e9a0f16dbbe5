import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { onDemandPolicy, skyopsPolicy } from "../../evals/bench/cost/strategies.js";
import { simulate, type Job } from "../../evals/bench/cost/model.js";
import type { World } from "../../evals/bench/cost/world.js";
import { plannerConfig } from "../../src/planner/config.js";

/*
 * The deadline guarantee of the planner's spot rule (uniform-progress.ts, through chooseZoneMove), under
 * the cost benchmark's model (evals/bench/cost/model.ts): a preemption loses the progress since the last
 * checkpoint, every start pays a warm-up, the rule is re-checked every step. On any availability trace,
 * a job that on demand from the start would finish in time also finishes in time under the rule.
 */

const STEP_HOURS = 0.1;

function worldOf(zones: { avail: boolean[]; region: number; price: number }[], onDemand: number[]): World {
  const steps = Math.min(...zones.map((z) => z.avail.length));
  return {
    id: "random",
    kind: "availability",
    nodes: 1,
    instanceType: "test",
    stepHours: STEP_HOURS,
    steps,
    startMs: 0,
    zones: zones.map((z, i) => ({
      name: `z${i}`,
      traceId: `z${i}`,
      region: z.region,
      avail: Uint8Array.from(z.avail.slice(0, steps).map((a) => (a ? 1 : 0))),
      spotUsdPerHour: new Float64Array(steps).fill(z.price),
    })),
    regions: onDemand.map((od, i) => ({ cloud: "aws" as const, name: `r${i}`, onDemandUsdPerHour: od })),
    egressUsd: onDemand.map((_, i) => onDemand.map((_, j) => (i === j ? 0 : 1))),
    priceBasis: "random",
  };
}

/** Spot that comes and goes in runs of 1–12 steps (or flips every step), 240 steps. */
const trace = fc
  .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 12 })), { minLength: 20, maxLength: 240 })
  .map((runs) => runs.flatMap(([up, n]) => Array<boolean>(n).fill(up)))
  .filter((a) => a.length >= 240)
  .map((a) => a.slice(0, 240));

const scenario = fc.record({
  zones: fc.array(fc.record({ avail: trace, region: fc.integer({ min: 0, max: 1 }), price: fc.double({ min: 0.1, max: 2.9, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
  work: fc.integer({ min: 10, max: 90 }),
  restart: fc.integer({ min: 0, max: 4 }),
  checkpointEvery: fc.integer({ min: 0, max: 10 }),
  // deadline = work + restart (no slack at all) + extra
  extra: fc.integer({ min: 0, max: 60 }),
  start: fc.integer({ min: 0, max: 20 }),
  waitSlackShare: fc.constantFrom(0, 0.1, 0.5),
  stickyOnDemand: fc.boolean(),
});

describe("deadline guarantee of the spot rule", () => {
  it("never misses a deadline that on demand from the start could make, on random availability traces", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const world = worldOf(s.zones, [3, 3.2]);
        const job: Job = { start: s.start, work: s.work, deadline: s.work + s.restart + s.extra, restart: s.restart, checkpointEvery: s.checkpointEvery, home: 0 };
        expect(simulate(world, job, onDemandPolicy(world, job)).met).toBe(true);
        // the daemon is told the job's checkpoint interval: the worst progress one preemption loses
        const config = plannerConfig({ checkpointIntervalHours: s.checkpointEvery * STEP_HOURS, waitSlackShare: s.waitSlackShare, stickyOnDemand: s.stickyOnDemand });
        const result = simulate(world, job, skyopsPolicy(world, job, { config, checkpointGb: 50, waitForSpot: true }));
        expect(result.met).toBe(true);
      }),
      { numRuns: 400, seed: 20261129 },
    );
  });
});
