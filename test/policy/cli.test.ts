import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const tmp = mkdtempSync(join(tmpdir(), "skyops-policy-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function skyops(args: string[], input?: string) {
  const r = spawnSync("node", ["dist/src/cli.js", ...args], { encoding: "utf8", input, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const check = {
  proposal: { id: "p-1", workloadId: "w", proposer: "builtin", createdAtMs: 0, costDeltaUsdPerHour: 0, oneOffCostUsd: 0, expectedDowntimeMs: 0, blastRadius: 0.1, rationale: "clean up", type: "terminate", instanceIds: ["i-1"] },
  facts: { now: "2025-06-02T10:00:00Z", workload: { id: "w" } },
};

describe("skyops policy", () => {
  it("check prints the outcome and the reasons of a proposal read from a file", () => {
    const file = join(tmp, "check.json");
    writeFileSync(file, JSON.stringify(check));
    const r = skyops(["policy", "check", file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^needs-approval {2}p-1/);
    expect(r.out).toContain("terminate-needs-approval: Terminating is never autonomous");
  });

  it("check reads YAML from stdin and prints JSON with --json", () => {
    const yaml = `proposal:\n  ${JSON.stringify(check.proposal)}\nfacts:\n  now: "2025-06-02T10:00:00Z"\n  workload: {id: w, frozen: true}\n`.replace("proposal:\n  ", "proposal: ");
    const r = skyops(["policy", "check", "-", "--json"], yaml);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out) as { outcome: string; reasons: { id: string }[] };
    expect(d.outcome).toBe("deny");
    expect(d.reasons.map((x) => x.id)).toEqual(["frozen"]);
  });

  it("check names the file, line and field of bad input and exits non-zero", () => {
    const file = join(tmp, "bad.yaml");
    writeFileSync(file, "proposal: {}\nfacts:\n  now: yesterday\n  workload: {id: w}\n  colour: red\n");
    const r = skyops(["policy", "check", file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:3:8: facts.now: "yesterday" is not an ISO 8601 time`);
    expect(r.err).toContain(`${file}:5:3: facts: unknown key "colour"`);
  });

  it("test runs the example cases and exits non-zero naming a mismatch", () => {
    expect(skyops(["policy", "test"]).code).toBe(0);
    const dir = join(tmp, "cases");
    cpSync("policies", dir, { recursive: true });
    const path = join(dir, "tests", "contract.yaml");
    writeFileSync(path, readFileSync(path, "utf8").replace("expect: {outcome: deny, reasons: [frozen]}", "expect: {outcome: allow}"));
    const r = skyops(["policy", "test", dir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("FAIL");
    expect(r.out).toContain("a frozen workload is denied every action");
    expect(r.out).toContain("expected allow, got deny");
  });

  it("test takes the policy folder as its argument, runs the cases in its tests folder, and says what it checked", () => {
    const r = skyops(["policy", "test", "policies"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\n\d+ passed, 0 failed: the cases in policies\/tests against the policies in policies \(17 policies, digest [0-9a-f]{16}…\)\n$/);
  });

  it("test checks the policies beside the cases: a broken default.cedar there fails it, naming the file", () => {
    const dir = join(tmp, "other");
    cpSync("policies", dir, { recursive: true });
    writeFileSync(join(dir, "default.cedar"), readFileSync("policies/default.cedar", "utf8").replace("when { resource.frozen };", "when { resource.frozen"));
    const r = skyops(["policy", "test", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/default\.cedar:\d+:\d+: /);
    expect(r.out).not.toMatch(/passed/);
  });

  it("test refuses a folder of cases given in place of the policy folder, saying which folder to give", () => {
    const dir = join(tmp, "other-tests");
    cpSync("policies", dir, { recursive: true });
    const r = skyops(["policy", "test", join(dir, "tests")]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toEqual([`${join(dir, "tests")}: not a policy folder (no *.cedarschema file); it holds test cases: run skyops policy test ${dir}`]);
    expect(r.out).toBe("");
  });

  it("validate accepts the default policies and names file and line of a broken one", () => {
    expect(skyops(["policy", "validate"]).out).toMatch(/^ok: policies: 17 policies/);
    const dir = join(tmp, "broken");
    cpSync("policies", dir, { recursive: true });
    writeFileSync(join(dir, "default.cedar"), readFileSync("policies/default.cedar", "utf8").replace("when { resource.frozen };", "when { resource.frozen"));
    const r = skyops(["policy", "validate", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/default\.cedar:\d+:\d+: /);
  });
});
