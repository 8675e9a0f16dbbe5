import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { geoOfRegion } from "../../src/domain/index.js";
import { PolicyEngine, PolicyFactsSchema } from "../../src/policy/index.js";
import { cedarWasm } from "../../src/server/cedar-tier.js";
import { readPolicySources } from "../../src/server/policy-files.js";

const engine = PolicyEngine.create(readPolicySources("policies"), { cedar: cedarWasm(), warmup: 200 });

const places: [string, string][] = [
  ["aws", "us-east-1"],
  ["aws", "eu-west-1"],
  ["aws", "ap-northeast-1"],
  ["gcp", "us-central1"],
  ["gcp", "europe-west4"],
  ["gcp", "asia-east1"],
  ["azure", "eastus"],
  ["azure", "westus2"],
];
const placement = fc.record({ cloud: fc.constantFrom(...places.map((p) => p[0])), region: fc.constantFrom(...places.map((p) => p[1])), spot: fc.boolean() }).map((p) => {
  // keep cloud and region consistent
  const match = places.find(([, r]) => r === p.region)!;
  return { cloud: match[0], region: match[1], spot: p.spot };
});

const common = fc.record({
  id: fc.string({ minLength: 1, maxLength: 12 }),
  workloadId: fc.constant("w"),
  proposer: fc.constantFrom("builtin", "llm"),
  createdAtMs: fc.nat(),
  costDeltaUsdPerHour: fc.double({ min: -500, max: 500, noNaN: true }),
  oneOffCostUsd: fc.double({ min: 0, max: 5000, noNaN: true }),
  expectedDowntimeMs: fc.integer({ min: 0, max: 7_200_000 }),
  blastRadius: fc.double({ min: 0, max: 1, noNaN: true }),
  rationale: fc.string({ maxLength: 40 }),
  costOnly: fc.boolean(),
});

const proposal = fc.oneof(
  fc.record({ c: common, target: placement, count: fc.integer({ min: 1, max: 8 }) }).map(({ c, target, count }) => ({ ...c, type: "place", target, count })),
  fc.record({ c: common, target: placement, from: fc.nat(10), to: fc.nat(10) }).map(({ c, target, from, to }) => ({ ...c, type: "scale", target, fromReplicas: from, toReplicas: to })),
  fc.record({ c: common, source: placement, target: placement }).map(({ c, source, target }) => ({ ...c, type: "failover", source, target, weights: { [`${target.cloud}/${target.region}`]: 100 } })),
  fc.record({ c: common, source: placement, target: placement, gb: fc.double({ min: 0, max: 1000, noNaN: true }) }).map(({ c, source, target, gb }) => ({ ...c, type: "migrate", source, target, checkpointGb: gb })),
  common.map((c) => ({ ...c, type: "rollback", fromVersion: "v2", toVersion: "v1" })),
  common.map((c) => ({ ...c, type: "terminate", instanceIds: ["i-1"] })),
);

const facts = fc
  .record({
    frozen: fc.boolean(),
    residency: fc.constantFrom([], ["us"], ["eu"], ["asia"], ["us-east-1"], ["eu", "us"]),
    tier: fc.constantFrom("prod", "dev"),
    now: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 0, 1) }),
    spend: fc.double({ min: 0, max: 10_000, noNaN: true }),
    health: fc.dictionary(fc.constantFrom(...places.map(([c, r]) => `${c}/${r}`)), fc.constantFrom("healthy", "unhealthy")),
    actions: fc.nat(10),
  })
  .map((f) => PolicyFactsSchema.parse({ now: f.now, workload: { id: "w", tier: f.tier, residency: f.residency, frozen: f.frozen }, health: f.health, spendTodayUsd: f.spend, actionsLastHourWorkload: f.actions }));

describe("the policy engine over generated proposals", () => {
  it("never lets an action touch a frozen workload or leave the workload's residency", () => {
    fc.assert(
      fc.property(proposal, facts, (p, f) => {
        const d = engine.decide(p, f);
        const target = "target" in p ? p.target : null;
        const residency = f.workload!.residency;
        const outside = target !== null && residency.length > 0 && !residency.includes(target.region) && !residency.includes(geoOfRegion(target.cloud as "aws", target.region));
        if (f.workload!.frozen || outside) expect(d.outcome).toBe("deny");
        expect(d.reasons.length).toBeGreaterThan(0);
      }),
      { numRuns: 2500, seed: 20261129 },
    );
  });

  it("never crashes on arbitrary input: anything that is not a proposal is denied with a reason", () => {
    const f = PolicyFactsSchema.parse({ now: 0, workload: { id: "w" } });
    fc.assert(
      fc.property(fc.anything({ withBigInt: false }), (junk) => {
        const d = engine.decide(junk, f);
        expect(d.outcome).toBe("deny");
        expect(d.reasons[0]!.id).toBe("invalid-proposal");
      }),
      { numRuns: 1000, seed: 7 },
    );
  });

  it("denies proposals with NaN, infinite or out-of-range numbers, naming the field", () => {
    const f = PolicyFactsSchema.parse({ now: 0, workload: { id: "w" } });
    const base = { id: "p", workloadId: "w", proposer: "builtin", createdAtMs: 0, costDeltaUsdPerHour: 0, oneOffCostUsd: 0, expectedDowntimeMs: 0, blastRadius: 0, rationale: "", type: "rollback", fromVersion: "a", toVersion: "b" };
    for (const [field, value] of [["costDeltaUsdPerHour", Number.NaN], ["oneOffCostUsd", Number.POSITIVE_INFINITY], ["blastRadius", 2], ["expectedDowntimeMs", -1]] as const) {
      const d = engine.decide({ ...base, [field]: value }, f);
      expect(d.outcome).toBe("deny");
      expect(d.reasons[0]!.reason).toContain(field);
    }
  });
});
