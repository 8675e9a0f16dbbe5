import { describe, expect, it } from "vitest";
import { scenarioFiles } from "../../src/cli/eval.js";
import { runScenario } from "../../src/cli/eval/run.js";
import { readScenarios } from "../../src/cli/eval/scenario.js";
import { loadWorldData } from "../../src/data/load.js";

/**
 * The scenario suite, as CI runs it: every file of evals/scenarios with the built-in planner, each run
 * twice (the determinism invariant). A failure prints the scenario's failed expectations.
 */
const { files } = scenarioFiles(["evals/scenarios"]);
const scenarios = readScenarios(files, "policies");
const data = loadWorldData();

describe("evals/scenarios", () => {
  it("has at least 20 scenarios", () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(20);
  });

  for (const s of scenarios) {
    it(s.name, { timeout: 180_000 }, async () => {
      const r = await runScenario(s, { data, planner: "builtin" });
      expect(r.failures).toEqual([]);
      expect(r.passed).toBe(true);
    });
  }
});
