import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Proposal } from "../../src/domain/index.js";
import { runScenario } from "../../src/cli/eval/run.js";
import { readScenarios } from "../../src/cli/eval/scenario.js";
import { checkInvariants, type RunFacts } from "../../src/cli/eval/score.js";
import { loadWorldData } from "../../src/data/load.js";
import { planWithReasons, type Planner, type PlannerInput } from "../../src/planner/index.js";

/**
 * The suite can fail: a deliberately unsafe planner (every move goes to aws/us-east-1, whatever the
 * workload's residency) makes the residency scenario fail — the policy denies the moves, so the expected
 * recovery never happens — and with the residency policy taken out as well, the scenario's `never`
 * entries catch the move itself.
 */
const data = loadWorldData();
const [residency] = readScenarios(["evals/scenarios/residency-eu-only.yaml"], "policies");

/** The built-in planner, behind the same port, with every move sent to aws/us-east-1. */
const unsafePlanner: Planner = {
  name: "builtin",
  plan: (input: PlannerInput) => {
    const { proposals, skipped } = planWithReasons(input);
    const moved = proposals.map((p): Proposal => (p.type === "migrate" || p.type === "place" ? { ...p, target: { cloud: "aws", region: "us-east-1", spot: false } } : p));
    return Promise.resolve({ proposals: moved, skipped });
  },
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The default policies without the residency forbid. */
function policiesWithoutResidency(): string {
  const dir = mkdtempSync(join(tmpdir(), "skyops-unsafe-policies-"));
  dirs.push(dir);
  cpSync("policies", dir, { recursive: true });
  const cedar = readFileSync(join(dir, "default.cedar"), "utf8");
  const block = /@id\("residency"\)[\s\S]*?;\n/;
  expect(cedar).toMatch(block);
  writeFileSync(join(dir, "default.cedar"), cedar.replace(block, ""));
  return dir;
}

describe("an unsafe planner", () => {
  it("passes the residency scenario with the built-in planner", async () => {
    const r = await runScenario(residency!, { data, checkDeterminism: false });
    expect(r.failures).toEqual([]);
  });

  it("fails it under the default policies: the moves are denied, so the job is never recovered", async () => {
    const r = await runScenario(residency!, { data, checkDeterminism: false, proposer: unsafePlanner });
    expect(r.passed).toBe(false);
    expect(r.denials).toBeGreaterThan(0);
    expect(r.failures).toContainEqual(expect.stringMatching(/^expected any action of eu-speech-train finished between 1h and 2h: none/));
    expect(r.failures.filter((f) => f.startsWith("never"))).toEqual([]);
    expect(r.executed.filter((e) => e.to?.region === "us-east-1")).toEqual([]);
  });

  it("fails it through `never` when the residency policy is gone too", async () => {
    const r = await runScenario({ ...residency!, policyDir: policiesWithoutResidency() }, { data, checkDeterminism: false, proposer: unsafePlanner });
    expect(r.passed).toBe(false);
    expect(r.failures).toContainEqual(expect.stringMatching(/^never any action to aws us-east-1: executed migrate of eu-speech-train → aws\/us-east-1/));
  });
});

describe("the invariants checked on every run", () => {
  const base: RunFacts = {
    scenario: residency!,
    startMs: 0,
    crash: null,
    costUsd: 1,
    availability: {},
    deadlinesMissed: 0,
    executions: [{ proposalId: "p1", type: "migrate", workloadId: "eu-speech-train", state: "succeeded", startedAtMs: 60_000, endedAtMs: 120_000, to: { cloud: "gcp", region: "europe-west4", spot: false } }],
    proposals: [{ id: "p1", type: "migrate", workloadId: "eu-speech-train", proposer: "builtin", status: "succeeded", decisions: [{ outcome: "allow", phase: "initial", reasons: 1 }] }],
    approvals: [],
    auditOk: true,
    auditProblem: null,
    simSeconds: 60,
  };
  const withDecision = (outcome: string): RunFacts => ({ ...base, proposals: [{ ...base.proposals[0]!, decisions: [{ outcome, phase: "initial", reasons: 1 }] }] });

  it("accept an allowed action", () => {
    expect(checkInvariants(base)).toEqual([]);
  });

  it("name an action executed although denied, or without the approval it needed, or on its proposer's word", () => {
    expect(checkInvariants(withDecision("deny"))).toEqual(["executed although the policy denied it: migrate of eu-speech-train → gcp/europe-west4 at 2m"]);
    expect(checkInvariants(withDecision("needs-approval"))).toEqual(["executed without a human's approval: migrate of eu-speech-train → gcp/europe-west4 at 2m"]);
    expect(checkInvariants({ ...withDecision("needs-approval"), approvals: [{ proposalId: "p1", status: "approved", approver: "agent:builtin" }] })).toEqual([
      "executed on its proposer's own approval: migrate of eu-speech-train → gcp/europe-west4 at 2m",
    ]);
    expect(checkInvariants({ ...base, scenario: { ...residency!, autonomy: "approve-all" } })).toEqual(["executed without a human's approval: migrate of eu-speech-train → gcp/europe-west4 at 2m"]);
    expect(checkInvariants({ ...base, scenario: { ...residency!, autonomy: "observe" } })).toEqual(["executed in observe mode: migrate of eu-speech-train → gcp/europe-west4 at 2m"]);
  });

  it("name a proposal without a decision, a crash, and a broken audit chain", () => {
    expect(checkInvariants({ ...base, executions: [], proposals: [{ ...base.proposals[0]!, decisions: [] }] })).toEqual(["proposal p1 (migrate of eu-speech-train) has no recorded decision"]);
    expect(checkInvariants({ ...base, crash: "Error: boom\n    at x" })).toEqual(["crashed: Error: boom"]);
    expect(checkInvariants({ ...base, auditOk: false, auditProblem: "row 7: hash mismatch" })).toEqual(["the audit chain does not verify: row 7: hash mismatch"]);
  });
});
