import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fileLabel, loadWorldData } from "../../src/data/load.js";
import { plannerConfig } from "../../src/planner/config.js";
import { costChartSvg, type ChartSeries } from "./cost/chart.js";
import { benchInference, type InferenceResult } from "./cost/inference.js";
import { simulate, type Job } from "./cost/model.js";
import { optimum } from "./cost/optimum.js";
import { STRATEGIES, type StrategyName } from "./cost/strategies.js";
import { benchTraining, jobHours, offsets, policyFor, type TrainingOptions, type TrainingRow } from "./cost/training.js";
import { buildWorlds, type Excluded, type World } from "./cost/world.js";

/**
 * `npm run bench -- cost`: training jobs with deadlines and a serving fleet on the real spot traces of
 * data/traces, every strategy against the hindsight optimum. See evals/bench/cost/model.ts for the cost
 * model and evals/RESULTS.md for what it printed.
 */

export interface CostBenchOptions {
  stepHours: number;
  restartHours: number;
  checkpointHours: number;
  workHours: number;
  slacks: number[];
  maxOffsets: number;
  checkpointGb: number;
  replicas: number;
  provisionHours: number;
  /** Where the SVG goes; null: nowhere. */
  chartPath: string | null;
}

export const DEFAULT_CHART_PATH = fileURLToPath(new URL("../cost-chart.svg", import.meta.url));

export function defaultCostOptions(): CostBenchOptions {
  return {
    stepHours: 0.1,
    restartHours: 0.2,
    checkpointHours: 0.5,
    workHours: 48,
    slacks: [0.1, 0.25, 0.5],
    maxOffsets: 16,
    checkpointGb: plannerConfig().defaultCheckpointGb,
    replicas: 10,
    provisionHours: 0.2,
    chartPath: DEFAULT_CHART_PATH,
  };
}

/** SkyServe (NSDI'25) reports about 43% lower cost than on-demand-only serving at high availability. */
export const SKYSERVE_REPORTED_SAVING = 0.43;
const HEADLINE_SERVING_WORLD = "availability-1node-aws-02-15-2023-p3.2xlarge";

export interface CostBenchResult {
  model: Record<string, unknown>;
  rows: TrainingRow[];
  inference: Omit<InferenceResult, "series">[];
  skyServeReportedSaving: number;
  targets: Record<string, { met: boolean; detail: string }>;
  excluded: Excluded[];
  jobs: number;
  chart: string | null;
}

function round(x: number, digits = 4): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

