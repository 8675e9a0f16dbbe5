import { describe, expect, it } from "vitest";
import { WorldListings } from "../../tools/sim/world-listings.js";
import { M, world } from "../sim/helpers.js";

/*
 * The world's incremental listings, where they keep their own side of the world's records: the order a delta
 * sends notices in, and serving replicas that come and go between two listings of one caller.
 * (test/sim/listing.test.ts follows a busy world through every kind of change.)
 */

describe("the world's incremental listings", () => {
  it("send interruption notices in launch order, as a full listing does, whatever order the notices came in", () => {
    const w = world({
      workloads: [
        { id: "batch", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2 }, spot: true, rps: 50, sloP99Ms: 2_000 },
        { id: "spot-job", kind: "training", gpu: "A100:8", at: { cloud: "gcp", region: "us-central1", spot: true }, workHours: 50 },
      ],
      // the job launched last gets its notice first
      events: [
        { at: "10m", preempt: { workload: "spot-job" } },
        { at: "10m", preempt: { workload: "batch" } },
      ],
    });
    const listings = new WorldListings(w);
    w.advanceTo(w.startMs + 5 * M);
    const before = listings.getHealthChanges(null);
    expect(before.report.interruptions).toEqual([]);
    w.advanceTo(w.startMs + 11 * M);
    const noticed = w.events().filter((e) => e.type === "interruption-notice").map((e) => e.workloadId);
    expect(noticed).toEqual(["spot-job", "batch", "batch"]);

    const delta = listings.getHealthChanges(before.mark);
    expect(delta.delta).toBe(true);
    const full = w.getHealth().interruptions;
    expect(full.map((n) => n.workloadId)).toEqual(["batch", "batch", "spot-job"]);
    expect(delta.report.interruptions).toEqual(full);
  });

  it("do not send a replica that ended before it was ready to a caller that never saw it", () => {
    const w = world({ workloads: [{ id: "chat", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 1 }, rps: 50, sloP99Ms: 800 }], events: [] });
    const listings = new WorldListings(w);
    const caller = listings.getHealthChanges(null);
    w.advanceBy(M);
    w.scale({ workloadId: "chat", cloud: "aws", region: "us-east-1", replicas: 2, idempotencyKey: "up" });
    const extra = w.listInstances({ workloadId: "chat" }).find((i) => i.state === "provisioning")!;
    // another caller lists the new replica, provisioning; it is drained before it is ready
    expect(listings.getHealthChanges(null).report.replicas.map((r) => r.instanceId)).toContain(extra.id);
    w.advanceBy(10_000);
    w.scale({ workloadId: "chat", cloud: "aws", region: "us-east-1", replicas: 1, idempotencyKey: "down" });

    const delta = listings.getHealthChanges(caller.mark);
    expect(delta.delta).toBe(true);
    expect(delta.report.replicas.map((r) => r.instanceId)).not.toContain(extra.id);
    expect(delta.removed.replicas).not.toContain(extra.id);
    expect(w.getHealth().replicas.map((r) => r.instanceId)).not.toContain(extra.id);
  });
});
