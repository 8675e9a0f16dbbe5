import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseScenario, readScenarios } from "../../src/cli/eval/scenario.js";
import { loadConfig } from "../../src/server/config.js";
import { readPolicySources } from "../../src/server/policy-files.js";
import { InputError, parseYamlInput } from "../../src/server/yaml-input.js";
import { PolicyLoadError } from "../../src/policy/index.js";
import { cpSync } from "node:fs";

/*
 * Every YAML input skyops reads (configuration, scenarios, policy guardrails and cases, policy check input)
 * goes through one reader: its problems carry the real line and column, and documents built to exhaust
 * memory or time (alias bombs, oversized or deeply nested documents) are refused by limits, each with a
 * line that says which limit and where.
 */

const dir = mkdtempSync(join(tmpdir(), "skyops-yaml-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string, name = `f${++n}.yaml`): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The located problems an input gives, as `line:column: problem`. */
function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (error) {
    if (error instanceof InputError || error instanceof PolicyLoadError) return error.problems.map((p) => `${p.line}:${p.column}: ${p.problem}`);
    throw error;
  }
  return [];
}

const Anything = z.unknown();

/** The billion laughs: nine levels of ten aliases, 10⁹ nodes once expanded, in under a kilobyte. */
function aliasBomb(): string {
  const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

describe("YAML problems", () => {
  it("are located at their real line and column, not at 1:1", () => {
    expect(problems(() => parseYamlInput("x.yaml", "name: x\nabout: [\n", Anything))).toEqual([expect.stringMatching(/^2:8: /)]);
    expect(problems(() => parseYamlInput("x.yaml", "autonomy: auto\nautonomy: observe\n", Anything))).toEqual(["2:1: Map keys must be unique"]);
    expect(problems(() => parseYamlInput("x.yaml", "a: 1\nb:\n\tc: 2\n", Anything))[0]).toMatch(/^3:1: /);
  });

  it("of an eval file on line 2 name line 2", () => {
    const path = file("name: broken\nabout: \"never closed\n");
    expect(problems(() => readScenarios([path], "policies"))).toEqual([expect.stringMatching(/^2:8: Missing closing "quote/)]);
  });

  it("of a configuration on line 2 name line 2, the checks across options included", () => {
    expect(problems(() => loadConfig({ file: file("logLevel: info\nlogLevel: warn\n"), env: {} }))).toEqual(["2:1: Map keys must be unique"]);
    expect(problems(() => loadConfig({ file: file("logLevel: info\nhttp: 10.1.2.3:7070\n"), env: {} }))).toEqual([expect.stringMatching(/^2:7: http: 10\.1\.2\.3:7070 is not a loopback address/)]);
  });

  it("name an alias with no anchor before it, where it is", () => {
    expect(problems(() => parseYamlInput("x.yaml", "a: &x 1\nb: *y\n", Anything))).toEqual([expect.stringMatching(/^2:4: .*\*y.*no anchor &y before it/)]);
  });

  it("of the guardrails name the line in guardrails.yaml", () => {
    const policies = join(dir, "policies-dup");
    cpSync("policies", policies, { recursive: true });
    writeFileSync(join(policies, "guardrails.yaml"), "maxInFlight: 2\nmaxInFlight: 3\n");
    expect(problems(() => readPolicySources(policies))).toEqual(["2:1: Map keys must be unique"]);
  });
});

describe("YAML limits", () => {
  it("refuse an alias bomb at the alias that crosses the limit, before it is expanded", () => {
    const started = performance.now();
    const found = problems(() => parseYamlInput("bomb.yaml", aliasBomb(), Anything));
    expect(found).toEqual([expect.stringMatching(/^\d+:\d+: .*aliases .*more than 100000 nodes/)]);
    expect(Number(found[0]!.split(":")[0])).toBeGreaterThan(1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("refuse more aliases than the limit, naming the first one over it", () => {
    const text = `a: &a 1\nlist:\n${Array.from({ length: 1_001 }, () => "  - *a").join("\n")}\n`;
    expect(problems(() => parseYamlInput("many.yaml", text, Anything))).toEqual([expect.stringMatching(/^1003:5: .*more than 1000 aliases/)]);
  });

  it("refuse an alias inside the node it names", () => {
    expect(problems(() => parseYamlInput("self.yaml", "a: &a\n  b: *a\n", Anything))).toEqual([expect.stringMatching(/^2:6: .*\*a.*inside the node it names/)]);
  });

  it("keep merge keys and anchors of ordinary size working", () => {
    const value = parseYamlInput("ok.yaml", "base: &b {x: 1, y: 2}\nmore: {<<: *b, y: 3}\nlist: [*b, *b]\n", Anything);
    expect(value).toEqual({ base: { x: 1, y: 2 }, more: { x: 1, y: 3 }, list: [{ x: 1, y: 2 }, { x: 1, y: 2 }] });
  });

  it("refuse a document over the size limit, saying the limit", () => {
    const text = `about: "${"x".repeat(1_048_576)}"\n`;
    expect(problems(() => parseYamlInput("big.yaml", text, Anything))).toEqual([expect.stringMatching(/^0:0: .*over 1048576 bytes/)]);
  });

  it("refuse nesting deeper than the limit, at the first collection too deep", () => {
    const flow = `a: ${"[".repeat(65)}${"]".repeat(65)}\n`;
    expect(problems(() => parseYamlInput("deep.yaml", flow, Anything))).toEqual([expect.stringMatching(/^1:67: .*nested more than 64 deep/)]);
    const block = `${Array.from({ length: 70 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} 1\n`;
    expect(problems(() => parseYamlInput("deep-block.yaml", block, Anything))).toEqual([expect.stringMatching(/^65:65: .*nested more than 64 deep/)]);
    expect(parseYamlInput("deep-ok.yaml", `a: ${"[".repeat(63)}${"]".repeat(63)}\n`, Anything)).toBeTruthy();
  });

  it("refuse an alias bomb in a configuration, a scenario and the guardrails, by file and line", () => {
    const bomb = file(aliasBomb(), "bomb.yaml");
    expect(problems(() => loadConfig({ file: bomb, env: {} }))).toEqual([expect.stringMatching(/^\d+:\d+: .*aliases/)]);
    expect(problems(() => readScenarios([bomb], "policies"))).toEqual([expect.stringMatching(/^\d+:\d+: .*aliases/)]);
    expect(problems(() => parseScenario(bomb, aliasBomb(), "policies"))).toEqual([expect.stringMatching(/^\d+:\d+: .*aliases/)]);
    const policies = join(dir, "policies-bomb");
    cpSync("policies", policies, { recursive: true });
    writeFileSync(join(policies, "guardrails.yaml"), aliasBomb());
    expect(problems(() => readPolicySources(policies))).toEqual([expect.stringMatching(/^\d+:\d+: .*aliases/)]);
  });

  it("read no more of a file than the limit, so an endless one is refused too", () => {
    const started = performance.now();
    expect(problems(() => loadConfig({ file: "/dev/zero", env: {} }))).toEqual([expect.stringMatching(/^0:0: .*over 1048576 bytes/)]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