export function runCostBench(options: CostBenchOptions): CostBenchResult {
  const data = loadWorldData();
  // the planner is told the job's checkpoint interval (the worst progress a preemption loses), as the
  // daemon's config tells it; every other setting is the default
  const config = plannerConfig({ checkpointIntervalHours: options.checkpointHours });
  const { worlds, excluded } = buildWorlds(data, { stepHours: options.stepHours, checkpointGb: options.checkpointGb });
  const trainingOptions: TrainingOptions = {
    workHours: options.workHours,
    slacks: options.slacks,
    restartHours: options.restartHours,
    checkpointHours: options.checkpointHours,
    maxOffsets: options.maxOffsets,
    config,
    checkpointGb: options.checkpointGb,
    waitForSpot: true,
  };
  const training = benchTraining(worlds, trainingOptions);
  const rows = training.rows.map((r) => ({ ...r, costVsOptimum: round(r.costVsOptimum), maxCostVsOptimum: round(r.maxCostVsOptimum), costVsOnDemand: round(r.costVsOnDemand), meanCostUsd: round(r.meanCostUsd, 2) }));

  const provisionSteps = Math.round(options.provisionHours / options.stepHours);
  const inference = worlds
    .filter((w) => w.nodes === 1 && w.zones.length > 1)
    .map((w) => benchInference(w, { replicas: options.replicas, provisionSteps, config }))
    .map((r) => ({ ...r, costUsd: round(r.costUsd, 2), onDemandCostUsd: round(r.onDemandCostUsd, 2), costSaving: round(r.costSaving), availability: round(r.availability, 6), allReplicasShare: round(r.allReplicasShare, 6), onDemandShare: round(r.onDemandShare), meanSpotReplicas: round(r.meanSpotReplicas, 2) }));

  let chart: string | null = null;
  if (options.chartPath !== null) {
    const svg = chartOf(worlds, trainingOptions, options);
    if (svg !== null) {
      writeFileSync(options.chartPath, svg);
      chart = fileLabel(options.chartPath);
    }
  }

  return {
    model: {
      stepHours: options.stepHours,
      restartHours: options.restartHours,
      checkpointHours: options.checkpointHours,
      checkpointGb: options.checkpointGb,
      workHours: options.workHours,
      slacks: options.slacks,
      maxOffsetsPerTrace: options.maxOffsets,
      replicas: options.replicas,
      provisionHours: options.provisionHours,
      planner: {
        spotInterruptionsPerHour: config.spotInterruptionsPerHour,
        lostHoursPerInterruption: config.lostHoursPerInterruption,
        deadlineSafetyFactor: config.deadlineSafetyFactor,
        stickyOnDemand: config.stickyOnDemand,
        checkpointIntervalHours: config.checkpointIntervalHours,
        waitSlackShare: config.waitSlackShare,
        servingZoneLosses: config.servingZoneLosses,
        servingMaxSpotPerZone: config.servingMaxSpotPerZone,
        servingTargetAvailability: config.servingTargetAvailability,
      },
    },
    rows,
    inference,
    skyServeReportedSaving: SKYSERVE_REPORTED_SAVING,
    targets: targetsOf(rows, inference),
    excluded,
    jobs: training.jobs,
    chart,
  };
}

function targetsOf(rows: readonly TrainingRow[], inference: readonly Omit<InferenceResult, "series">[]): CostBenchResult["targets"] {
  const find = (strategy: StrategyName, family: string, slack: number) => rows.find((r) => r.strategy === strategy && r.traceFamily === family && r.slack === slack);
  const sky = rows.filter((r) => r.strategy === "skyops");
  const worse = sky.filter((r) => r.costVsOptimum > find("uniform-progress", r.traceFamily, r.slack)!.costVsOptimum);
  const misses = sky.reduce((n, r) => n + r.deadlineMisses, 0);
  const mean = sky.reduce((n, r) => n + r.costVsOptimum, 0) / sky.length;
  const head = inference.find((r) => r.world === HEADLINE_SERVING_WORLD);
  return {
    skyopsAtMostUniformProgress: {
      met: worse.length === 0,
      detail: `${sky.length - worse.length} of ${sky.length} family × slack rows` + (worse.length > 0 ? `; above it: ${worse.map((r) => `${r.traceFamily} ${r.slack * 100}%`).join(", ")}` : ""),
    },
    skyopsNoDeadlineMisses: { met: misses === 0, detail: `${misses} misses` },
    skyopsWithin110PercentOfOptimum: { met: mean <= 1.1, detail: `mean over family × slack rows ${mean.toFixed(3)}` },
    servingSaving40PercentAt999: {
      met: head !== undefined && head.costSaving >= 0.4 && head.availability >= 0.999,
      detail: head === undefined ? "no headline trace" : `${head.world}: saving ${(head.costSaving * 100).toFixed(1)}%, availability (share of demand served) ${(head.availability * 100).toFixed(3)}%, all ${String(head.replicas)} replicas ready ${(head.allReplicasShare * 100).toFixed(2)}% of the time`,
    },
  };
}

const COLORS: Record<StrategyName, string> = {
  "on-demand": "#d62728",
  greedy: "#ff7f0e",
  "uniform-progress": "#1f77b4",
  skyops: "#2ca02c",
  "skyops-sticky": "#17becf",
  optimum: "#000000",
};

