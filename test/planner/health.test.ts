import { describe, expect, it } from "vitest";
import { geoOfRegion, ProposalSchema, type ProposalOf } from "../../src/domain/index.js";
import { plan, planWithReasons, proportionalWeights } from "../../src/planner/index.js";
import { finding, input, M, world } from "./helpers.js";

const serving = {
  id: "chat",
  kind: "inference" as const,
  gpu: "T4:1",
  replicas: { "aws/us-east-1": 3, "gcp/us-central1": 1, "azure/eastus": 2 },
  rps: 400,
  replicaRps: 100,
  sloP99Ms: 800,
  residency: ["us"],
  tier: "prod" as const,
};

const only = <T extends ProposalOf<"failover"> | ProposalOf<"scale">>(ps: ReturnType<typeof plan>, type: T["type"]): T => {
  const found = ps.filter((p) => p.type === type);
  expect(found).toHaveLength(1);
  return found[0] as T;
};

describe("health: failover in proportion to healthy capacity", () => {
  it("splits 100 by largest remainder, summing to exactly 100", () => {
    expect(proportionalWeights([1, 1, 1])).toEqual([33.34, 33.33, 33.33]);
    expect(proportionalWeights([300, 0, 200])).toEqual([60, 0, 40]);
    expect(proportionalWeights([0, 0])).toEqual([0, 0]);
  });

  it("moves traffic off a region that went down: 3 and 2 healthy replicas give 60/40 (hand-computed)", () => {
    const w = world({ workloads: [serving], events: [{ at: "10m", outage: { cloud: "gcp", region: "us-central1", for: "1h" } }] });
    w.advanceBy(11 * M);
    const f = finding("region-unhealthy", null, { location: "gcp/us-central1" });
    const proposals = plan(input(w, [f]));
    const failover = only<ProposalOf<"failover">>(proposals, "failover");
    // healthy capacity: aws 3 × 100 = 300, azure 2 × 100 = 200, gcp 0 → 60 / 40 / 0
    expect(failover.weights).toEqual({ "aws/us-east-1": 60, "azure/eastus": 40, "gcp/us-central1": 0 });
    expect(failover.source).toMatchObject({ cloud: "gcp", region: "us-central1" });
    expect(failover.target).toMatchObject({ cloud: "aws", region: "us-east-1" });
    expect(failover).toMatchObject({ costDeltaUsdPerHour: 0, oneOffCostUsd: 0, expectedDowntimeMs: 0, costOnly: false, findingIds: [f.id], proposer: "builtin" });
    // the sim starts weights in proportion to replicas (50 / 16.67 / 33.33): only gcp (1 of 6 replicas) loses traffic
    expect(failover.blastRadius).toBeCloseTo(1 / 6, 6);
    expect(failover.id).toBe(`p-${w.nowMs}-chat-failover`);
    // capacity 500 rps covers 400 × 1.2 = 480: no replicas needed
    expect(proposals.filter((p) => p.type === "scale")).toEqual([]);
    for (const p of proposals) expect(ProposalSchema.safeParse(p).success).toBe(true);
  });

  it("treats a region whose latency breaks the SLO as unhealthy, but an overloaded one as short of capacity", () => {
    const w = world({ workloads: [serving], events: [{ at: "10m", latency: { cloud: "azure", region: "eastus", addMs: 900, for: "1h" } }] });
    w.advanceBy(11 * M);
    const proposals = plan(input(w, [finding("slo-breach", "chat")]));
    const failover = only<ProposalOf<"failover">>(proposals, "failover");
    // aws 300, gcp 100 → 75 / 25
    expect(failover.weights).toEqual({ "aws/us-east-1": 75, "azure/eastus": 0, "gcp/us-central1": 25 });
    expect(failover.source.region).toBe("eastus");
    expect(failover.rationale).toMatch(/azure\/eastus: p99 \d+ ms over the 800 ms SLO/);
    // 400 rps healthy for 480 needed: one more replica where capacity is best (aws, its instance type)
    const scale = only<ProposalOf<"scale">>(proposals, "scale");
    const aws = w.getWorkload("chat").deployments.find((d) => d.location === "aws/us-east-1")!;
    expect(scale.target).toMatchObject({ cloud: "aws", region: "us-east-1", spot: false, instanceType: aws.instanceType });
    expect([scale.fromReplicas, scale.toReplicas]).toEqual([3, 4]);
  });

  it("adds replicas in the best healthy deployment when healthy capacity is below demand with headroom", () => {
    const w = world({ workloads: [{ ...serving, replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300 }], events: [{ at: "10m", outage: { cloud: "gcp", region: "us-central1", for: "1h" } }] });
    w.advanceBy(11 * M);
    const snapshot = input(w, []).snapshot;
    const proposals = plan(input(w, [finding("endpoint-unhealthy", "chat", { location: "gcp/us-central1" })]));
    const scale = only<ProposalOf<"scale">>(proposals, "scale");
    // 200 rps healthy; 300 × 1.2 = 360 needs 4 replicas: add 2 in aws/us-east-1
    const aws = w.getWorkload("chat").deployments.find((d) => d.location === "aws/us-east-1")!;
    expect(scale.target).toMatchObject({ cloud: "aws", region: "us-east-1", instanceType: aws.instanceType, spot: false });
    expect([scale.fromReplicas, scale.toReplicas]).toEqual([2, 4]);
    const rate = Math.min(...snapshot.offers.filter((o) => o.cloud === "aws" && o.region === "us-east-1" && o.instanceType === aws.instanceType).map((o) => o.onDemandUsdPerHourNow!));
    expect(scale.costDeltaUsdPerHour).toBeCloseTo(2 * rate, 5);
    expect(scale).toMatchObject({ blastRadius: 0, expectedDowntimeMs: 0, costOnly: false });
    expect(only<ProposalOf<"failover">>(proposals, "failover").weights).toEqual({ "aws/us-east-1": 100, "gcp/us-central1": 0 });
  });

  it("scales out to a new healthy location in the residency when every deployment is down", () => {
    const w = world({
      workloads: [{ ...serving, replicas: { "gcp/us-central1": 2 }, rps: 150 }],
      events: [{ at: "10m", outage: { cloud: "gcp", region: "us-central1", for: "1h" } }],
    });
    w.advanceBy(11 * M);
    const result = planWithReasons(input(w, [finding("region-unhealthy", "chat", { location: "gcp/us-central1" })]));
    expect(result.proposals.map((p) => p.type)).toEqual(["scale"]);
    const scale = result.proposals[0] as ProposalOf<"scale">;
    expect(scale.target.region).not.toBe("us-central1");
    expect(geoOfRegion(scale.target.cloud, scale.target.region)).toBe("us");
    expect(scale.target.spot).toBe(false);
    expect([scale.fromReplicas, scale.toReplicas]).toEqual([0, 2]);
    // the cheapest on-demand T4:1 offer in a healthy US region
    const snapshot = input(w, []).snapshot;
    const cheapest = Math.min(
      ...snapshot.offers
        .filter((o) => o.accelerator === "T4" && o.acceleratorCount === 1 && o.launchable && o.onDemandUsdPerHourNow !== null && geoOfRegion(o.cloud, o.region) === "us" && o.region !== "us-central1")
        .map((o) => o.onDemandUsdPerHourNow!),
    );
    expect(scale.costDeltaUsdPerHour).toBeCloseTo(2 * cheapest, 5);
  });

  it("answers an SLO breach from a traffic surge with replicas, not a failover: overloaded is short, not unhealthy", () => {
    const w = world({ workloads: [serving], events: [{ at: "10m", traffic: { workload: "chat", factor: 2.5, for: "1h" } }] });
    w.advanceBy(11 * M);
    const proposals = plan(input(w, [finding("slo-breach", "chat")]));
    // weights already follow capacity (3 : 1 : 2); 1000 rps × 1.2 needs 12 replicas, 6 exist
    const scale = only<ProposalOf<"scale">>(proposals, "scale");
    expect(proposals.filter((p) => p.type === "failover")).toEqual([]);
    expect(scale.target).toMatchObject({ cloud: "aws", region: "us-east-1" });
    expect([scale.fromReplicas, scale.toReplicas]).toEqual([3, 9]);
  });

  it("proposes nothing when weights already follow capacity and capacity covers demand", () => {
    const w = world({ workloads: [{ ...serving, rps: 100 }] });
    const result = planWithReasons(input(w, [finding("slo-breach", "chat")]));
    expect(result.proposals).toEqual([]);
    expect(result.skipped).toEqual([expect.objectContaining({ workloadId: "chat", strategy: "health", reason: "no-change" })]);
  });
});
