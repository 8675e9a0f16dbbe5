import { describe, expect, it } from "vitest";
import { geoOfRegion, type Snapshot } from "../../src/domain/index.js";
import { choosePlacement, createPlanContext, plannerConfig, uniformProgress } from "../../src/planner/index.js";
import { egressOf, finding, H, input, snapshotOf, world } from "./helpers.js";

const training = {
  id: "trainer",
  kind: "training" as const,
  gpu: "A100:8",
  at: { cloud: "aws" as const, region: "us-east-1", spot: true },
  workHours: 20,
  checkpointEvery: "30m",
  checkpointGb: 100,
};

function contextFor(w: ReturnType<typeof world>, snapshot?: Snapshot, findings = [] as ReturnType<typeof finding>[], config: Record<string, unknown> = {}) {
  return createPlanContext(input(w, findings, { config: { checkpointGb: { trainer: 100 }, ...config }, ...(snapshot ? { snapshot } : {}) }));
}

describe("choosePlacement", () => {
  it("picks the cheapest admissible offer once egress and downtime are counted, and says what it costs", () => {
    const w = world({ workloads: [{ ...training, residency: ["us"] }] });
    const ctx = contextFor(w);
    const job = ctx.snapshot.workloads[0]!;
    const choice = choosePlacement(ctx, { workload: job, remainingWorkHours: 20, checkpointFrom: "aws/us-east-1", checkpointGb: 100, current: { location: "aws/us-east-1", spot: true } });
    const best = choice.best!;
    expect(best).not.toBeNull();
    // every option is priced the same way, and the best is the cheapest of them
    for (const o of choice.options) {
      const egress = egressOf(w)["aws/us-east-1"]![`${o.target.cloud}/${o.target.region}`]!;
      const sameRegion = `${o.target.cloud}/${o.target.region}` === "aws/us-east-1";
      expect(o.egress.usd).toBeCloseTo(sameRegion ? 0 : egress.usdPerGb * 100, 9);
      expect(o.downtimeMs).toBe(ctx.config.provisionMs[o.target.cloud] + (sameRegion ? 0 : Math.ceil((100 / egress.transferGbPerSecond) * 1000)) + ctx.config.restartMs);
      expect(o.totalCostUsd).toBeCloseTo(o.usdPerHour * o.expectedHours + o.egress.usd + (o.usdPerHour * o.downtimeMs) / H, 9);
      expect(o.totalCostUsd).toBeGreaterThanOrEqual(best.totalCostUsd);
    }
    // the best option's rate is the offer's price now times the instances it takes
    const offer = ctx.snapshot.offers.find((x) => x.id === best.offerId)!;
    expect(best.usdPerHour).toBeCloseTo((best.target.spot ? offer.spotUsdPerHourNow! : offer.onDemandUsdPerHourNow!) * best.nodes, 9);
    expect(best.nodes * offer.acceleratorCount).toBe(8);
  });

  it("keeps to the residency, by geography or by exact region name", () => {
    const w = world({ workloads: [{ ...training, residency: ["eu"] }, { ...training, id: "pinned", residency: ["europe-west4"], at: { cloud: "gcp", region: "europe-west4", spot: false } }] });
    const ctx = contextFor(w);
    const [eu, pinned] = ctx.snapshot.workloads;
    const euChoice = choosePlacement(ctx, { workload: eu!, remainingWorkHours: 10, checkpointFrom: "aws/us-east-1", checkpointGb: 100, current: null });
    expect(euChoice.options.length).toBeGreaterThan(0);
    for (const o of euChoice.options) expect(geoOfRegion(o.target.cloud, o.target.region)).toBe("eu");
    const pinnedChoice = choosePlacement(ctx, { workload: pinned!, remainingWorkHours: 10, checkpointFrom: "gcp/europe-west4", checkpointGb: 100, current: null });
    expect(pinnedChoice.options.length).toBeGreaterThan(0);
    for (const o of pinnedChoice.options) expect(o.target.region).toBe("europe-west4");
  });

  it("takes the fewest instances in each location (one p3.8xlarge, not four p3.2xlarge, for V100:4)", () => {
    const w = world({ workloads: [{ ...training, gpu: "V100:4", residency: ["us-east-1"], at: { cloud: "aws", region: "us-east-1", spot: false } }] });
    const ctx = contextFor(w);
    const choice = choosePlacement(ctx, { workload: ctx.snapshot.workloads[0]!, remainingWorkHours: 5, checkpointFrom: "aws/us-east-1", checkpointGb: 10, current: null });
    expect(choice.options.length).toBeGreaterThan(0);
    for (const o of choice.options) {
      expect(o.nodes).toBe(1);
      expect(o.target.instanceType).toBe("p3.8xlarge");
    }
  });

  it("uses spot only where a spot price is quoted and spot capacity is available", () => {
    const w = world({ workloads: [{ ...training, residency: ["us"] }] });
    const base = snapshotOf(w);
    const noSpot: Snapshot = { ...base, offers: base.offers.map((o) => ({ ...o, spotAvailability: 0 })) };
    const ctx = contextFor(w, noSpot);
    const choice = choosePlacement(ctx, { workload: ctx.snapshot.workloads[0]!, remainingWorkHours: 20, checkpointFrom: "aws/us-east-1", checkpointGb: 100, current: null });
    expect(choice.options.length).toBeGreaterThan(0);
    expect(choice.options.every((o) => !o.target.spot)).toBe(true);
    const unpriced: Snapshot = { ...base, offers: base.offers.map((o) => ({ ...o, spotUsdPerHourNow: null })) };
    const ctx2 = contextFor(w, unpriced);
    expect(choosePlacement(ctx2, { workload: ctx2.snapshot.workloads[0]!, remainingWorkHours: 20, checkpointFrom: null, checkpointGb: 100, current: null }).options.every((o) => !o.target.spot)).toBe(true);
  });

  it("never places in a region that is down, stocked out, or named unhealthy by a finding", () => {
    const w = world({
      workloads: [{ ...training, residency: ["us"] }],
      events: [
        { at: "1m", outage: { cloud: "aws", region: "us-east-1", for: "1h" } },
        { at: "1m", stockout: { cloud: "azure", region: "eastus", gpu: "A100", for: "1h" } },
      ],
    });
    w.advanceBy(2 * 60_000);
    const ctx = contextFor(w, undefined, [finding("region-unhealthy", null, { location: "gcp/us-central1" })]);
    const choice = choosePlacement(ctx, { workload: ctx.snapshot.workloads[0]!, remainingWorkHours: 20, checkpointFrom: "aws/us-east-1", checkpointGb: 100, current: null });
    expect(choice.options.length).toBeGreaterThan(0);
    const places = new Set(choice.options.map((o) => `${o.target.cloud}/${o.target.region}`));
    expect(places.has("aws/us-east-1")).toBe(false);
    expect(places.has("azure/eastus")).toBe(false);
    expect(places.has("gcp/us-central1")).toBe(false);
  });

  it("prices egress from where the checkpoint lives: resuming in the same region moves nothing", () => {
    const w = world({ workloads: [{ ...training, residency: ["us-east-1"] }] });
    const ctx = contextFor(w);
    const choice = choosePlacement(ctx, { workload: ctx.snapshot.workloads[0]!, remainingWorkHours: 20, checkpointFrom: "aws/us-east-1", checkpointGb: 100, current: null });
    for (const o of choice.options) expect(o.egress).toEqual({ gb: 0, usd: 0, transferMs: 0, known: true });
    // unknown checkpoint location: the configured fallback prices every option alike
    const unknown = choosePlacement(ctx, { workload: ctx.snapshot.workloads[0]!, remainingWorkHours: 20, checkpointFrom: null, checkpointGb: 100, current: null });
    for (const o of unknown.options) expect(o.egress).toMatchObject({ gb: 100, usd: 100 * ctx.config.egressFallback.usdPerGb, known: false });
  });
});

