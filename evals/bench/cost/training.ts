import type { PlannerConfig } from "../../../src/planner/config.js";
import { simulate, type Job, type Policy, type RunResult } from "./model.js";
import { optimum } from "./optimum.js";
import { greedyPolicy, onDemandPolicy, skyopsPolicy, STRATEGIES, uniformProgressPolicy, type StrategyName } from "./strategies.js";
import { singleZone, type World } from "./world.js";

export interface TrainingOptions {
  /** Hours of work of a job (traces shorter than 144 h get 12 h jobs). */
  workHours: number;
  slacks: readonly number[];
  restartHours: number;
  /** Hours of progress between periodic checkpoints (0: checkpoint on the preemption notice). */
  checkpointHours: number;
  /** Most start offsets per trace family. */
  maxOffsets: number;
  config: PlannerConfig;
  checkpointGb: number;
  waitForSpot: boolean;
}

/** One row of the result: one strategy on one trace family at one deadline slack. */
export interface TrainingRow {
  strategy: StrategyName;
  traceFamily: string;
  slack: number;
  /** Mean over runs of cost ÷ the hindsight optimum's cost. */
  costVsOptimum: number;
  /** Highest cost ÷ optimum over the runs. */
  maxCostVsOptimum: number;
  /** Mean over runs of cost ÷ on-demand-only cost. */
  costVsOnDemand: number;
  deadlineMisses: number;
  runs: number;
  meanCostUsd: number;
  /** Job sizes in the family, hours of work. */
  workHours: number[];
}

/** A family of runs: a world (or a single-zone view of one), the homes jobs start from, the job size. */
export interface Group {
  traceFamily: string;
  about: string;
  views: { world: World; homes: number[] }[];
}

/** The trace families the report groups runs into. */
export function groups(worlds: readonly World[]): Group[] {
  const out: Group[] = [];
  const add = (traceFamily: string, about: string, views: Group["views"]) => {
    if (views.length > 0) out.push({ traceFamily, about, views });
  };
  const single = (ws: World[]) => ws.flatMap((w) => w.zones.map((_, z) => ({ world: singleZone(w, z), homes: [0] })));
  const multi = (ws: World[]) => ws.map((w) => ({ world: w, homes: w.zones.map((_, z) => z) }));
  const avail1 = worlds.filter((w) => w.kind === "availability" && w.nodes === 1);
  const pre1 = worlds.filter((w) => w.kind === "preemption" && w.nodes === 1);
  add("1node-single-zone", "1-node availability traces, each zone alone (the paper's setting)", single(avail1));
  add("1node-multi-zone-9", "1-node V100, 9 zones in 3 regions (aws 2023-02-15)", multi(avail1.filter((w) => w.zones.length >= 3)));
  add("1node-multi-zone-2", "1-node, 2 zones of us-west-2 (aws 2022 traces, p3.2xlarge and p3.16xlarge)", multi(avail1.filter((w) => w.zones.length === 2)));
  add("1node-preemption-single-zone", "1-node preemption traces, each zone alone (aws p3.2xlarge, gcp c3-highcpu-88)", single(pre1));
  add("1node-preemption-multi-zone", "1-node preemption traces, 4 zones in 2 regions (aws p3.2xlarge, gcp c3-highcpu-88)", multi(pre1));
  add("4node-multi-zone", "4-node preemption traces (4 × p3.2xlarge), 3 zones in 3 regions", multi(worlds.filter((w) => w.nodes === 4)));
  add("16node-multi-zone", "16-node availability traces (16 × p3.2xlarge), 3 zones in 2 regions", multi(worlds.filter((w) => w.nodes === 16)));
  return out;
}

export function jobHours(world: World, workHours: number): number {
  return world.steps * world.stepHours < 144 ? Math.min(workHours, 12) : workHours;
}

