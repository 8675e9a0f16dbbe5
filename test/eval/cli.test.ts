import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const tmp = mkdtempSync(join(tmpdir(), "skyops-eval-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function skyops(args: string[]) {
  const r = spawnSync("node", ["dist/src/cli.js", ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** SCENARIOS.md's scorecard fields, in its order. */
const FIELDS = ["name", "passed", "failures", "costUsd", "availability", "deadlinesMissed", "actions", "approvals", "denials", "llmCalls", "llmTokens", "simSeconds", "wallMs"];

describe("skyops eval", () => {
  it("prints one JSON object per scenario with exactly the scorecard's fields, and exits 0 when all pass", () => {
    const r = skyops(["eval", "evals/scenarios/drift-below-threshold.yaml", "evals/scenarios/drift-rollback.yaml", "--json"]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l["name"])).toEqual(["drift-below-threshold", "drift-rollback"]);
    for (const l of lines) expect(Object.keys(l)).toEqual(FIELDS);
    expect(lines[1]).toMatchObject({ passed: true, failures: [], actions: { rollback: 1 }, deadlinesMissed: 0, llmCalls: 0, llmTokens: 0, simSeconds: 3 * 3600 });
    expect((lines[1]!["availability"] as Record<string, number>)["fraud-model"]).toBeGreaterThan(0.99);
  });

  it("spells out each failed expectation in the scorecard and exits 1", () => {
    const file = join(tmp, "wrong-expectations.yaml");
    const text = readFileSync("evals/scenarios/drift-rollback.yaml", "utf8")
      .replace("name: drift-rollback", "name: wrong-expectations")
      .replace("  never:\n", "  approvals: {min: 2}\n  maxCostUsd: 1\n  never:\n    - {type: rollback}\n");
    writeFileSync(file, text);
    const r = skyops(["eval", file, "--no-repeat"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL +wrong-expectations/m);
    expect(r.out).toContain("✗ never rollback: executed rollback of fraud-model at 1h");
    expect(r.out).toContain("✗ approvals: 0 raised, expected at least 2");
    expect(r.out).toMatch(/✗ cost \$\d+\.\d\d is over maxCostUsd \$1\.00/);
    expect(r.out).toContain("1 scenario: 0 passed, 1 failed");
  });

  it("names the file, line and key of a bad scenario and exits 2 without running anything", () => {
    const file = join(tmp, "bad.yaml");
    writeFileSync(file, readFileSync("evals/scenarios/drift-rollback.yaml", "utf8").replace("tick: 1m", "tick: 1m\nautonomyy: auto"));
    const r = skyops(["eval", file, "evals/scenarios/quiet-day.yaml"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:6:1: unknown key "autonomyy"`);
    expect(r.out).toBe("");
  });

  it("refuses a path that does not exist, and a folder without scenarios", () => {
    const empty = mkdtempSync(join(tmp, "empty-"));
    const r = skyops(["eval", join(tmp, "nope.yaml"), empty]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(tmp, "nope.yaml")}: no such file or folder`);
    expect(r.err).toContain(`${empty}: no *.yaml scenario files in this folder`);
  });

  it("keeps a scenario's state for status and audit, and never replaces a folder that is not an earlier run's", () => {
    const keep = join(tmp, "keep");
    const first = skyops(["eval", "evals/scenarios/drift-below-threshold.yaml", "--no-repeat", "--keep-state", keep]);
    expect(first.code).toBe(0);
    expect(existsSync(join(keep, "drift-below-threshold", "skyops.db"))).toBe(true);
    // an earlier run's state is replaced
    expect(skyops(["eval", "evals/scenarios/drift-below-threshold.yaml", "--no-repeat", "--keep-state", keep]).code).toBe(0);
    // someone's own folder of that name is not
    const mine = join(tmp, "mine");
    mkdirSync(join(mine, "drift-below-threshold"), { recursive: true });
    writeFileSync(join(mine, "drift-below-threshold", "notes.txt"), "keep me");
    const r = skyops(["eval", "evals/scenarios/drift-below-threshold.yaml", "--keep-state", mine]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(mine, "drift-below-threshold")} holds files that are not an earlier run's state; not replacing it`);
    expect(readFileSync(join(mine, "drift-below-threshold", "notes.txt"), "utf8")).toBe("keep me");
    const file = skyops(["eval", "evals/scenarios/drift-below-threshold.yaml", "--keep-state", join(mine, "drift-below-threshold", "notes.txt")]);
    expect(file.code).toBe(2);
    expect(file.err).toContain("not a folder");
  });

  it("says plainly that the LLM planner needs an endpoint, and fails the scenario", () => {
    const r = skyops(["eval", "evals/scenarios/drift-below-threshold.yaml", "--planner", "llm", "--json"]);
    expect(r.code).toBe(1);
    const [line] = r.out.trim().split("\n").map((l) => JSON.parse(l) as { passed: boolean; failures: string[] });
    expect(line!.passed).toBe(false);
    expect(line!.failures[0]).toMatch(/^planner llm needs an OpenAI-compatible endpoint/);
  });
});
