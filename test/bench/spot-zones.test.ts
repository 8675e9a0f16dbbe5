import { describe, expect, it } from "vitest";
import { plannerConfig } from "../../src/planner/config.js";
import { chooseZoneMove, type ZoneMoveInput } from "../../src/planner/spot-zones.js";

const H = 3_600_000;
const config = plannerConfig();

function input(over: Partial<ZoneMoveInput> = {}): ZoneMoveInput {
  return {
    remainingWorkHours: 20,
    hoursToDeadline: 40,
    restartOverheadMs: 0.2 * H,
    current: null,
    checkpointLocation: "aws/us-east-1",
    checkpointGb: 50,
    egressUsdPerGb: { "aws/us-east-1": { "aws/us-west-2": 0.02 }, "aws/us-west-2": { "aws/us-east-1": 0.02 } },
    spotZones: [
      { zone: "us-east-1a", location: "aws/us-east-1", usdPerHour: 0.4, available: true },
      { zone: "us-west-2a", location: "aws/us-west-2", usdPerHour: 0.39, available: true },
    ],
    onDemand: [
      { location: "aws/us-east-1", usdPerHour: 3.06 },
      { location: "aws/us-west-2", usdPerHour: 3.06 },
    ],
    waitForSpot: true,
    ...over,
  };
}

describe("chooseZoneMove: the planner's spot rule across zones", () => {
  it("keeps a job on spot while its zone has capacity", () => {
    const move = chooseZoneMove(input({ current: { spot: true, zone: "us-east-1a", location: "aws/us-east-1" } }), config);
    expect(move).toMatchObject({ action: "stay", reason: "spot-still-there" });
  });

  it("stays in the checkpoint's region when another region's spot is cheaper by less than the egress", () => {
    // 0.01 USD/h cheaper for ~20 h does not pay 50 GB × 0.02 USD
    const move = chooseZoneMove(input(), config);
    expect(move).toMatchObject({ action: "spot", zone: "us-east-1a", egressUsd: 0 });
  });

  it("moves to another region's spot, paying egress, when its own zone's capacity is gone", () => {
    const zones = input().spotZones.map((z) => (z.zone === "us-east-1a" ? { ...z, available: false } : z));
    const move = chooseZoneMove(input({ spotZones: zones, current: null }), config);
    expect(move).toMatchObject({ action: "spot", zone: "us-west-2a", egressUsd: 1 });
  });

  it("waits for spot while the deadline rule allows it and no zone has capacity, or runs on demand when told not to wait", () => {
    const none = input().spotZones.map((z) => ({ ...z, available: false }));
    expect(chooseZoneMove(input({ spotZones: none }), config)).toMatchObject({ action: "wait", reason: "waiting-for-spot" });
    expect(chooseZoneMove(input({ spotZones: none, waitForSpot: false }), config)).toMatchObject({ action: "on-demand", location: "aws/us-east-1" });
  });

  it("runs on demand once the slack is down to the rule's margin, even with spot capacity", () => {
    // slack 40 − 39.4 − 2 × 0.2 = 0.2 h, margin ℓ = 0.5 h
    const move = chooseZoneMove(input({ remainingWorkHours: 39.4 }), config);
    expect(move).toMatchObject({ action: "on-demand", location: "aws/us-east-1" });
    expect(move.verdict.spotAllowed).toBe(false);
  });

  it("keeps a job on demand with stickyOnDemand, and takes it back to spot without it once the slack allows", () => {
    const onDemand = { spot: false as const, location: "aws/us-east-1" };
    expect(chooseZoneMove(input({ current: onDemand }), plannerConfig({ stickyOnDemand: true }))).toMatchObject({ action: "stay", reason: "on-demand-kept" });
    expect(chooseZoneMove(input({ current: onDemand }), config)).toMatchObject({ action: "spot", zone: "us-east-1a" });
  });

  it("leaves spot for on demand when its zone still has capacity but the slack is down to the margin", () => {
    const current = { spot: true as const, zone: "us-east-1a", location: "aws/us-east-1" };
    // slack 40 − 39.6 − 0.2 = 0.2 h ≤ 0.5 h
    expect(chooseZoneMove(input({ current, remainingWorkHours: 39.6 }), config)).toMatchObject({ action: "on-demand", location: "aws/us-east-1" });
  });

  it("waits with no spot anywhere only while ahead of the uniform-progress line, else runs on demand", () => {
    const none = input().spotZones.map((z) => ({ ...z, available: false }));
    // T − R = 4 h ≥ 0.1 × 36 h: ahead, wait
    expect(chooseZoneMove(input({ spotZones: none, remainingWorkHours: 36 }), config)).toMatchObject({ action: "wait" });
    // T − R = 3 h < 0.1 × 37 h: behind the line (spot still allowed), on demand
    const behind = chooseZoneMove(input({ spotZones: none, remainingWorkHours: 37 }), config);
    expect(behind.verdict.spotAllowed).toBe(true);
    expect(behind).toMatchObject({ action: "on-demand" });
  });
});
