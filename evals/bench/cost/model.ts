import type { World } from "./world.js";

/**
 * The cost model every strategy and the hindsight optimum share, on the world's time grid.
 *
 * - Time moves in steps of `world.stepHours`. At the start of each step the job either runs on one
 *   placement for the whole step or runs nowhere ("off": it pays nothing and makes no progress).
 *   Placements are numbered: `0 … R-1` on demand in region i, `R … R+Z-1` spot in zone i − R.
 * - A step on a placement costs its price (on demand, or the zone's spot price at that step) × the
 *   step. Spot can be used only in a step where the zone has all N nodes (`avail`); a job on spot whose
 *   zone goes away is preempted at that step's start.
 * - Every start — the first one, a switch, a restart after a preemption or after waiting — is followed
 *   by `restart` steps of warm-up (provisioning, moving the checkpoint, restarting from it): paid, no
 *   progress. After that each step on the placement is one step of progress.
 * - Checkpoints: a running job writes one every `checkpointEvery` steps of progress, and before every
 *   voluntary switch or wait. A preemption loses the progress since the last one (the 2-minute notice
 *   is shorter than a step, and too close to the ~100 s that a 50 GB checkpoint takes at 0.5 GB/s to
 *   be relied on). With `checkpointEvery` 0 the job checkpoints on the notice and loses nothing.
 *   Starting in another region than the checkpoint's moves it there for the egress price (nothing to
 *   move before any progress).
 * - A job is done when its progress reaches `work` steps; it meets its deadline if that happens within
 *   `deadline` steps of its start. A job past its deadline keeps running until done (its cost counts).
 */

export const OFF = -1;

export interface Job {
  /** First step on the world's grid. */
  start: number;
  /** Steps of progress needed. */
  work: number;
  /** Steps from the start to the deadline. */
  deadline: number;
  /** Warm-up steps after every start. */
  restart: number;
  /** Steps of progress between periodic checkpoints (0: checkpoint on the preemption notice). */
  checkpointEvery: number;
  /** The job's own zone (index into world.zones); on demand runs in its region. */
  home: number;
}

export interface RunState {
  /** Steps since the job's start. */
  t: number;
  progress: number;
  /** Progress saved in the last checkpoint. */
  checkpointProgress: number;
  /** Placement of the last step, or OFF (also after a preemption). */
  placement: number;
  /** Steps run on `placement` since it started, including the last (0 when off). */
  age: number;
  /** Region the checkpoint is in; -1 before the first start. */
  checkpointRegion: number;
  costUsd: number;
  egressUsd: number;
  starts: number;
  preemptions: number;
  /** Steps of progress lost to preemptions. */
  lostSteps: number;
  /** Steps from the start until done; null while running. */
  finishedAt: number | null;
}

export function placementCount(world: World): number {
  return world.regions.length + world.zones.length;
}

export function isSpot(world: World, placement: number): boolean {
  return placement >= world.regions.length;
}

/** Zone of a spot placement. */
export function zoneOf(world: World, placement: number): number {
  return placement - world.regions.length;
}

export function spotPlacement(world: World, zone: number): number {
  return world.regions.length + zone;
}

export function regionOf(world: World, placement: number): number {
  return isSpot(world, placement) ? world.zones[zoneOf(world, placement)]!.region : placement;
}

/** Whether zone has spot capacity at grid step `step` (none past the end of the traces). */
export function available(world: World, zone: number, step: number): boolean {
  return step < world.steps && world.zones[zone]!.avail[step] === 1;
}

/** USD/hour of a placement at grid step `step` (past the end of the traces, the last known price). */
export function priceAt(world: World, placement: number, step: number): number {
  if (!isSpot(world, placement)) return world.regions[placement]!.onDemandUsdPerHour;
  const prices = world.zones[zoneOf(world, placement)]!.spotUsdPerHour;
  return prices[Math.min(step, prices.length - 1)]!;
}

export function initialState(): RunState {
  return { t: 0, progress: 0, checkpointProgress: 0, placement: OFF, age: 0, checkpointRegion: -1, costUsd: 0, egressUsd: 0, starts: 0, preemptions: 0, lostSteps: 0, finishedAt: null };
}

