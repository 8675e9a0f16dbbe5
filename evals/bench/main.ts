import { benchCost } from "./cost.js";
import { benchLoop } from "./loop.js";
import { benchPolicy } from "./policy.js";
import { benchSim } from "./sim.js";

/**
 * `npm run bench -- NAME [--json]`: measures and prints figures. Benchmarks are not tests: they assert
 * nothing, they report. Record what they print in evals/RESULTS.md.
 */
const BENCHES: Record<string, { about: string; run: (args: string[]) => Record<string, unknown> | Promise<Record<string, unknown>> }> = {
  loop: {
    about: "tick latency of the daemon at 1,000 and 10,000 workloads (MCP in-memory, built-in planner), finding-to-executed latency, peak RSS; --fleet realistic (default) or stress; --no-idle: no idle-time housekeeping between ticks; --plain-node: without the daemon's V8 launch flags; --max-new-proposals N: the daemon's maxNewProposalsPerTick (0: no limit)",
    run: (args) => benchLoop([1_000, numberFlag(args, "--workloads") ?? 10_000], numberFlag(args, "--ticks") ?? 12, fleetFlag(args), !args.includes("--no-idle"), args.includes("--plain-node"), countFlag(args, "--max-new-proposals")),
  },
  sim: {
    about: "simulate 10,000 workloads for 24 simulated hours at 1-minute ticks",
    run: (args) => {
      const r = benchSim({ workloads: numberFlag(args, "--workloads") ?? 10_000, simHours: numberFlag(args, "--hours") ?? 24 });
      return { workloads: r.workloads, simHours: r.simHours, wallSeconds: round(r.wallSeconds, 3), simHoursPerWallSecond: round(r.simHoursPerWallSecond, 1), buildSeconds: round(r.buildSeconds, 3), events: r.events, costUsd: round(r.costUsd, 2), peakRssMb: round(r.peakRssMb, 1) };
    },
  },
  cost: {
    about: "training jobs with deadlines and a spot serving fleet on the real spot traces: on demand, greedy, Uniform Progress, skyops and the hindsight optimum; writes evals/cost-chart.svg",
    run: (args) => benchCost(args),
  },
  policy: {
    about: "decision latency of the default policies (validators + Cedar), after warm-up",
    run: () => Object.fromEntries(Object.entries(benchPolicy()).map(([k, v]) => [k, k === "decisions" ? v : round(v, 3)])),
  },
};

/** A whole number ≥ 0 (0 meaning "no limit" where the flag says so). */
function countFlag(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} needs a whole number (0 or more), got "${args[i + 1] ?? ""}"`);
    process.exit(2);
  }
  return value;
}

function numberFlag(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} needs a positive number, got "${args[i + 1] ?? ""}"`);
    process.exit(2);
  }
  return value;
}

function fleetFlag(args: string[]): "realistic" | "stress" {
  const i = args.indexOf("--fleet");
  if (i < 0) return "realistic";
  const value = args[i + 1];
  if (value !== "realistic" && value !== "stress") {
    console.error(`--fleet is realistic or stress, got "${value ?? ""}"`);
    process.exit(2);
  }
  return value;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes("--json");
  const names = argv.filter((a, i) => !a.startsWith("--") && !(i > 0 && argv[i - 1]!.startsWith("--") && argv[i - 1] !== "--json"));
  if (names.length === 0 || names.some((n) => !(n in BENCHES))) {
    const unknown = names.filter((n) => !(n in BENCHES));
    if (unknown.length > 0) console.error(`unknown benchmark: ${unknown.join(", ")}`);
    console.error("usage: npm run bench -- NAME [--json]\n\nbenchmarks:");
    for (const [name, b] of Object.entries(BENCHES)) console.error(`  ${name.padEnd(8)} ${b.about}`);
    process.exit(2);
  }
  for (const name of names) {
    const result = await BENCHES[name]!.run(argv);
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(`${name}: ${BENCHES[name]!.about}`);
      for (const [k, v] of Object.entries(result)) console.log(`  ${k.padEnd(24)} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
    }
  }
}

await main(process.argv.slice(2));