/**
 * The chart's run, chosen by rule: the 9-zone V100 family, the job in the zone whose availability is
 * the median of the nine, the middle start offset, 25% slack (or the middle slack).
 */
function chartOf(worlds: readonly World[], t: TrainingOptions, o: CostBenchOptions): string | null {
  const world = worlds.find((w) => w.id === HEADLINE_SERVING_WORLD);
  if (world === undefined) return null;
  const hours = jobHours(world, t.workHours);
  const work = Math.round(hours / world.stepHours);
  const restart = Math.round(t.restartHours / world.stepHours);
  const checkpointEvery = Math.round(t.checkpointHours / world.stepHours);
  const slack = t.slacks.includes(0.25) ? 0.25 : t.slacks[Math.floor(t.slacks.length / 2)]!;
  const deadline = Math.round(work * (1 + slack));
  const starts = offsets(world, work, Math.round(work * (1 + Math.max(...t.slacks))), t.maxOffsets);
  const start = starts[Math.floor(starts.length / 2)]!;
  const share = (z: number) => {
    let n = 0;
    for (let s = start; s < start + deadline; s++) n += world.zones[z]!.avail[s]!;
    return n;
  };
  const byShare = world.zones.map((_, z) => z).sort((a, b) => share(a) - share(b) || a - b);
  const home = byShare[Math.floor(byShare.length / 2)]!;
  const job: Job = { start, work, deadline, restart, checkpointEvery, home };
  const series: ChartSeries[] = [];
  for (const name of STRATEGIES) {
    const r = simulate(world, job, policyFor(name, world, job, t), { series: true });
    series.push({ name: `${name}${r.met ? "" : " (late)"}`, color: COLORS[name], values: r.series!, dashed: name === "skyops-sticky", offScale: name === "on-demand" });
  }
  const best = optimum(world, { start, work, restart, checkpointEvery }, deadline, { path: true });
  const actions = best.actions!(deadline);
  const values: number[] = [];
  const r = simulate(world, job, { decide: (s) => actions[s.t]! }, { series: true });
  values.push(...r.series!);
  series.push({ name: "hindsight optimum", color: COLORS.optimum, values });
  const startDate = new Date(world.startMs + start * world.stepHours * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
  return costChartSvg({
    title: `Cumulative cost of one ${hours} h training job, ${Math.round(slack * 100)}% deadline slack (on demand runs off the top: ↑)`,
    subtitle: `${world.instanceType}, home zone ${world.zones[home]!.name}, 9 zones of aws 2023-02-15 from ${startDate} UTC; restart ${o.restartHours} h, checkpoint every ${o.checkpointHours} h`,
    stepHours: world.stepHours,
    series,
    deadlineStep: deadline,
    strips: world.zones.map((z, i) => ({ name: z.name, avail: z.avail.subarray(start, start + deadline + work), home: i === home })),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Command line

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} needs a non-negative number, got "${args[i + 1] ?? ""}"`);
    process.exit(2);
  }
  return value;
}

export function optionsFromArgs(args: string[]): CostBenchOptions {
  const d = defaultCostOptions();
  return {
    ...d,
    stepHours: flag(args, "--step-hours", d.stepHours),
    restartHours: flag(args, "--restart-hours", d.restartHours),
    checkpointHours: flag(args, "--checkpoint-hours", d.checkpointHours),
    workHours: flag(args, "--work-hours", d.workHours),
    maxOffsets: flag(args, "--offsets", d.maxOffsets),
    replicas: flag(args, "--replicas", d.replicas),
    provisionHours: flag(args, "--provision-hours", d.provisionHours),
  };
}

const LABELS: Record<StrategyName, string> = {
  "on-demand": "on-demand",
  greedy: "greedy",
  "uniform-progress": "uniform progress",
  skyops: "skyops",
  "skyops-sticky": "skyops, sticky",
  optimum: "optimum $",
};

/** The result as text tables (Markdown, so RESULTS.md can take them as they are). */
export function costTables(r: CostBenchResult): string {
  const out: string[] = [];
  const m = r.model;
  out.push(
    `Model: ${String(m.stepHours)} h steps; restart ${String(m.restartHours)} h after every start; ${m.checkpointHours === 0 ? "checkpoint on the preemption notice (nothing lost)" : `checkpoint every ${String(m.checkpointHours)} h of progress (a preemption loses the progress since)`}; ${String(m.checkpointGb)} GB checkpoint moved at the egress price between regions; jobs of ${String(m.workHours)} h of work (12 h on traces under 144 h); ${r.jobs} jobs.`,
  );
  out.push("");
  out.push("Training: mean cost ÷ hindsight optimum (deadline misses in brackets); the optimum column is its mean cost in USD.");
  out.push("");
  const names = [...STRATEGIES, "optimum"] as const;
  out.push(`| trace family | slack | runs | ${names.map((n) => LABELS[n]).join(" | ")} |`);
  out.push(`|---|---:|---:|${names.map(() => "---:").join("|")}|`);
  const families = [...new Set(r.rows.map((x) => x.traceFamily))];
  for (const family of families) {
    for (const slack of [...new Set(r.rows.filter((x) => x.traceFamily === family).map((x) => x.slack))]) {
      const cells = names.map((n) => {
        const row = r.rows.find((x) => x.traceFamily === family && x.slack === slack && x.strategy === n)!;
        if (n === "optimum") return row.meanCostUsd.toFixed(2);
        return `${row.costVsOptimum.toFixed(2)}${row.deadlineMisses > 0 ? ` (${row.deadlineMisses})` : ""}`;
      });
      const runs = r.rows.find((x) => x.traceFamily === family && x.slack === slack)!.runs;
      out.push(`| ${family} | ${Math.round(slack * 100)}% | ${runs} | ${cells.join(" | ")} |`);
    }
  }
  out.push("");
  out.push(`Serving: ${String(m.replicas)} replicas needed, spot across zones with on-demand fallback (the planner's planServingSpot) vs on demand only; a replacement is ready ${String(m.provisionHours)} h after launch. SkyServe (NSDI'25) reports ~${Math.round(r.skyServeReportedSaving * 100)}% saving.`);
  out.push("");
  out.push("| trace family | zones | hours | cost saving | availability (share of demand served) | share of time with all K ready | on-demand share of replica-hours | mean spot replicas | preemptions |");
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const x of r.inference) {
    out.push(
      `| ${x.world} | ${x.zones} | ${x.hours.toFixed(0)} | ${(Math.abs(x.costSaving) < 0.0005 ? 0 : x.costSaving * 100).toFixed(1)}% | ${(x.availability * 100).toFixed(3)}% | ${(x.allReplicasShare * 100).toFixed(2)}% | ${(x.onDemandShare * 100).toFixed(1)}% | ${x.meanSpotReplicas.toFixed(1)} | ${x.preemptions} |`,
    );
  }
  out.push("");
  out.push("Targets:");
  for (const [k, v] of Object.entries(r.targets)) out.push(`- ${k}: ${v.met ? "met" : "NOT met"} (${v.detail})`);
  if (r.excluded.length > 0) {
    out.push("");
    out.push("Left out (no price in data/):");
    for (const e of r.excluded) out.push(`- ${e.family} (${e.traces} traces): ${e.reason}`);
  }
  return out.join("\n");
}

/** The bench entry for main.ts: with --json the whole result, else the tables on stdout and a summary. */
export function benchCost(args: string[]): Record<string, unknown> {
  const result = runCostBench(optionsFromArgs(args));
  if (args.includes("--json")) return result as unknown as Record<string, unknown>;
  console.log(costTables(result));
  console.log("");
  return { jobs: result.jobs, chart: result.chart, targetsMet: Object.values(result.targets).filter((t) => t.met).length + " of " + Object.keys(result.targets).length };
}
