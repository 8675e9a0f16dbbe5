import { describe, expect, it } from "vitest";
import type { Instance, WorldSpecInput } from "../../src/domain/index.js";
import { World } from "../../src/sim/index.js";
import { JournaledWorld, replayJournal, type JournalEntry, type WorldOps } from "../../tools/sim/journaled-world.js";
import { WorldListings } from "../../tools/sim/world-listings.js";
import { H, M, data, world } from "./helpers.js";

/*
 * The world accrues cost lazily (per-offer price integrals, read off when asked) and keeps serving replica
 * counts and routing up to date where they change, not every interval. These tests hold it to brute force:
 * costs summed segment by segment from the price history, counts and service levels recounted from the
 * instances at every step.
 */

const S = 1_000;

/** An instance's cost from its offer's price history: Σ price × duration over its life, segment by segment. */
function bruteCost(w: World, inst: Instance): number {
  const until = inst.endedAtMs ?? w.nowMs;
  const { points, truncated } = w.getPriceHistory({ offerId: inst.offerId, spot: inst.spot, sinceMs: inst.launchedAtMs, untilMs: until });
  expect(truncated).toBe(false);
  let usd = 0;
  points.forEach((p, i) => {
    usd += (p.usdPerHour * ((points[i + 1]?.atMs ?? until) - p.atMs)) / H;
  });
  return usd;
}

function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(expected), 1e-6));
}

/**
 * A serving workload on spot, a training job on demand, orphans; the replayed spot prices move and price
 * events on both purchase options start and end in the middle of the clock's steps; launches, ends, a
 * preemption and a move with egress happen at odd moments.
 */
function costWorld(): World {
  return world({
    workloads: [
      { id: "chat", kind: "inference", gpu: "A10G:8", replicas: { "aws/us-east-1": 2 }, spot: true, rps: 40, replicaRps: 30, sloP99Ms: 1_000 },
      { id: "job", kind: "training", gpu: "A10G:8", at: { cloud: "aws", region: "us-east-1", spot: false }, workHours: 100, checkpointGb: 100 },
    ],
    events: [
      { at: "47m", price: { cloud: "aws", region: "us-east-1", gpu: "A10G", spot: false, factor: 1.5, for: "2h13m" } },
      { at: "77m30s", price: { cloud: "aws", region: "us-east-1", gpu: "A10G", spot: true, factor: 3, for: "61m" } },
      { at: "2h", price: { cloud: "aws", region: "us-east-1", gpu: "A10G", spot: true, usdPerHour: 9.5, for: "20m" } },
      { at: "2h31m", preempt: { workload: "chat" } },
    ],
  });
}

/** Drives `costWorld` to 5 h in steps of `step(now)` ms, making the same calls (through `ops`) at the same times whatever the steps; `moved` hears each step. */
function play(w: World, step: (now: number) => number, moved: () => void = () => {}, ops: WorldOps = w): { egressUsd: number } {
  const advance = (t: number): void => {
    w.advanceTo(Math.min(t, w.nowMs + step(w.nowMs)));
    moved();
  };
  const start = w.startMs;
  const calls: [number, () => void][] = [];
  let egressUsd = 0;
  let orphans: Instance[] = [];
  let target: Instance[] = [];
  calls.push([54 * M + 11 * S, () => (target = ops.launch({ cloud: "aws", region: "us-west-2", gpu: { name: "A10G", count: 8 }, spot: false, count: 1, workloadId: "job", idempotencyKey: "target" }))]);
  calls.push([58 * M + 3 * S, () => (egressUsd += ops.resumeFromCheckpoint({ workloadId: "job", instanceIds: target.map((i) => i.id), idempotencyKey: "resume" }).egressUsd)]);
  calls.push([59 * M + 59 * S, () => ops.terminate({ instanceIds: w.listInstances({ workloadId: "job", region: "us-east-1" }).map((i) => i.id), idempotencyKey: "drain" })]);
  calls.push([63 * M + 7 * S, () => (orphans = ops.launch({ cloud: "aws", region: "us-east-1", zone: "use1-az5", instanceType: "g5.48xlarge", spot: true, count: 2, idempotencyKey: "orphans" }))]);
  calls.push([96 * M + 1 * S, () => ops.scale({ workloadId: "chat", cloud: "aws", region: "us-east-1", replicas: 3, idempotencyKey: "up" })]);
  calls.push([2 * H + 5 * M + 17 * S, () => ops.terminate({ instanceIds: [orphans[0]!.id], idempotencyKey: "orphan-0" })]);
  calls.push([3 * H + 33 * S, () => ops.scale({ workloadId: "chat", cloud: "aws", region: "us-east-1", spot: false, replicas: 2, idempotencyKey: "back" })]);
  for (const [at, call] of calls) {
    while (w.nowMs < start + at) advance(start + at);
    call();
  }
  while (w.nowMs < start + 5 * H) advance(start + 5 * H);
  return { egressUsd };
}

