import { describe, expect, it } from "vitest";
import { ProposalSchema, type ProposalOf } from "../../src/domain/index.js";
import { plan, planWithReasons } from "../../src/planner/index.js";
import { finding, input, world } from "./helpers.js";

const serving = { id: "chat", kind: "inference" as const, gpu: "T4:1", replicas: { "aws/us-east-1": 2 }, rps: 100, sloP99Ms: 800, modelVersion: "v1" };

describe("drift", () => {
  it("rolls back to the previous model version when the snapshot knows it", () => {
    const w = world({ workloads: [serving], events: [{ at: "2h", drift: { workload: "chat", psi: 0.4 } }] });
    w.setModelVersion({ workloadId: "chat", version: "v2", idempotencyKey: "rollout-v2" });
    w.advanceBy(3 * 3_600_000);
    const f = finding("drift", "chat", { psi: 0.4, threshold: 0.2 });
    const ps = plan(input(w, [f]));
    expect(ps).toHaveLength(1);
    const r = ps[0] as ProposalOf<"rollback">;
    expect(ProposalSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({ type: "rollback", workloadId: "chat", fromVersion: "v2", toVersion: "v1", costDeltaUsdPerHour: 0, expectedDowntimeMs: 0, costOnly: false, findingIds: [f.id] });
    expect(r.rationale).toBe("Model v2 of chat drifted (PSI 0.400 over the 0.200 threshold). Roll every replica back to the previous version v1.");
  });

  it("proposes nothing when the previous version is unknown", () => {
    const w = world({ workloads: [serving] });
    const r = planWithReasons(input(w, [finding("drift", "chat", { psi: 0.4 })]));
    expect(r.proposals).toEqual([]);
    expect(r.skipped).toEqual([expect.objectContaining({ workloadId: "chat", strategy: "drift", reason: "no-previous-version" })]);
  });
});

describe("orphans", () => {
  it("proposes terminating an instance that serves no workload, filed under the orphans' id", () => {
    const w = world({ workloads: [serving] });
    const [orphan] = w.launch({ cloud: "aws", region: "us-east-1", gpu: { name: "T4", count: 1 }, spot: false, count: 1, idempotencyKey: "stray" });
    const f = finding("orphan-instance", null, { instanceId: orphan!.id });
    const ps = plan(input(w, [f]));
    expect(ps).toHaveLength(1);
    const t = ps[0] as ProposalOf<"terminate">;
    expect(ProposalSchema.parse(t)).toEqual(t);
    expect(t).toMatchObject({ type: "terminate", workloadId: "orphan-instances", instanceIds: [orphan!.id], costOnly: true, blastRadius: 0, findingIds: [f.id] });
    expect(t.costDeltaUsdPerHour).toBeCloseTo(-orphan!.usdPerHour, 6);
  });

  it("never terminates an instance of a live workload, or one the snapshot does not list", () => {
    const w = world({ workloads: [serving] });
    const mine = w.listInstances({ workloadId: "chat" })[0]!;
    const r = planWithReasons(
      input(w, [finding("orphan-instance", null, { instanceId: mine.id }), finding("orphan-instance", null, { instanceId: "i-aws-999999" }), finding("orphan-instance", null, {})]),
    );
    expect(r.proposals).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual(["unknown-instance", "unknown-instance", "unknown-instance"]);
  });

  it("gives nothing to a busy orphans id", () => {
    const w = world({ workloads: [serving] });
    const [orphan] = w.launch({ cloud: "aws", region: "us-east-1", gpu: { name: "T4", count: 1 }, spot: false, count: 1, idempotencyKey: "stray" });
    const r = planWithReasons(input(w, [finding("orphan-instance", null, { instanceId: orphan!.id })], { busy: ["orphan-instances"] }));
    expect(r.proposals).toEqual([]);
    expect(r.skipped[0]!.reason).toBe("busy");
  });
});
