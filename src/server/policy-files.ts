import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import type { Offer } from "../domain/index.js";
import { GuardrailsSchema, PolicyEngine, PolicyLoadError, PolicyTestCaseSchema, isTimeZone, type Guardrails, type PolicySources, type PolicyTestCase } from "../policy/index.js";
import { cedarWasm } from "./cedar-tier.js";
import { InputError, parseYamlInput, readYamlFile, type InputProblem } from "./yaml-input.js";

const GuardrailsFileSchema = GuardrailsSchema.superRefine((g, ctx) => {
  if (!isTimeZone(g.changeWindows.timezone)) {
    ctx.addIssue({ code: "custom", path: ["changeWindows", "timezone"], message: `"${g.changeWindows.timezone}" is not a time zone this runtime knows (use an IANA name such as Europe/Berlin)` });
  }
});

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/**
 * Reads a policy folder: `skyops.cedarschema`, every `*.cedar`, and `guardrails.yaml` (optional: defaults
 * apply). Throws PolicyLoadError listing every problem with file, line and what is wrong.
 */
export function readPolicySources(dir: string): PolicySources {
  const problems: InputProblem[] = [];
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a folder");
    entries = readdirSync(dir).sort();
  } catch (error) {
    throw new PolicyLoadError([{ file: display(dir), line: 1, column: 1, problem: `cannot read the policy folder: ${(error as Error).message}` }]);
  }
  const schemaFile = entries.find((e) => e.endsWith(".cedarschema"));
  if (!schemaFile) problems.push({ file: display(dir), line: 1, column: 1, problem: "no *.cedarschema file: the policies need a schema" });
  const cedarFiles = entries.filter((e) => e.endsWith(".cedar"));
  if (cedarFiles.length === 0) problems.push({ file: display(dir), line: 1, column: 1, problem: "no *.cedar policy files" });
  let guardrails: Guardrails = GuardrailsSchema.parse({});
  if (entries.includes("guardrails.yaml")) {
    const file = join(dir, "guardrails.yaml");
    try {
      guardrails = parseYamlInput(display(file), readYamlFile(file, "the guardrails", display(file)), GuardrailsFileSchema);
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new PolicyLoadError(problems);
  return {
    schema: { file: display(join(dir, schemaFile!)), text: readFileSync(join(dir, schemaFile!), "utf8") },
    policies: cedarFiles.map((f) => ({ file: display(join(dir, f)), text: readFileSync(join(dir, f), "utf8") })),
    guardrails,
  };
}

/** Loads a policy folder into an engine (fail closed: any problem throws PolicyLoadError). */
export function loadPolicyEngine(dir: string, options: { catalog?: readonly Offer[]; warmup?: number; guardrails?: Partial<z.input<typeof GuardrailsSchema>> } = {}): PolicyEngine {
  const sources = readPolicySources(dir);
  if (options.guardrails) sources.guardrails = GuardrailsSchema.parse({ ...sources.guardrails, ...options.guardrails });
  return PolicyEngine.create(sources, { ...options, cedar: cedarWasm() });
}

export const PolicyTestFileSchema = z.strictObject({
  about: z.string().optional(),
  /** Anchors to merge into cases (`<<: *name`); not cases themselves. */
  templates: z.unknown().optional(),
  cases: z.array(PolicyTestCaseSchema).min(1),
});

export interface PolicyCaseResult {
  file: string;
  name: string;
  passed: boolean;
  outcome: string;
  expected: string;
  reasons: string[];
  problem: string | null;
}

/** Reads every `*.yaml` of a tests folder (sorted), validating each file. */
export function readPolicyCases(dir: string): { file: string; cases: PolicyTestCase[] }[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  const problems: InputProblem[] = [];
  const out: { file: string; cases: PolicyTestCase[] }[] = [];
  for (const f of files) {
    const path = join(dir, f);
    try {
      out.push({ file: display(path), cases: parseYamlInput(display(path), readYamlFile(path, "the test cases", display(path)), PolicyTestFileSchema).cases });
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/** Runs example cases against a policy folder; a case with guardrail overrides gets its own engine. */
export function runPolicyCases(policyDir: string, testsDir: string, options: { catalog?: readonly Offer[] } = {}): PolicyCaseResult[] {
  const sources = readPolicySources(policyDir);
  const engines = new Map<string, PolicyEngine>();
  const engineFor = (overrides: Record<string, unknown> | undefined): PolicyEngine => {
    const key = JSON.stringify(overrides ?? {});
    let engine = engines.get(key);
    if (!engine) {
      engine = PolicyEngine.create({ ...sources, guardrails: GuardrailsSchema.parse({ ...sources.guardrails, ...(overrides ?? {}) }) }, { ...options, cedar: cedarWasm() });
      engines.set(key, engine);
    }
    return engine;
  };
  const results: PolicyCaseResult[] = [];
  for (const { file, cases } of readPolicyCases(testsDir)) {
    for (const c of cases) {
      const decision = engineFor(c.guardrails).decide(c.proposal, c.facts);
      const ids = decision.reasons.map((r) => r.id);
      const missing = (c.expect.reasons ?? []).filter((id) => !ids.includes(id));
      const problems: string[] = [];
      if (decision.outcome !== c.expect.outcome) problems.push(`expected ${c.expect.outcome}, got ${decision.outcome} (${decision.reasons.map((r) => `${r.id}: ${r.reason}`).join("; ")})`);
      if (missing.length > 0) problems.push(`expected reasons ${missing.join(", ")} among ${ids.join(", ") || "none"}`);
      results.push({ file, name: c.name, passed: problems.length === 0, outcome: decision.outcome, expected: c.expect.outcome, reasons: ids, problem: problems.length > 0 ? problems.join("; ") : null });
    }
  }
  return results;
}