describe("lazy cost accounting", () => {
  it("charges each instance, its workload and the world the price history integrated over its life, across price changes, launches, ends and preemptions", () => {
    const w = costWorld();
    const { egressUsd } = play(w, () => 7 * M + 13 * S);
    const all = w.listInstances({ includeEnded: true });
    // the scenario does what it says: prices moved under live instances, some ended each way, some still run
    expect(new Set(all.map((i) => i.state))).toEqual(new Set(["running", "terminated", "preempted"]));
    expect(all.some((i) => i.spot && w.getPriceHistory({ offerId: i.offerId, spot: true, sinceMs: i.launchedAtMs }).points.length > 3)).toBe(true);
    expect(egressUsd).toBeGreaterThan(0);

    let compute = 0;
    const perWorkload: Record<string, number> = { chat: 0, job: egressUsd };
    for (const inst of all) {
      const usd = bruteCost(w, inst);
      expectClose(inst.costUsd, usd, inst.id);
      compute += usd;
      if (inst.workloadId !== null) perWorkload[inst.workloadId]! += usd;
    }
    const totals = w.totals();
    expectClose(totals.computeUsd, compute, "world compute");
    expectClose(totals.egressUsd, egressUsd, "world egress");
    expectClose(totals.costUsd, compute + egressUsd, "world");
    for (const id of ["chat", "job"]) {
      expectClose(w.getWorkload(id).costUsd, perWorkload[id]!, id);
      expectClose(totals.perWorkloadCostUsd[id]!, perWorkload[id]!, `${id} in totals`);
    }

    // an ended instance's cost stays as it was; a live one's grows by its price in force
    const before = new Map(w.listInstances({ includeEnded: true }).map((i) => [i.id, i]));
    w.advanceBy(H);
    for (const inst of w.listInstances({ includeEnded: true })) {
      const was = before.get(inst.id)!;
      if (inst.endedAtMs !== null) expect(inst.costUsd).toBe(was.costUsd);
      else expectClose(inst.costUsd - was.costUsd, was.usdPerHour, `${inst.id} over the hour`);
    }
  });

  it("reports the same cost in an incremental listing's accrued fields as in a full listing", () => {
    const w = costWorld();
    const listings = new WorldListings(w);
    w.advanceBy(10 * M);
    const first = listings.listInstanceChanges(null);
    w.advanceBy(7 * M + 13 * S);
    const delta = listings.listInstanceChanges(first.mark);
    expect(delta.delta).toBe(true);
    expect(delta.accrued.ids.length).toBeGreaterThan(0);
    const full = new Map(w.listInstances().map((i) => [i.id, i.costUsd]));
    delta.accrued.ids.forEach((id, k) => expect(delta.accrued.costUsd[k]).toBe(full.get(id)));
  });

  it("gives the same costs, bit for bit, however the clock was moved, and the same world again from its journal", () => {
    const coarse = costWorld();
    play(coarse, () => 5 * H);
    const fine = costWorld();
    play(fine, (now) => (now % 7 === 0 ? 11 * S : 53 * S));
    const costs = (w: World) => w.listInstances({ includeEnded: true }).map((i) => [i.id, i.costUsd]);
    expect(costs(fine)).toEqual(costs(coarse));
    expect(Object.is(fine.totals().computeUsd, coarse.totals().computeUsd)).toBe(true);
    expect(fine.totals().perWorkloadCostUsd).toEqual(coarse.totals().perWorkloadCostUsd);

    // a world rebuilt from its journal (calls and clock marks, as the sim host writes it) is the same world
    const journal: JournalEntry[] = [];
    const first = new World(data, costWorld().spec);
    play(first, () => 17 * M + 3 * S, () => journal.push({ atMs: first.nowMs, op: "clock" }), new JournaledWorld(first, (e) => journal.push(e)));
    const again = replayJournal(data, first.spec, journal);
    const view = (w: World) => JSON.stringify({ totals: w.totals(), instances: w.listInstances({ includeEnded: true }), workloads: w.listWorkloads(), health: w.getHealth(), events: w.events() });
    expect(view(again)).toBe(view(first));
  });
});