describe("the deadline rule (Uniform Progress, Can't Be Late, NSDI'24)", () => {
  const config = plannerConfig({ spotInterruptionsPerHour: 0.1, lostHoursPerInterruption: 0.25, deadlineSafetyFactor: 2 });
  const d = 150_000; // provision 90 s + restart 60 s

  it("allows spot while the slack T − R − d exceeds k·λ·R·(d + ℓ), computed by hand", () => {
    // R = 10 h, T = 12 h: slack 12 − 10 − 0.041667 = 1.958333; margin 2 × 0.1 × 10 × (0.041667 + 0.25) = 0.583333
    const v = uniformProgress({ remainingWorkHours: 10, hoursToDeadline: 12, moveDowntimeMs: 0, restartOverheadMs: d, currentlyOnDemand: false }, config);
    expect(v.spotAllowed).toBe(true);
    expect(v.reason).toBe("slack-above-margin");
    expect(v.slackHours).toBeCloseTo(1.958333, 5);
    expect(v.marginHours).toBeCloseTo(0.583333, 5);
    // R = 10 h, T = 10.5 h: slack 0.458333 < margin 0.583333 → on demand
    const thin = uniformProgress({ remainingWorkHours: 10, hoursToDeadline: 10.5, moveDowntimeMs: 0, restartOverheadMs: d, currentlyOnDemand: null }, config);
    expect(thin).toMatchObject({ spotAllowed: false, reason: "slack-below-margin", meetsDeadline: true });
    // the move's own downtime comes off the time left
    const move = uniformProgress({ remainingWorkHours: 10, hoursToDeadline: 10.7, moveDowntimeMs: 0.2 * H, restartOverheadMs: d, currentlyOnDemand: null }, config);
    expect(move.slackHours).toBeCloseTo(10.7 - 0.2 - 10 - d / H, 9);
  });

  it("keeps a hard margin of one interruption's worst loss (the checkpoint interval) beyond a restart", () => {
    const noRisk = plannerConfig({ spotInterruptionsPerHour: 0 });
    expect(noRisk.checkpointIntervalHours).toBe(0.5);
    // slack T − R − d must exceed ℓ = 0.5 h
    const tight = uniformProgress({ remainingWorkHours: 5, hoursToDeadline: 5 + d / H + 0.5 - 0.001, moveDowntimeMs: 0, restartOverheadMs: d, currentlyOnDemand: null }, noRisk);
    expect(tight.marginHours).toBeCloseTo(0.5, 9);
    expect(tight.spotAllowed).toBe(false);
    const room = uniformProgress({ remainingWorkHours: 5, hoursToDeadline: 5 + d / H + 0.5 + 0.001, moveDowntimeMs: 0, restartOverheadMs: d, currentlyOnDemand: null }, noRisk);
    expect(room.spotAllowed).toBe(true);
    // the default has no expected-loss term, whatever the work left
    const long = uniformProgress({ remainingWorkHours: 500, hoursToDeadline: 500 + d / H + 0.6, moveDowntimeMs: 0, restartOverheadMs: d, currentlyOnDemand: null }, plannerConfig());
    expect(long).toMatchObject({ spotAllowed: true, marginHours: 0.5 });
  });

  it("takes a job on demand back to spot only with 2d of slack beyond the margin (the paper's hysteresis), or never when sticky", () => {
    const onDemand = { remainingWorkHours: 2, hoursToDeadline: 3, moveDowntimeMs: 0, restartOverheadMs: d, currentlyOnDemand: true };
    expect(uniformProgress(onDemand, plannerConfig({ stickyOnDemand: true }))).toMatchObject({ spotAllowed: false, reason: "stays-on-demand" });
    const v = uniformProgress(onDemand, plannerConfig());
    expect(v.marginHours).toBeCloseTo(0.5 + (2 * d) / H, 9);
    expect(v.spotAllowed).toBe(true);
    const near = uniformProgress({ ...onDemand, hoursToDeadline: 2 + d / H + 0.5 + d / H }, plannerConfig());
    expect(near.spotAllowed).toBe(false);
  });

  it("switches a job to on demand when its slack runs out, and keeps it there as the margin shrinks (sticky, expected-loss margin)", () => {
    const w = world({
      workloads: [{ ...training, workHours: 10, deadline: "12h", residency: ["us"] }],
      events: [{ at: "1h", preempt: { workload: "trainer" } }],
    });
    const options = (current: { location: string; spot: boolean } | null, remaining: number, from: string) => {
      const ctx = contextFor(w, undefined, [], { stickyOnDemand: true, deadlineSafetyFactor: 2 });
      return choosePlacement(ctx, { workload: ctx.snapshot.workloads[0]!, remainingWorkHours: remaining, checkpointFrom: from, checkpointGb: 100, current });
    };

    // plenty of slack: spot is the cheapest admissible choice
    const start = options({ location: "aws/us-east-1", spot: true }, 10, "aws/us-east-1").best!;
    expect(start.target.spot).toBe(true);
    expect(start.verdict.reason).toBe("slack-above-margin");

    // preempted at 1 h, then left waiting until 2.5 h: 9 h of work left, 9.5 h to go
    w.advanceTo(w.startMs + 2.5 * H);
    const job = w.getWorkload("trainer");
    expect(job.state).toBe("waiting");
    const stalled = options(null, 10 - job.checkpointedHours!, "aws/us-east-1").best!;
    expect(stalled.target.spot).toBe(false);
    expect(stalled.verdict.reason).toBe("slack-below-margin");
    expect(stalled.verdict.slackHours!).toBeLessThanOrEqual(stalled.verdict.marginHours!);

    // run the move in the simulator, on demand
    const launched = w.launch({ cloud: stalled.target.cloud, region: stalled.target.region, instanceType: stalled.target.instanceType, spot: false, count: stalled.nodes, workloadId: "trainer", idempotencyKey: "move/launch" });
    w.resumeFromCheckpoint({ workloadId: "trainer", instanceIds: launched.map((i) => i.id), idempotencyKey: "move/resume" });
    const at = `${stalled.target.cloud}/${stalled.target.region}`;

    // hours later the margin has shrunk under the slack; the job still stays on demand
    w.advanceTo(w.startMs + 9 * H);
    const later = w.getWorkload("trainer");
    expect(later.state).toBe("running");
    const remaining = 10 - later.progressHours!;
    const stay = options({ location: at, spot: false }, remaining, at);
    expect(stay.best!.target.spot).toBe(false);
    expect(stay.best!.verdict.reason).toBe("stays-on-demand");
    const v = stay.best!.verdict;
    expect(v.slackHours!).toBeGreaterThan(Math.max(d / H, 2 * remaining * 0.1 * (d / H + 0.25)));
  });
});
