import { describe, expect, it } from "vitest";
import { WorldSpecSchema, type Finding } from "../../src/domain/index.js";
import { plan, type PlannerInput } from "../../src/planner/index.js";
import { DEFAULT_START_MS, generateFleet, World } from "../../src/sim/index.js";
import { data, finding, H, input, snapshotOf } from "./helpers.js";

/**
 * Median CPU time of `plan` over repeated calls (after warm-up). CPU time, not wall time: the suite runs
 * test files in parallel on few cores, and wall time then measures the neighbours.
 */
function measure(tick: PlannerInput, runs = 15): { proposals: number; cpuMs: number; wallMs: number } {
  const proposals = plan(tick).length;
  for (let i = 0; i < 3; i++) plan(tick);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    plan(tick);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { proposals, cpuMs: median(cpu), wallMs: median(wall) };
}

describe("plan at fleet scale", () => {
  const fleet = generateFleet(10_000, data.offers, 7);
  const w = new World(data, WorldSpecSchema.parse({ seed: 7, startMs: DEFAULT_START_MS, workloads: fleet, events: [] }), { logEvents: false });
  w.advanceBy(H);
  const snapshot = snapshotOf(w);
  const training = snapshot.workloads.filter((x) => x.kind === "training" && x.state === "running");
  const spot = training.filter((x) => x.deployments[0]?.spot === true);
  const serving = snapshot.workloads.filter((x) => x.kind === "inference");
  const findings: Finding[] = [
    ...training.slice(0, 30).map((x) => finding("price-surge", x.id)),
    ...spot.slice(0, 20).map((x) => finding("preemption-notice", x.id)),
    ...spot.slice(20, 30).map((x) => finding("deadline-at-risk", x.id)),
    ...serving.slice(0, 25).map((x) => finding("slo-breach", x.id)),
    ...serving.slice(25, 40).map((x) => finding("drift", x.id)),
  ];

  it("plans a 10,000-workload snapshot with 100 findings within 50 ms", () => {
    expect(findings).toHaveLength(100);
    const m = measure(input(w, findings));
    console.log(`plan(): ${snapshot.workloads.length} workloads, ${snapshot.offers.length} offers, ${findings.length} findings → ${m.proposals} proposals; median CPU ${m.cpuMs.toFixed(1)} ms, median wall ${m.wallMs.toFixed(1)} ms`);
    expect(m.proposals).toBeGreaterThan(50);
    expect(m.cpuMs).toBeLessThanOrEqual(50);
  });

  it("stays within a few times that when a region outage reaches every workload deployed there", () => {
    const outage = serving[100]!.deployments[0]!.location;
    const all = [...findings, finding("region-unhealthy", null, { location: outage })];
    const m = measure(input(w, all));
    console.log(`plan(): ${all.length} findings, one of them a region outage at ${outage} → ${m.proposals} proposals; median CPU ${m.cpuMs.toFixed(1)} ms, median wall ${m.wallMs.toFixed(1)} ms`);
    expect(m.proposals).toBeGreaterThan(300);
    expect(m.cpuMs).toBeLessThanOrEqual(150);
  });
});
