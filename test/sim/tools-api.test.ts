import { describe, expect, it } from "vitest";
import { SimError } from "../../src/sim/index.js";
import { H, world } from "./helpers.js";

const job = { id: "job", kind: "training" as const, gpu: "V100:4", at: { cloud: "aws" as const, region: "us-west-2", spot: false }, workHours: 10 };

function snapshot(w: ReturnType<typeof world>) {
  return JSON.stringify({ events: w.events(), instances: w.listInstances({ includeEnded: true }), totals: w.totals(), workloads: w.listWorkloads() });
}

describe("the world's changing operations", () => {
  it("launch with the same idempotencyKey twice creates one set of instances", () => {
    const w = world({ workloads: [job] });
    const req = { cloud: "aws" as const, region: "us-east-1", instanceType: "p3.8xlarge", spot: false, count: 2, workloadId: "job", idempotencyKey: "proposal-1/launch" };
    const a = w.launch(req);
    const b = w.launch(req);
    expect(b.map((i) => i.id)).toEqual(a.map((i) => i.id));
    expect(w.listInstances({ workloadId: "job" })).toHaveLength(3);
    expect(() => w.launch({ ...req, count: 3 })).toThrow(/already used with different arguments/);
  });

  it("terminate is idempotent and ending an ended instance changes nothing", () => {
    const w = world({ workloads: [job] });
    const [inst] = w.listInstances();
    w.terminate({ instanceIds: [inst!.id], idempotencyKey: "t1" });
    const after = snapshot(w);
    w.terminate({ instanceIds: [inst!.id], idempotencyKey: "t1" });
    w.terminate({ instanceIds: [inst!.id], idempotencyKey: "t2" });
    expect(snapshot(w)).toBe(after);
  });

  it.each([
    ["an unknown region", { cloud: "aws", region: "us-nowhere-9", instanceType: "p3.8xlarge", spot: false, count: 1 }, "region"],
    ["a negative count", { cloud: "aws", region: "us-east-1", instanceType: "p3.8xlarge", spot: false, count: -1 }, "count"],
    ["a fractional count", { cloud: "aws", region: "us-east-1", instanceType: "p3.8xlarge", spot: false, count: 1.5 }, "count"],
    ["a NaN count", { cloud: "aws", region: "us-east-1", instanceType: "p3.8xlarge", spot: false, count: Number.NaN }, "count"],
    ["an unknown instance type", { cloud: "aws", region: "us-east-1", instanceType: "p99.mega", spot: false, count: 1 }, "instanceType"],
    ["an unknown workload", { cloud: "aws", region: "us-east-1", instanceType: "p3.8xlarge", spot: false, count: 1, workloadId: "ghost" }, "workloadId"],
  ])("refuses a launch with %s, naming the field, and leaves the world unchanged", (_what, req, field) => {
    const w = world({ workloads: [job] });
    w.advanceBy(H);
    const before = snapshot(w);
    let error: unknown;
    try {
      w.launch({ ...(req as Parameters<typeof w.launch>[0]), idempotencyKey: "bad" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimError);
    expect((error as SimError).field).toBe(field);
    expect((error as SimError).hint.length).toBeGreaterThan(10);
    expect(snapshot(w)).toBe(before);
    // the key of a refused call is not burnt
    expect(w.launch({ cloud: "aws", region: "us-east-1", instanceType: "p3.8xlarge", spot: false, count: 1, idempotencyKey: "bad" })).toHaveLength(1);
  });

  it("scale launches or drains replicas in one location and traffic weights must name deployments", () => {
    const w = world({ workloads: [{ id: "svc", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2 }, rps: 100, sloP99Ms: 800 }] });
    w.scale({ workloadId: "svc", cloud: "gcp", region: "us-central1", replicas: 3, idempotencyKey: "s1" });
    expect(w.getWorkload("svc").deployments.map((d) => [d.location, d.replicas])).toEqual([["aws/us-east-1", 2], ["gcp/us-central1", 3]]);
    expect(() => w.setTrafficWeights({ workloadId: "svc", weights: { "azure/eastus": 10 }, idempotencyKey: "w0" })).toThrow(/no deployment in azure\/eastus/);
    w.setTrafficWeights({ workloadId: "svc", weights: { "aws/us-east-1": 0, "gcp/us-central1": 100 }, idempotencyKey: "w1" });
    expect(w.getWorkload("svc").deployments.map((d) => d.trafficWeight)).toEqual([0, 100]);
    w.scale({ workloadId: "svc", cloud: "aws", region: "us-east-1", replicas: 0, idempotencyKey: "s2" });
    expect(w.listInstances({ workloadId: "svc", region: "us-east-1" })).toHaveLength(0);
  });
});