/** Start steps of the jobs on a world: evenly spread, at least half a job apart, at most `max`. */
export function offsets(world: World, workSteps: number, horizon: number, max: number): number[] {
  const room = world.steps - horizon;
  if (room < 0) return [];
  const n = Math.max(1, Math.min(max, Math.floor(room / Math.max(1, Math.floor(workSteps / 2))) + 1));
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, i) => Math.round((i * room) / (n - 1)));
}

export function policyFor(name: (typeof STRATEGIES)[number], world: World, job: Job, options: Pick<TrainingOptions, "config" | "checkpointGb" | "waitForSpot">): Policy {
  switch (name) {
    case "on-demand":
      return onDemandPolicy(world, job);
    case "greedy":
      return greedyPolicy(world, job);
    case "uniform-progress":
      return uniformProgressPolicy(world, job);
    case "skyops":
      return skyopsPolicy(world, job, options);
    case "skyops-sticky":
      return skyopsPolicy(world, job, { ...options, config: { ...options.config, stickyOnDemand: true } });
  }
}

interface Acc {
  ratio: number;
  maxRatio: number;
  vsOd: number;
  misses: number;
  runs: number;
  cost: number;
  workHours: Set<number>;
}

/** Runs every strategy and the optimum on every group, start offset, home and slack. */
export function benchTraining(ws: readonly World[], options: TrainingOptions): { rows: TrainingRow[]; groups: Group[]; jobs: number } {
  const gs = groups(ws);
  const acc = new Map<string, Acc>();
  let jobs = 0;
  for (const g of gs) {
    for (const view of g.views) {
      const world = view.world;
      const hours = jobHours(world, options.workHours);
      const work = Math.round(hours / world.stepHours);
      const restart = Math.round(options.restartHours / world.stepHours);
      const checkpointEvery = Math.round(options.checkpointHours / world.stepHours);
      const deadlines = options.slacks.map((s) => Math.round(work * (1 + s)));
      const horizon = Math.max(...deadlines);
      for (const start of offsets(world, work, horizon, options.maxOffsets)) {
        const opt = optimum(world, { start, work, restart, checkpointEvery }, horizon);
        for (const home of view.homes) {
          options.slacks.forEach((slack, k) => {
            const job: Job = { start, work, deadline: deadlines[k]!, restart, checkpointEvery, home };
            const best = opt.byDeadline[job.deadline]!;
            const results = new Map<StrategyName, RunResult>();
            for (const name of STRATEGIES) results.set(name, simulate(world, job, policyFor(name, world, job, options)));
            const od = results.get("on-demand")!.costUsd;
            jobs++;
            for (const [name, r] of [...results, ["optimum", { costUsd: best, met: true }] as const]) {
              const key = `${g.traceFamily}|${slack}|${name}`;
              const a = acc.get(key) ?? { ratio: 0, maxRatio: 0, vsOd: 0, misses: 0, runs: 0, cost: 0, workHours: new Set<number>() };
              a.workHours.add(hours);
              const ratio = r.costUsd / best;
              a.ratio += ratio;
              a.maxRatio = Math.max(a.maxRatio, ratio);
              a.vsOd += r.costUsd / od;
              a.misses += r.met ? 0 : 1;
              a.runs++;
              a.cost += r.costUsd;
              acc.set(key, a);
            }
          });
        }
      }
    }
  }
  const rows: TrainingRow[] = [];
  for (const g of gs) {
    for (const slack of options.slacks) {
      for (const strategy of [...STRATEGIES, "optimum"] as const) {
        const a = acc.get(`${g.traceFamily}|${slack}|${strategy}`);
        if (a === undefined) continue;
        rows.push({
          strategy,
          traceFamily: g.traceFamily,
          slack,
          costVsOptimum: a.ratio / a.runs,
          maxCostVsOptimum: a.maxRatio,
          costVsOnDemand: a.vsOd / a.runs,
          deadlineMisses: a.misses,
          runs: a.runs,
          meanCostUsd: a.cost / a.runs,
          workHours: [...a.workHours].sort((x, y) => y - x),
        });
      }
    }
  }
  return { rows, groups: gs, jobs };
}
