import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readPolicyCases, readPolicySources, runPolicyCases } from "../../src/server/policy-files.js";
import { PolicyEngine } from "../../src/policy/index.js";
import { cedarWasm } from "../../src/server/cedar-tier.js";

/**
 * The default policy contract, both sides of every line, through the real Cedar engine: each example
 * case of policies/tests is one test here (and `skyops policy test` runs the same cases).
 */
const results = runPolicyCases("policies", "policies/tests");

describe("the default policy contract", () => {
  for (const r of results) {
    it(r.name, () => {
      expect(r.problem).toBeNull();
      expect(r.outcome).toBe(r.expected);
    });
  }

  it("has a case that fires every forbid of the default policies", () => {
    const engine = PolicyEngine.create(readPolicySources("policies"), { cedar: cedarWasm() });
    const forbids = engine.policies().filter((p) => p.effect === "forbid" && p.id !== "no-self-approval").map((p) => p.id);
    const fired = new Set(results.flatMap((r) => r.reasons));
    expect(forbids.filter((id) => !fired.has(id))).toEqual([]);
  });

  it("has for every forbid a case where it does not fire and the action runs", () => {
    const cases = readPolicyCases("policies/tests").flatMap((f) => f.cases);
    expect(cases.filter((c) => c.expect.outcome === "allow").length).toBeGreaterThanOrEqual(12);
  });

  it("fails a case when a policy it relies on is removed: the suite can fail", () => {
    const sources = readPolicySources("policies");
    const text = sources.policies[0]!.text.replace(/@id\("frozen"\)[\s\S]*?when \{ resource\.frozen \};/, "");
    expect(text).not.toContain('@id("frozen")');
    const engine = PolicyEngine.create({ ...sources, policies: [{ file: "weakened.cedar", text }] }, { cedar: cedarWasm() });
    const frozenCase = readPolicyCases("policies/tests")
      .flatMap((f) => f.cases)
      .find((c) => c.name === "a frozen workload is denied every action")!;
    expect(engine.decide(frozenCase.proposal, frozenCase.facts).outcome).toBe("allow");
  });
});

describe("approvals", () => {
  const engine = PolicyEngine.create(readPolicySources("policies"), { cedar: cedarWasm() });
  const workload = { id: "w", team: "t", tier: "prod" as const, residency: [], frozen: false, maxUsdPerHour: null, usdPerHour: 0 };
  it("lets a person approve another's proposal", () => {
    expect(engine.mayApprove({ kind: "user", id: "alice" }, { workloadId: "w", proposerId: "builtin" }, workload).allowed).toBe(true);
  });
  it("never lets the proposer approve its own proposal", () => {
    const r = engine.mayApprove({ kind: "user", id: "alice" }, { workloadId: "w", proposerId: "alice" }, workload);
    expect(r.allowed).toBe(false);
    expect(r.reasons.map((x) => x.id)).toContain("no-self-approval");
    expect(engine.mayApprove({ kind: "user", id: "alice" }, { workloadId: "w", proposerId: "user:Alice" }, workload).reasons.map((x) => x.id)).toContain("no-self-approval");
    expect(engine.mayApprove({ kind: "user", id: "bob" }, { workloadId: "w", proposerId: "user:alice" }, workload).allowed).toBe(true);
  });
  it("never lets an agent approve", () => {
    expect(engine.mayApprove({ kind: "agent", id: "llm" }, { workloadId: "w", proposerId: "builtin" }, workload).allowed).toBe(false);
  });
});

describe("decisions", () => {
  const engine = PolicyEngine.create(readPolicySources("policies"), { cedar: cedarWasm() });
  const facts = { now: Date.UTC(2025, 5, 2, 10), workload: { id: "w", team: "t", tier: "dev" as const, residency: ["us"], frozen: false, maxUsdPerHour: null, usdPerHour: 0 }, health: {}, spendTodayUsd: 0, fleetUsdPerHour: 0, actionsLastHourWorkload: 0, actionsLastHour: 0, inFlight: [], failures: [] };
  const proposal = { id: "p-9", workloadId: "w", proposer: "builtin", createdAtMs: 0, costDeltaUsdPerHour: 0, oneOffCostUsd: 0, expectedDowntimeMs: 0, blastRadius: 0, rationale: "r", type: "rollback", fromVersion: "v2", toVersion: "v1" };

  it("carries the outcome, the determining policies' ids and reasons, and a digest of the inputs", () => {
    const d = engine.decide(proposal, facts);
    expect(d.outcome).toBe("allow");
    expect(d.reasons[0]).toEqual({ source: "policy", id: "base-permit", reason: "No policy stops this action." });
    expect(d.inputDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(engine.decide(proposal, facts).inputDigest).toBe(d.inputDigest);
    expect(engine.decide({ ...proposal, rationale: "other" }, facts).inputDigest).not.toBe(d.inputDigest);
  });

  it("turns an evaluation error into a deny with that reason (fail closed)", () => {
    const sources = readPolicySources("policies");
    const overflow = `@id("overflow")\n@reason("multiplies a cost by a huge factor")\nforbid (principal, action in Action::"operate", resource) when { context.costDeltaCentsPerHour * 100000000000000 > 0 };\n`;
    const e = PolicyEngine.create({ ...sources, policies: [...sources.policies, { file: "overflow.cedar", text: overflow }] }, { cedar: cedarWasm() });
    const d = e.decide({ ...proposal, costDeltaUsdPerHour: 99_999 }, facts);
    expect(d.outcome).toBe("deny");
    expect(d.reasons[0]!.source).toBe("engine");
    expect(d.reasons[0]!.reason).toMatch(/overflow/);
  });

  it("reads the default files once and reports their policies with reasons", () => {
    const text = readFileSync("policies/default.cedar", "utf8");
    const ids = [...text.matchAll(/@id\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(engine.policies().map((p) => p.id).sort()).toEqual(ids.sort());
    expect(engine.policies().every((p) => p.reason.length > 10)).toBe(true);
  });
});
