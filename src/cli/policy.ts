import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { packageRoot } from "../data/load.js";
import { PolicyCheckInputSchema, PolicyLoadError } from "../policy/index.js";
import { loadPolicyEngine, readPolicySources, runPolicyCases } from "../server/policy-files.js";
import { cedarWasm } from "../server/cedar-tier.js";
import { InputError, parseYamlInput, readYamlFile } from "../server/yaml-input.js";
import { PolicyEngine } from "../policy/index.js";

/** `policies/` of the working folder if there is one, else the one shipped with skyops. */
export function defaultPolicyDir(): string {
  if (existsSync("policies")) return "policies";
  const root = packageRoot();
  return root === null ? "policies" : join(root, "policies");
}

/** The input of `policy check`: a file, or stdin for `-` (its size is checked once read; parseYaml refuses what is over the limit). */
function readInput(file: string): { name: string; text: string } {
  if (file === "-") return { name: "<stdin>", text: readFileSync(0, "utf8") };
  return { name: file, text: readYamlFile(file, "the proposal and facts") };
}

/**
 * The policy folder `skyops policy test` checks, refused with what to give instead when it is a folder of
 * cases (`policies/tests`) rather than the policy folder that holds them.
 */
function policyFolderOf(dir: string): string {
  const parent = dirname(resolve(dir));
  const isPolicyFolder = (d: string): boolean => existsSync(d) && readdirSync(d).some((f) => f.endsWith(".cedarschema"));
  if (existsSync(dir) && statSync(dir).isDirectory() && !isPolicyFolder(dir) && readdirSync(dir).some((f) => /\.ya?ml$/.test(f)) && isPolicyFolder(parent)) {
    throw new InputError([{ file: dir, line: 0, column: 0, problem: `not a policy folder (no *.cedarschema file); it holds test cases: run skyops policy test ${dirname(dir)}` }]);
  }
  return dir;
}

/**
 * With --json, prints located problems as JSON and sets the exit code; true when it handled the error.
 * Otherwise the command's error handler (src/cli/errors.ts) prints them, a line each.
 */
function reportProblems(error: unknown, json: boolean): boolean {
  if (json && (error instanceof PolicyLoadError || error instanceof InputError)) {
    console.log(JSON.stringify({ ok: false, problems: error.problems }));
    process.exitCode = 2;
    return true;
  }
  return false;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command("policy").description("check, test and validate the policies that decide every action");

  policy
    .command("check")
    .description("decide one proposal with its facts (JSON or YAML, a file or - for stdin) and print the outcome and reasons")
    .argument("<file>", "a file holding {proposal, facts}, or - to read stdin")
    .option("--policies <dir>", "the policy folder", defaultPolicyDir())
    .option("--json", "print the decision as JSON")
    .action((file: string, opts: { policies: string; json?: boolean }) => {
      try {
        const input = readInput(file);
        const parsed = parseYamlInput(input.name, input.text, PolicyCheckInputSchema);
        const engine = loadPolicyEngine(opts.policies);
        const d = engine.decide(parsed.proposal, parsed.facts);
        if (opts.json) console.log(JSON.stringify(d));
        else {
          console.log(`${d.outcome}  ${d.proposalId}`);
          for (const r of d.reasons) console.log(`  ${r.source} ${r.id}: ${r.reason}`);
          console.log(`  inputs ${d.inputDigest.slice(0, 16)}…  policies ${engine.digest.slice(0, 16)}…`);
        }
      } catch (error) {
        if (!reportProblems(error, opts.json ?? false)) throw error;
      }
    });

  policy
    .command("test")
    .description("run a policy folder's example cases (DIR/tests/*.yaml) against the policies in DIR and fail on any mismatch, naming it")
    .argument("[dir]", "the policy folder (default ./policies, else the one shipped with skyops)", undefined)
    .option("--json", "print one JSON object per case")
    .action((dir: string | undefined, opts: { json?: boolean }) => {
      try {
        const folder = policyFolderOf(dir ?? defaultPolicyDir());
        const tests = join(folder, "tests");
        // the policies first: a folder that does not load is the answer, whatever its cases say
        const engine = loadPolicyEngine(folder);
        if (!existsSync(tests)) throw new InputError([{ file: folder, line: 0, column: 0, problem: `no tests folder: write example cases in ${tests}/*.yaml (see policies/tests)` }]);
        const results = runPolicyCases(folder, tests);
        let failed = 0;
        for (const r of results) {
          if (!r.passed) failed++;
          if (opts.json) console.log(JSON.stringify(r));
          else if (!r.passed) console.log(`FAIL  ${r.file}: ${r.name}\n      ${r.problem}`);
          else console.log(`ok    ${r.name}`);
        }
        if (!opts.json) console.log(`\n${results.length - failed} passed, ${failed} failed: the cases in ${tests} against the policies in ${folder} (${engine.policies().length} policies, digest ${engine.digest.slice(0, 16)}…)`);
        if (failed > 0) process.exitCode = 1;
      } catch (error) {
        if (!reportProblems(error, opts.json ?? false)) throw error;
      }
    });

  policy
    .command("validate")
    .description("parse and validate a policy folder (schema, *.cedar, guardrails.yaml), naming file, line and problem for each error")
    .argument("[dir]", "the policy folder", undefined)
    .option("--json", "print the result as JSON")
    .action((dir: string | undefined, opts: { json?: boolean }) => {
      const folder = dir ?? defaultPolicyDir();
      try {
        const engine = PolicyEngine.create(readPolicySources(folder), { cedar: cedarWasm() });
        const summary = { ok: true, dir: folder, policies: engine.policies().length, digest: engine.digest };
        if (opts.json) console.log(JSON.stringify(summary));
        else console.log(`ok: ${folder}: ${summary.policies} policies, schema and guardrails valid (digest ${engine.digest.slice(0, 16)}…)`);
      } catch (error) {
        if (!reportProblems(error, opts.json ?? false)) throw error;
      }
    });
}