describe("serving replica counts and service levels", () => {
  const STEP = 10 * S;
  const spec: Pick<WorldSpecInput, "workloads" | "events"> = {
    workloads: [
      { id: "api", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, replicaRps: 100, sloP99Ms: 400 },
      { id: "batch", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 3 }, spot: true, rps: 150, replicaRps: 60, sloP99Ms: 2_000 },
    ],
    events: [
      { at: "30m", outage: { cloud: "gcp", region: "us-central1", for: "45m" } },
      { at: "50m", outage: { cloud: "gcp", region: "us-central1", for: "10m" } },
      { at: "61m", preempt: { workload: "batch" } },
      { at: "100m", latency: { cloud: "aws", region: "us-east-1", addMs: 900, for: "20m" } },
      { at: "130m", traffic: { workload: "api", factor: 2.5, for: "30m" } },
      { at: "135m", traffic: { workload: "batch", factor: 0.5, for: "15m" } },
    ],
  };

  /** The timeline's calls, at their times (every one a multiple of `STEP` from the start). */
  function calls(w: World): Map<number, () => void> {
    return new Map<number, () => void>([
      [20 * M, () => w.scale({ workloadId: "api", cloud: "aws", region: "us-east-1", replicas: 4, idempotencyKey: "a" })],
      [40 * M, () => w.terminate({ instanceIds: [w.listInstances({ workloadId: "api", region: "us-central1" })[0]!.id], idempotencyKey: "b" })],
      [62 * M, () => w.scale({ workloadId: "batch", cloud: "aws", region: "us-east-1", spot: false, replicas: 2, idempotencyKey: "c" })],
      [80 * M, () => w.setTrafficWeights({ workloadId: "api", weights: { "aws/us-east-1": 30, "gcp/us-central1": 70 }, idempotencyKey: "d" })],
      [90 * M, () => w.scale({ workloadId: "api", cloud: "gcp", region: "us-central1", replicas: 3, idempotencyKey: "e" })],
      [140 * M, () => w.scale({ workloadId: "api", cloud: "gcp", region: "us-central1", replicas: 0, idempotencyKey: "f" })],
    ]);
  }

  it("count healthy replicas as the instances and regions say, and integrate demand served within the SLO as reported at every step, across ready, ends, outages, latency and traffic", () => {
    const w = world(spec);
    const timeline = calls(w);
    const integral = { api: { demand: 0, served: 0 }, batch: { demand: 0, served: 0 } };
    const seen = new Set<string>();
    for (let t = 0; t < 3 * H; t += STEP) {
      w.advanceTo(w.startMs + t);
      timeline.get(t)?.();
      const health = w.getHealth();
      const down = new Set(health.regions.filter((r) => r.state === "down").map((r) => `${r.cloud}/${r.region}`));
      for (const id of ["api", "batch"] as const) {
        const running = new Map<string, number>();
        for (const inst of w.listInstances({ workloadId: id })) {
          const location = `${inst.cloud}/${inst.region}`;
          if (inst.state === "running" && !down.has(location)) running.set(location, (running.get(location) ?? 0) + 1);
        }
        const status = w.getWorkload(id);
        for (const d of status.deployments) {
          expect(d.healthyReplicas, `${id} ${d.location} at ${t / M} min`).toBe(running.get(d.location) ?? 0);
          const reported = health.replicas.filter((r) => r.workloadId === id && r.location === d.location && r.state === "healthy").length;
          expect(reported).toBe(d.healthyReplicas);
          seen.add(`${d.healthyReplicas}/${d.replicas}`);
        }
        const service = health.services.find((s) => s.workloadId === id)!;
        integral[id].demand += service.demandRps * STEP;
        integral[id].served += service.servedWithinSloRps * STEP;
      }
    }
    w.advanceTo(w.startMs + 3 * H);
    // every change fell on a step, so the rates reported at each step held until the next
    expect(w.events().every((e) => (e.atMs - w.startMs) % STEP === 0)).toBe(true);
    // and the counts went through what the timeline promises: partly down, all down, scaled up and provisioning
    expect(seen.has("0/2")).toBe(true);
    expect(seen.has("2/4")).toBe(true);

    // the same world moved from call to call, read by no one in between (reading routes every service afresh,
    // which would hide a service left routed on stale inputs), accrues what the reports add up to
    const unread = world(spec);
    for (const [at, call] of calls(unread)) {
      unread.advanceTo(unread.startMs + at);
      call();
    }
    unread.advanceTo(unread.startMs + 3 * H);
    for (const id of ["api", "batch"] as const) {
      expect(integral[id].served).toBeLessThan(integral[id].demand);
      expectClose(w.totals().availability[id]!, integral[id].served / integral[id].demand, `${id} availability`);
      expectClose(unread.totals().availability[id]!, integral[id].served / integral[id].demand, `${id} availability, unread`);
    }
  });
});
