import { describe, expect, it } from "vitest";
import { config, H, M, kinds, only, Ticker, world } from "./helpers.js";

describe("preemption-notice", () => {
  it("raises a critical finding for the workload whose spot instance got an interruption notice, and for no other", () => {
    const t = new Ticker(world({ events: [{ at: "10m", preempt: { workload: "llm-finetune" } }] }));
    expect(only(t.at(5 * M), "preemption-notice")).toEqual([]);
    const result = t.at(10 * M);
    const findings = only(result, "preemption-notice");
    expect(findings.map((f) => f.workloadId)).toEqual(["llm-finetune"]);
    const f = findings[0]!;
    expect(f.severity).toBe("critical");
    expect(f.facts).toMatchObject({ instances: 1, location: "aws/us-east-1", interruptionAtMs: t.w.nowMs + 120_000, msUntilInterruption: 120_000 });
    expect(f.id).toBe(`preemption-notice/llm-finetune/${t.w.nowMs}`);
    expect(f.summary).toMatch(/will be reclaimed in 2 min/);
  });
});

describe("workload-stalled", () => {
  it("raises once a preempted training job has waited stalledAfterMs with no running placement", () => {
    const t = new Ticker(world({ events: [{ at: "10m", preempt: { workload: "llm-finetune" } }] }));
    const ticks = t.run(5 * M, 40 * M);
    const stalled = (min: number) => only(ticks.find((x) => x.atMs === min * M)!.result, "workload-stalled", "llm-finetune");
    // reclaimed at 12m: waiting from the 15m tick, stalled 10 minutes later
    expect(stalled(15)).toEqual([]);
    expect(stalled(20)).toEqual([]);
    expect(stalled(25)).toHaveLength(1);
    expect(stalled(25)[0]!.facts).toMatchObject({ waitingSinceMs: t.w.startMs + 15 * M, waitingMs: 10 * M, stalledAfterMs: 10 * M });
    expect(stalled(40)[0]!.id).toBe(stalled(25)[0]!.id);
    // a running job is never stalled
    expect(ticks.flatMap(({ result }) => only(result, "workload-stalled")).every((f) => f.workloadId === "llm-finetune")).toBe(true);
  });
});

describe("region-unhealthy and endpoint-unhealthy", () => {
  it("raises one finding per workload in a region that is down, and an unhealthy endpoint where it still has traffic", () => {
    const t = new Ticker(world({ events: [{ at: "30m", outage: { cloud: "gcp", region: "us-central1", for: "45m" } }] }));
    expect(only(t.at(25 * M), "region-unhealthy")).toEqual([]);
    const during = t.at(30 * M);
    const regions = only(during, "region-unhealthy");
    expect(regions.map((f) => [f.workloadId, f.facts["location"]])).toEqual([
      ["chat-api", "gcp/us-central1"],
      ["recsys-train", "gcp/us-central1"],
    ]);
    expect(regions.every((f) => f.severity === "critical")).toBe(true);
    expect(regions.map((f) => f.id)).toEqual([`region-unhealthy/chat-api/gcp/us-central1/${t.w.nowMs}`, `region-unhealthy/recsys-train/gcp/us-central1/${t.w.nowMs}`]);

    const endpoints = only(during, "endpoint-unhealthy");
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]!.workloadId).toBe("chat-api");
    expect(endpoints[0]!.facts).toMatchObject({
      location: "gcp/us-central1",
      healthyReplicas: 0,
      trafficWeight: 50,
      "healthyRps:gcp/us-central1": 0,
      "healthyRps:aws/us-east-1": 200,
      totalHealthyRps: 200,
    });
    // half the demand goes to the dead deployment: an SLO breach too
    expect(only(during, "slo-breach", "chat-api")).toHaveLength(1);

    const ids = regions.map((f) => f.id);
    expect(only(t.at(60 * M), "region-unhealthy").map((f) => f.id)).toEqual(ids);
    const after = t.at(80 * M);
    expect(only(after, "region-unhealthy")).toEqual([]);
    expect(only(after, "endpoint-unhealthy")).toEqual([]);
  });
});

describe("stockout", () => {
  it("raises for a workload placed where its accelerator is out of stock, not for others in that region", () => {
    const t = new Ticker(world({ events: [{ at: "1h", stockout: { cloud: "azure", region: "eastus", gpu: "A100", for: "2h" } }] }));
    expect(only(t.at(55 * M), "stockout")).toEqual([]);
    const findings = only(t.at(H), "stockout");
    // doc-classifier serves on T4 in azure/eastus: not affected
    expect(findings.map((f) => f.workloadId)).toEqual(["embeddings-nightly"]);
    expect(findings[0]!.facts).toMatchObject({ location: "azure/eastus", accelerator: "A100" });
    expect(only(t.at(3 * H + 5 * M), "stockout")).toEqual([]);
  });
});

describe("slo-breach", () => {
  it("raises when added latency pushes a service's p99 over its target in one region", () => {
    const t = new Ticker(world({ events: [{ at: "1h", latency: { cloud: "aws", region: "us-east-1", addMs: 900, for: "30m" } }] }));
    expect(only(t.at(55 * M), "slo-breach")).toEqual([]);
    const during = t.at(H);
    const findings = only(during, "slo-breach");
    expect(findings.map((f) => f.workloadId)).toEqual(["chat-api"]);
    const f = findings[0]!;
    expect(f.facts["servedShare"]).toBeLessThan(0.99);
    expect(f.facts["servedShare"]).toBeGreaterThan(0.4);
    expect(f.facts["sloAvailability"]).toBe(0.99);
    // replicas are healthy, just slow: no endpoint or region finding
    expect(kinds(during).filter((k) => k.startsWith("endpoint-") || k.startsWith("region-"))).toEqual([]);
    expect(only(t.at(H + 35 * M), "slo-breach")).toEqual([]);
  });

  it("raises when traffic outgrows the healthy capacity", () => {
    const t = new Ticker(world({ events: [{ at: "1h", traffic: { workload: "chat-api", factor: 2.5, for: "1h" } }] }));
    expect(only(t.at(55 * M), "slo-breach")).toEqual([]);
    const f = only(t.at(H), "slo-breach", "chat-api")[0]!;
    expect(f.facts["demandRps"]).toBeCloseTo(750, 6);
    expect(f.facts["totalHealthyRps"]).toBe(400);
    expect(f.facts["servedShare"]).toBeLessThan(0.99);
  });
});

describe("drift", () => {
  it("raises when PSI reaches the threshold and not below it", () => {
    const t = new Ticker(world({ events: [{ at: "1h", drift: { workload: "chat-api", psi: 0.35 } }, { at: "1h", drift: { workload: "eu-search-embed", psi: 0.15 } }] }));
    expect(only(t.at(55 * M), "drift")).toEqual([]);
    const findings = only(t.at(H), "drift");
    expect(findings.map((f) => f.workloadId)).toEqual(["chat-api"]);
    expect(findings[0]!.facts).toMatchObject({ psi: 0.35, threshold: 0.2, predictionPsi: 0.35 });
  });

  it("uses the configured threshold", () => {
    const t = new Ticker(world({ events: [{ at: "1h", drift: { workload: "eu-search-embed", psi: 0.15 } }] }), config({ psiThreshold: 0.1 }));
    expect(only(t.at(H), "drift").map((f) => f.workloadId)).toEqual(["eu-search-embed"]);
  });
});
