import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/cli/eval/run.js";
import { parseScenario, readScenarios } from "../../src/cli/eval/scenario.js";
import { loadWorldData } from "../../src/data/load.js";
import { InputError, type InputProblem } from "../../src/server/yaml-input.js";

const EXAMPLE = "test/eval/fixtures/scenarios-md-example.yaml";
const example = readFileSync(EXAMPLE, "utf8");

function problems(text: string, file = "s.yaml"): InputProblem[] {
  try {
    parseScenario(file, text, "policies");
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error("expected the scenario to be refused");
}

/** The example with one line replaced (the line must exist). */
function edit(from: string, to: string): string {
  expect(example).toContain(from);
  return example.replace(from, to);
}

describe("scenario files", () => {
  it("reads SCENARIOS.md's own example unchanged: times, durations, shapes, events, expectations", () => {
    const s = parseScenario(EXAMPLE, example, "policies");
    expect(s.name).toBe("spot-surge-migrates-training");
    expect(s.start).toBe(Date.UTC(2025, 5, 1));
    expect(s.duration).toBe(12 * 3_600_000);
    expect(s.tick).toBe(5 * 60_000);
    expect(s.autonomy).toBe("auto");
    expect(s.budgetUsdPerDay).toBe(20_000);
    expect(s.workloads.map((w) => [w.id, w.kind, `${w.gpu.name}:${w.gpu.count}`])).toEqual([
      ["finetune-llama", "training", "A100:8"],
      ["chat-api", "inference", "L4:1"],
    ]);
    expect(s.events).toHaveLength(8);
    expect(s.events[0]).toEqual({ at: 1_800_000, price: { cloud: "aws", region: "us-east-1", gpu: "A100", spot: true, factor: 4, for: 6 * 3_600_000 } });
    expect(s.expect.actions[1]).toEqual({ type: "failover", workload: "chat-api", after: 2 * 3_600_000, before: 2 * 3_600_000 + 15 * 60_000 });
    expect(s.expect.never).toEqual([{ type: "terminate" }, { workload: "frozen-batch" }, { to: { region: "us-east-1" }, workload: "eu-only" }]);
    expect(s.expect.minAvailability).toEqual({ "chat-api": 0.995 });
    expect(s.policyDir).toBe("policies");
  });

  it("runs SCENARIOS.md's example unchanged: no crash, every invariant holds, each unmet expectation spelled out", { timeout: 120_000 }, async () => {
    const r = await runScenario(parseScenario(EXAMPLE, example, "policies"), { data: loadWorldData(), checkDeterminism: false });
    expect(r.simSeconds).toBe(12 * 3600);
    expect(r.actions.migrate).toBeGreaterThan(0);
    expect(r.actions.failover).toBeGreaterThan(0);
    expect(r.actions.rollback).toBe(1);
    // what may fail is the example's own illustrative expectations (which cloud, how available), never an invariant
    for (const f of r.failures) expect(f).toMatch(/^(expected |availability of |approvals: )/);
  });

  it("applies the documented defaults", () => {
    const s = parseScenario(
      "min.yaml",
      "name: min\nabout: smallest\nseed: 1\nduration: 1h\nworkloads:\n  - {id: j, kind: training, gpu: A100:8, at: {cloud: aws, region: us-east-1}, workHours: 2}\n",
      "policies",
    );
    expect(s).toMatchObject({ tick: 60_000, autonomy: "auto", approver: "approve", planner: "builtin", policies: "default", events: [], expect: { actions: [], never: [], minAvailability: {} } });
    expect(s.start).toBeUndefined();
  });

  it("names an unknown key with its file and line, at the top level, in an event and in an expectation", () => {
    expect(problems(edit("tick: 5m", "tick: 5m\nticks: 3"))).toEqual([{ file: "s.yaml", line: 7, column: 1, problem: 'unknown key "ticks"' }]);
    const [event] = problems(edit("factor: 4, for: 6h", "factor: 4, for: 6h, fro: 1h"));
    expect(event).toMatchObject({ file: "s.yaml", line: 34, problem: 'events.0.price: unknown key "fro"' });
    const [unknownKind] = problems(edit("{at: 6h, drift:", "{at: 6h, drfit:"));
    expect(unknownKind).toMatchObject({ line: 39, problem: expect.stringContaining('unknown event "drfit"') });
    const [match] = problems(edit("- {type: rollback, workload: chat-api}", "- {type: rollback, workload: chat-api, when: 3h}"));
    expect(match).toMatchObject({ line: 47, problem: 'expect.actions.2: unknown key "when"' });
  });

  it("names a bad value: duration, accelerator, action type, autonomy, time", () => {
    expect(problems(edit("duration: 12h", "duration: 12x"))[0]).toMatchObject({ line: 5, problem: expect.stringMatching(/^duration: /) });
    expect(problems(edit("gpu: A100:8", "gpu: A100:x"))[0]).toMatchObject({ line: 17, problem: expect.stringMatching(/^workloads\.0\.gpu: /) });
    expect(problems(edit("{type: terminate}", "{type: reboot}"))[0]).toMatchObject({ line: 49, problem: expect.stringMatching(/^expect\.never\.0\.type: /) });
    expect(problems(edit("autonomy: auto ", "autonomy: yolo "))[0]).toMatchObject({ line: 8, problem: expect.stringMatching(/^autonomy: /) });
    expect(problems(edit("start: 2025-06-01T00:00:00Z", "start: June 1st"))[0]).toMatchObject({ line: 4, problem: expect.stringContaining("not an ISO 8601 time") });
  });

  it("refuses an event or an expected action about a workload the scenario does not have, naming it", () => {
    const [p] = problems(edit("preempt: {workload: finetune-llama}", "preempt: {workload: finetune-lama}"));
    expect(p!.problem).toBe('events.3.preempt.workload: no workload "finetune-lama" in this scenario (workloads: finetune-llama, chat-api)');
    const [q] = problems(edit("{type: rollback, workload: chat-api}", "{type: rollback, workload: chat-ap}"));
    expect(q!.problem).toContain('no workload "chat-ap"');
  });

  it("reports every file's problems together, and a name used twice", () => {
    let error: InputError | null = null;
    try {
      readScenarios([EXAMPLE, EXAMPLE, "test/eval/fixtures/no-such-file.yaml"], "policies");
    } catch (e) {
      error = e as InputError;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error!.problems.map((p) => p.problem)).toEqual([
      "cannot read the scenario: no such file (ENOENT)",
      `name: "spot-surge-migrates-training" is also the name of ${EXAMPLE}; scenario names are unique`,
    ]);
  });

  it("reads every scenario of evals/scenarios", () => {
    const files = readFileSync("evals/scenarios/README.md", "utf8").match(/\(([a-z0-9-]+\.yaml)\)/g)!.map((m) => `evals/scenarios/${m.slice(1, -1)}`);
    const scenarios = readScenarios(files, "policies");
    expect(scenarios.length).toBeGreaterThanOrEqual(20);
  });
});
