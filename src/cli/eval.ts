import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { CliError } from "./errors.js";
import { defaultPolicyDir } from "./policy.js";
import type { ScenarioResult } from "./eval/run.js";
import { formatDuration } from "./eval/score.js";

/** Scenario files named on the command line: files as given, folders searched for *.yaml / *.yml (sorted, recursively). */
export function scenarioFiles(paths: readonly string[]): { files: string[]; problems: string[] } {
  const files: string[] = [];
  const problems: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry.name)) files.push(path);
    }
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      problems.push(`${p}: no such file or folder`);
      continue;
    }
    if (!isDir) files.push(p);
    else {
      const before = files.length;
      walk(p);
      if (files.length === before) problems.push(`${p}: no *.yaml scenario files in this folder`);
    }
  }
  return { files, problems };
}

/**
 * Why `--keep-state DIR` cannot be used, if it cannot: DIR must be a folder (or not exist yet), and each
 * DIR/<scenario> it would replace must be empty or an earlier run's state (it holds skyops.db) — a folder
 * of anything else is never deleted.
 */
export function keepStateProblems(dir: string, names: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [`--keep-state ${dir}: not a folder`];
  const out: string[] = [];
  for (const name of names) {
    const sub = join(dir, name);
    if (!existsSync(sub)) continue;
    if (!statSync(sub).isDirectory()) out.push(`--keep-state: ${sub} exists and is not a folder; not replacing it`);
    else if (readdirSync(sub).length > 0 && !existsSync(join(sub, "skyops.db"))) out.push(`--keep-state: ${sub} holds files that are not an earlier run's state; not replacing it (pick another folder)`);
  }
  return out;
}

/** The JSON object SCENARIOS.md lists for one scenario, with exactly its fields. */
export function scorecardJson(r: ScenarioResult): Record<string, unknown> {
  return {
    name: r.name,
    passed: r.passed,
    failures: r.failures,
    costUsd: r.costUsd,
    availability: r.availability,
    deadlinesMissed: r.deadlinesMissed,
    actions: r.actions,
    approvals: r.approvals,
    denials: r.denials,
    llmCalls: r.llmCalls,
    llmTokens: r.llmTokens,
    simSeconds: r.simSeconds,
    wallMs: r.wallMs,
  };
}

/** The human scorecard: one row per scenario, each failure spelled out under its row. */
export function formatScorecard(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => {
    const avail = Object.values(r.availability);
    return [
      r.passed ? "pass" : "FAIL",
      r.name,
      `$${r.costUsd.toFixed(2)}`,
      avail.length === 0 ? "—" : `${(Math.min(...avail) * 100).toFixed(2)}%`,
      String(r.deadlinesMissed),
      Object.entries(r.actions).map(([t, n]) => `${t}:${n}`).join(" ") || "—",
      String(r.approvals),
      String(r.denials),
      `${r.llmCalls}/${r.llmTokens}`,
      formatDuration(r.simSeconds * 1000),
      `${(r.wallMs / 1000).toFixed(1)}s`,
    ];
  });
  const header = ["", "scenario", "cost", "min avail", "missed", "actions", "approvals", "denials", "llm calls/tokens", "simulated", "wall"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 3 || i >= 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const out = [line(header)];
  results.forEach((r, i) => {
    out.push(line(rows[i]!));
    for (const f of r.failures) out.push(`      ✗ ${f}`);
  });
  const failed = results.filter((r) => !r.passed).length;
  out.push("", `${results.length} scenario${results.length === 1 ? "" : "s"}: ${results.length - failed} passed, ${failed} failed`);
  return out.join("\n");
}

export function registerEvalCommand(program: Command): void {
  program
    .command("eval")
    .description("Run evaluation scenarios (files or folders of *.yaml, in the format of evals/scenarios/README.md) in simulated time and print a scorecard; exits 1 when any fails.")
    .argument("<path...>", "scenario files or folders")
    .option("--json", "one JSON object per scenario and line, with the scorecard's fields")
    .addOption(new Option("--planner <planner>", "override every scenario's planner").choices(["builtin", "llm"]))
    .option("--no-repeat", "run each scenario once (skips the determinism check, which runs it twice)")
    .option("--keep-state <dir>", "keep each scenario's state in DIR/<name>, for skyops status, approvals and audit verify --state")
    .action(async (paths: string[], opts: { json?: boolean; planner?: "builtin" | "llm"; repeat: boolean; keepState?: string }) => {
      const { files, problems } = scenarioFiles(paths);
      if (problems.length > 0) throw new CliError(problems.map((p) => `skyops eval: ${p}`), 2);
      const [{ readScenarios }, { runScenario }, { loadWorldData }] = await Promise.all([import("./eval/scenario.js"), import("./eval/run.js"), import("../data/load.js")]);
      // a bad file is an InputError, printed by the command's handler (src/cli/errors.ts) with status 2
      const scenarios = readScenarios(files, defaultPolicyDir());
      if (opts.keepState !== undefined) {
        const refused = keepStateProblems(opts.keepState, scenarios.map((s) => s.name));
        if (refused.length > 0) throw new CliError(refused.map((p) => `skyops eval: ${p}`), 2);
      }
      const data = loadWorldData();
      const results: ScenarioResult[] = [];
      for (const s of scenarios) {
        const r = await runScenario(s, { data, planner: opts.planner, checkDeterminism: opts.repeat, keepState: opts.keepState });
        results.push(r);
        if (opts.json) process.stdout.write(`${JSON.stringify(scorecardJson(r))}\n`);
        else process.stderr.write(`${r.passed ? "pass" : "FAIL"} ${r.name} (${(r.wallMs / 1000).toFixed(1)}s)\n`);
      }
      if (!opts.json) process.stdout.write(`${formatScorecard(results)}\n`);
      process.exitCode = results.every((r) => r.passed) ? 0 : 1;
    });
}
