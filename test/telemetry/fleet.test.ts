import { describe, expect, it } from "vitest";
import type { WorldSpecInput } from "../../src/domain/index.js";
import { config, H, M, only, Ticker, world } from "./helpers.js";

describe("budget-burn", () => {
  it("raises when spend so far today plus the fleet's rate until midnight exceeds the budget, and not under a larger budget", () => {
    const tight = new Ticker(world(), config({ budgetUsdPerDay: 1000 }));
    const loose = new Ticker(world(), config({ budgetUsdPerDay: 1_000_000 }));
    const first = only(tight.at(0), "budget-burn");
    loose.at(0);
    const burn = only(tight.at(2 * H), "budget-burn");
    expect(only(loose.at(2 * H), "budget-burn")).toEqual([]);
    expect(burn).toHaveLength(1);
    const f = burn[0]!.facts as unknown as { spentTodayUsd: number; usdPerHour: number; hoursLeftToday: number; projectedUsd: number };
    expect(burn[0]!.workloadId).toBeNull();
    // the rate alone breaks this budget from the first tick; the incident keeps that tick's id
    expect(first).toHaveLength(1);
    expect(burn[0]!.id).toBe(`budget-burn/fleet/${tight.w.startMs}`);
    expect(f.hoursLeftToday).toBeCloseTo(22, 6);
    expect(f.projectedUsd).toBeCloseTo(f.spentTodayUsd + f.usdPerHour * f.hoursLeftToday, 4);
    expect(f.projectedUsd).toBeGreaterThan(1000);
    // what the world really spent in these two hours
    expect(f.spentTodayUsd).toBeCloseTo(tight.w.totals().costUsd, 1);
  });

  it("counts spend per UTC day: it starts again at midnight", () => {
    const t = new Ticker(world(), config({ budgetUsdPerDay: 1_000_000 }));
    for (let h = 0; h <= 23; h++) t.at(h * H);
    const lateYesterday = t.w.totals().costUsd;
    expect(t.state.budget!.spentTodayUsd).toBeCloseTo(lateYesterday, 1);
    t.at(24 * H);
    const midnight = t.w.totals().costUsd;
    t.at(26 * H);
    const spent = t.state.budget!.spentTodayUsd;
    // the hour before midnight belongs to yesterday; the rate is constant within it, so the split is exact
    expect(spent).toBeCloseTo(t.w.totals().costUsd - midnight, 1);
    expect(t.state.budget!.dayStartMs).toBe(t.w.startMs + 24 * H);
  });

  it("neither loses nor double counts spend across ticks where telemetry is missing", () => {
    const t = new Ticker(world(), config({ budgetUsdPerDay: 1_000_000 }));
    t.at(0);
    t.at(H);
    t.at(2 * H, (s) => ({ ...s, workloads: [] }));
    t.at(3 * H, (s) => ({ ...s, sources: s.sources.map((x) => ({ ...x, ok: false, error: "down" })) }));
    t.at(4 * H);
    expect(t.state.budget!.spentTodayUsd).toBeCloseTo(t.w.totals().costUsd, 1);
  });
});

describe("deadline-at-risk", () => {
  const jobs = (deadline: string, workHours: number): WorldSpecInput["workloads"] => [
    { id: "job", kind: "training", gpu: "A100:8", at: { cloud: "gcp", region: "us-central1", spot: false }, workHours, deadline },
  ];

  it("raises critical when the remaining work cannot finish before the deadline", () => {
    const t = new Ticker(world({ workloads: jobs("30h", 40) }));
    const [f] = only(t.at(0), "deadline-at-risk");
    expect(f?.severity).toBe("critical");
    expect(f?.facts).toMatchObject({ remainingHours: 40, hoursToDeadline: 30, slackHours: 1 });
  });

  it("warns when the remaining work eats into the slack, and stays quiet with room to spare", () => {
    expect(only(new Ticker(world({ workloads: jobs("10h30m", 10) })).at(0), "deadline-at-risk")[0]?.severity).toBe("warning");
    expect(only(new Ticker(world({ workloads: jobs("72h", 10) })).at(0), "deadline-at-risk")).toEqual([]);
  });
});

describe("orphan-instance", () => {
  it("raises for a live instance that has belonged to no workload for orphanAfterMs, with a stable id", () => {
    const t = new Ticker(world());
    const [orphan] = t.w.launch({ cloud: "aws", region: "us-east-1", gpu: { name: "L4", count: 1 }, spot: false, count: 1, workloadId: null, idempotencyKey: "test/orphan" });
    expect(only(t.at(0), "orphan-instance")).toEqual([]);
    expect(only(t.at(25 * M), "orphan-instance")).toEqual([]);
    const [f] = only(t.at(30 * M), "orphan-instance");
    expect(f).toBeDefined();
    expect(f!.severity).toBe("info");
    expect(f!.facts).toMatchObject({ instanceId: orphan!.id, location: "aws/us-east-1", orphanForMs: 30 * M });
    expect(f!.id).toBe(`orphan-instance/${orphan!.id}/${t.w.nowMs}`);
    expect(only(t.at(45 * M), "orphan-instance")[0]!.id).toBe(f!.id);
    t.w.terminate({ instanceIds: [orphan!.id], idempotencyKey: "test/orphan-end" });
    expect(only(t.at(50 * M), "orphan-instance")).toEqual([]);
    expect(t.state.orphans).toEqual({});
  });

  it("calls the instances a finished training job left running orphans, without counting their cost twice", () => {
    const job: WorldSpecInput["workloads"] = [{ id: "short-job", kind: "training", gpu: "V100:4", at: { cloud: "aws", region: "us-west-2", spot: false }, workHours: 1 }];
    const t = new Ticker(world({ workloads: job }), config({ budgetUsdPerDay: 1_000_000 }));
    expect(only(t.at(30 * M), "orphan-instance")).toEqual([]);
    // done after 1h (plus the start-up); its node keeps running, and is an orphan 30 minutes on
    expect(only(t.at(2 * H), "orphan-instance")).toEqual([]);
    const [f] = only(t.at(2 * H + 30 * M), "orphan-instance");
    const [left] = t.w.listInstances({ workloadId: "short-job" });
    expect(f?.facts).toMatchObject({ instanceId: left!.id, orphanForMs: 30 * M });
    // today's spend: what the world charged, counted once (the job's cost already holds its node's)
    expect(t.state.budget!.spentTodayUsd).toBeCloseTo(t.w.totals().costUsd, 6);
  });

  it("never calls a workload's own instances orphans", () => {
    const t = new Ticker(world(), config({ orphanAfterMs: 0 }));
    expect(only(t.at(H), "orphan-instance")).toEqual([]);
  });
});