export class ModelError extends Error {
  override name = "ModelError";
}

/**
 * The start of a step: a job on spot whose zone has gone is preempted; it falls back to its last
 * checkpoint and runs nowhere until the policy acts. Call before the policy decides.
 */
export function observe(world: World, job: Job, s: RunState): void {
  if (s.placement === OFF || !isSpot(world, s.placement) || available(world, zoneOf(world, s.placement), job.start + s.t)) return;
  s.preemptions++;
  s.lostSteps += s.progress - s.checkpointProgress;
  s.progress = s.checkpointProgress;
  s.placement = OFF;
  s.age = 0;
}

/**
 * Plays one step after `observe`: `action` is a placement or OFF. Running the placement of the last
 * step again continues it (no restart); anything else checkpoints and starts anew. Returns the cost.
 */
export function act(world: World, job: Job, s: RunState, action: number): number {
  if (s.finishedAt !== null) throw new ModelError("the job is done");
  const at = job.start + s.t;
  let cost = 0;
  if (action !== s.placement) s.checkpointProgress = s.progress;
  if (action === OFF) {
    s.placement = OFF;
    s.age = 0;
  } else {
    if (action < 0 || action >= placementCount(world)) throw new ModelError(`no placement ${action}`);
    if (isSpot(world, action) && !available(world, zoneOf(world, action), at)) {
      throw new ModelError(`spot in ${world.zones[zoneOf(world, action)]!.name} is not available at step ${at}`);
    }
    if (action === s.placement) s.age = Math.min(s.age + 1, job.restart + 1);
    else {
      const region = regionOf(world, action);
      if (s.progress > 0 && s.checkpointRegion >= 0 && s.checkpointRegion !== region) {
        const egress = world.egressUsd[s.checkpointRegion]![region]!;
        cost += egress;
        s.egressUsd += egress;
      }
      s.checkpointRegion = region;
      s.placement = action;
      s.age = 1;
      s.starts++;
    }
    cost += priceAt(world, action, at) * world.stepHours;
    if (s.age > job.restart) {
      s.progress++;
      if (job.checkpointEvery === 0 || s.progress - s.checkpointProgress >= job.checkpointEvery) s.checkpointProgress = s.progress;
    }
  }
  s.costUsd += cost;
  s.t++;
  if (s.progress >= job.work) s.finishedAt = s.t;
  return cost;
}

/** A strategy: called once per step with the state so far; returns a placement or OFF. */
export interface Policy {
  decide(s: Readonly<RunState>): number;
}

export interface RunResult {
  costUsd: number;
  /** Steps from start to done (Infinity if it never finished within the cap). */
  finishedAt: number;
  met: boolean;
  starts: number;
  preemptions: number;
  lostSteps: number;
  egressUsd: number;
  /** Cumulative cost at the end of each step, when asked for. */
  series?: number[];
}

/** Runs a policy to completion (at most `deadline + 2 × work + 100` steps). */
export function simulate(world: World, job: Job, policy: Policy, options: { series?: boolean } = {}): RunResult {
  const s = initialState();
  const series: number[] | undefined = options.series ? [] : undefined;
  const cap = job.deadline + 2 * job.work + 100;
  while (s.finishedAt === null && s.t < cap) {
    observe(world, job, s);
    act(world, job, s, policy.decide(s));
    series?.push(s.costUsd);
  }
  const finishedAt = s.finishedAt ?? Infinity;
  const result: RunResult = { costUsd: s.costUsd, finishedAt, met: finishedAt <= job.deadline, starts: s.starts, preemptions: s.preemptions, lostSteps: s.lostSteps, egressUsd: s.egressUsd };
  if (series) result.series = series;
  return result;
}

/** Plays a fixed list of actions (one per step) and returns the final state. */
export function replay(world: World, job: Job, actions: readonly number[]): RunState {
  const s = initialState();
  for (const a of actions) {
    if (s.finishedAt !== null) break;
    observe(world, job, s);
    act(world, job, s, a);
  }
  return s;
}
