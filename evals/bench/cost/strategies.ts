import type { PlannerConfig } from "../../../src/planner/config.js";
import { chooseZoneMove, type CurrentRun, type ZoneMoveInput } from "../../../src/planner/spot-zones.js";
import { available, isSpot, OFF, priceAt, regionOf, spotPlacement, zoneOf, type Job, type Policy, type RunState } from "./model.js";
import type { World } from "./world.js";

/** The online strategies; `skyops-sticky` is skyops with `stickyOnDemand: true` (the previous default, shown for comparison). */
export const STRATEGIES = ["on-demand", "greedy", "uniform-progress", "skyops", "skyops-sticky"] as const;
export type StrategyName = (typeof STRATEGIES)[number] | "optimum";

/** On demand in the job's region, start to finish. */
export function onDemandPolicy(world: World, job: Job): Policy {
  const od = world.zones[job.home]!.region;
  return { decide: () => od };
}

/**
 * Greedy, SkyPilot's default for managed spot jobs: spot in the job's zone whenever it has capacity, on
 * demand while it does not (back to spot as soon as it returns), no regard for the deadline.
 */
export function greedyPolicy(world: World, job: Job): Policy {
  const od = world.zones[job.home]!.region;
  const spot = spotPlacement(world, job.home);
  return { decide: (s) => (available(world, job.home, job.start + s.t) ? spot : od) };
}

/**
 * Uniform Progress, re-implemented from the description in Wu, Chiang, Mao, Yang, Friedman, Shenker and
 * Stoica, "Can't Be Late: Optimizing Spot Instance Savings under Deadlines", NSDI'24 (§4), in the paper's
 * single-zone setting. With cp(t) the progress made, ep(t) = W · t / D the uniform-progress line (work W
 * spread evenly up to the deadline D), d the restart overhead and R(t), C(t) the time and work left:
 *   1. safety net: when not running on spot and R(t) < C(t) + 2d, on demand until the end;
 *   2. exploitation: on spot, stay until preempted;
 *   3. hysteresis: on demand, stay until cp(t) ≥ ep(t + 2d);
 *   4. taking risks: otherwise spot whenever it is available (even behind the line);
 *   5. uniform progress: no spot and cp(t) < ep(t): on demand; no spot and ahead of the line: wait.
 */
export function uniformProgressPolicy(world: World, job: Job): Policy {
  const od = world.zones[job.home]!.region;
  const spot = spotPlacement(world, job.home);
  const d = job.restart;
  const ep = (t: number) => (job.work * t) / job.deadline;
  let safetyNet = false;
  return {
    decide: (s: Readonly<RunState>) => {
      const t = s.t;
      const spotNow = available(world, job.home, job.start + t);
      if (safetyNet) return od;
      if (s.placement === spot && spotNow) return spot;
      if (job.deadline - t < job.work - s.progress + 2 * d) {
        safetyNet = true;
        return od;
      }
      if (s.placement === od && s.progress < ep(t + 2 * d)) return od;
      if (spotNow) return spot;
      return s.progress < ep(t) ? od : OFF;
    },
  };
}

export interface SkyopsOptions {
  config: PlannerConfig;
  checkpointGb: number;
  /** Wait for spot while the deadline rule allows spot and no zone has it (see spot-zones.ts). */
  waitForSpot: boolean;
}

/**
 * skyops: the planner's spot rule (uniformProgress / spotOverheadShare with plannerConfig()'s values)
 * through chooseZoneMove, free to use any zone of the world and any region's on demand, paying egress
 * and a restart for every move. It sees what the daemon would see each step: the capacity in every
 * zone now and the prices, never the future.
 */
export function skyopsPolicy(world: World, job: Job, options: SkyopsOptions): Policy {
  const stepMs = world.stepHours * 3_600_000;
  const location = (region: number) => `${world.regions[region]!.cloud}/${world.regions[region]!.name}`;
  const egressUsdPerGb: Record<string, Record<string, number>> = {};
  for (let i = 0; i < world.regions.length; i++) {
    egressUsdPerGb[location(i)] = {};
    for (let j = 0; j < world.regions.length; j++) egressUsdPerGb[location(i)]![location(j)] = world.egressUsd[i]![j]! / options.checkpointGb;
  }
  const zoneIndex = new Map(world.zones.map((z, i) => [z.name, i]));
  const regionIndex = new Map(world.regions.map((_, i) => [location(i), i]));
  return {
    decide: (s: Readonly<RunState>) => {
      const at = job.start + s.t;
      let current: CurrentRun | null = null;
      if (s.placement !== OFF) {
        current = isSpot(world, s.placement)
          ? { spot: true, zone: world.zones[zoneOf(world, s.placement)]!.name, location: location(regionOf(world, s.placement)) }
          : { spot: false, location: location(s.placement) };
      }
      const input: ZoneMoveInput = {
        remainingWorkHours: (job.work - s.progress) * world.stepHours,
        hoursToDeadline: (job.deadline - s.t) * world.stepHours,
        restartOverheadMs: job.restart * stepMs,
        current,
        checkpointLocation: s.checkpointRegion < 0 || s.progress === 0 ? null : location(s.checkpointRegion),
        checkpointGb: options.checkpointGb,
        egressUsdPerGb,
        spotZones: world.zones.map((z, i) => ({
          zone: z.name,
          location: location(z.region),
          usdPerHour: priceAt(world, spotPlacement(world, i), at),
          available: available(world, i, at),
        })),
        onDemand: world.regions.map((r, i) => ({ location: location(i), usdPerHour: r.onDemandUsdPerHour })),
        waitForSpot: options.waitForSpot,
      };
      const move = chooseZoneMove(input, options.config);
      switch (move.action) {
        case "stay":
          return s.placement;
        case "wait":
          return OFF;
        case "spot":
          return spotPlacement(world, zoneIndex.get(move.zone)!);
        case "on-demand":
          return regionIndex.get(move.location)!;
      }
    },
  };
}
