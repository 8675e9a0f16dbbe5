import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PolicyLoadError } from "../../src/policy/index.js";
import { loadPolicyEngine } from "../../src/server/policy-files.js";
import { PolicyStore } from "../../src/server/policy-store.js";

const dirs: string[] = [];
function copyPolicies(): string {
  const dir = mkdtempSync(join(tmpdir(), "skyops-policies-"));
  cpSync("policies", dir, { recursive: true });
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function loadError(dir: string): PolicyLoadError {
  try {
    loadPolicyEngine(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyLoadError);
    return error as PolicyLoadError;
  }
  throw new Error("expected the policies to be refused");
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, change(readFileSync(path, "utf8")));
}

describe("loading policies fails closed, naming file, line and problem", () => {
  it("a syntax error in a policy", () => {
    const dir = copyPolicies();
    edit(dir, "default.cedar", (t) => t.replace("when { resource.frozen };", "when { resource.frozen "));
    const e = loadError(dir);
    expect(e.problems[0]!.file).toMatch(/default\.cedar$/);
    expect(e.problems[0]!.line).toBeGreaterThan(1);
    expect(e.message).toMatch(/default\.cedar:\d+:\d+: /);
  });

  it("a policy that does not type-check against the schema, at its line", () => {
    const dir = copyPolicies();
    writeFileSync(join(dir, "extra.cedar"), `\n\n@id("typo")\n@reason("misspelt attribute")\nforbid (principal, action in Action::"operate", resource)\nwhen { resource.teir == "prod" };\n`);
    const e = loadError(dir);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]!.file).toMatch(/extra\.cedar$/);
    expect(e.problems[0]!.line).toBe(6);
    expect(e.problems[0]!.problem).toMatch(/teir/);
  });

  it("a policy without @id or @reason, and an id used twice", () => {
    const dir = copyPolicies();
    writeFileSync(join(dir, "extra.cedar"), `permit (principal, action == Action::"rollback", resource);\n\n@id("frozen")\n@reason("again")\nforbid (principal, action in Action::"operate", resource);\n\n@id("no-reason")\nforbid (principal, action in Action::"operate", resource);\n`);
    const problems = loadError(dir).problems.map((p) => `${p.line}: ${p.problem}`);
    expect(problems).toEqual([
      expect.stringMatching(/^1: this policy has no @id/),
      expect.stringMatching(/^3: policy id "frozen" is used twice \(also at .*default\.cedar:\d+\)/),
      expect.stringMatching(/^7: policy "no-reason" has no @reason/),
    ]);
  });

  it("a schema that does not parse", () => {
    const dir = copyPolicies();
    edit(dir, "skyops.cedarschema", (t) => t.replace("entity Agent;", "entity Agent"));
    const e = loadError(dir);
    expect(e.problems[0]!.file).toMatch(/skyops\.cedarschema$/);
  });

  it("bad guardrails: every problem at once, each at its line", () => {
    const dir = copyPolicies();
    writeFileSync(join(dir, "guardrails.yaml"), "budgetUsdPerDay: -5\nmaxInFlight: 2\ncircuitBreaker:\n  failures: 3\n  window: fortnight\nchangeWindows:\n  timezone: Mars/Olympus\nsurprise: 1\n");
    const problems = loadError(dir).problems.map((p) => `${p.line}: ${p.problem}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1: budgetUsdPerDay: /),
        expect.stringMatching(/^5: circuitBreaker\.window: "fortnight" is not a duration/),
        expect.stringMatching(/^8: unknown key "surprise"/),
      ]),
    );
  });

  it("a bad time zone in the change windows", () => {
    const dir = copyPolicies();
    edit(dir, "guardrails.yaml", (t) => t.replace("timezone: UTC", "timezone: Mars/Olympus"));
    expect(loadError(dir).message).toMatch(/guardrails\.yaml:\d+:\d+: changeWindows\.timezone: "Mars\/Olympus" is not a time zone/);
  });

  it("a folder with no schema or no policies", () => {
    const dir = mkdtempSync(join(tmpdir(), "skyops-empty-"));
    dirs.push(dir);
    expect(loadError(dir).problems.map((p) => p.problem)).toEqual([expect.stringMatching(/no \*\.cedarschema/), expect.stringMatching(/no \*\.cedar policy files/)]);
  });
});

describe("reloading policies", () => {
  it("swaps to a valid new set and keeps the old set when the new one is invalid", () => {
    const dir = copyPolicies();
    const store = new PolicyStore(dir);
    const first = store.current;
    edit(dir, "guardrails.yaml", (t) => t.replace("budgetUsdPerDay: 5000", "budgetUsdPerDay: 6000"));
    const ok = store.reload();
    expect(ok.ok).toBe(true);
    expect(store.current).not.toBe(first);
    expect(store.current.guardrails.budgetUsdPerDay).toBe(6000);
    const second = store.current;
    edit(dir, "default.cedar", (t) => t + "\nforbid (principal, action, resource) when {");
    const bad = store.reload();
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/default\.cedar/);
    expect(store.current).toBe(second);
    expect(store.current.policies().length).toBe(first.policies().length);
  });

  it("refuses to start on an invalid set", () => {
    const dir = copyPolicies();
    edit(dir, "default.cedar", (t) => t.replace('@id("frozen")', ""));
    expect(() => new PolicyStore(dir)).toThrow(PolicyLoadError);
  });
});
