import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/domain/index.js";
import { assessSources } from "../../src/telemetry/sources.js";
import { buildView, type SnapshotView } from "../../src/telemetry/view.js";
import { config, snapshotOf, world } from "./helpers.js";

/*
 * buildView reuses what the instance before had (its checked workload id and type, its workload's list)
 * and sorts only the lists that did not come sorted: none of that may show in what it returns.
 */

const base = snapshotOf(world());
const instance = (id: string) => base.instances.find((i) => i.id === id)!;

function view(s: Snapshot): SnapshotView {
  return buildView(s, assessSources(s, {}, config()));
}

const ids = (list: readonly { id: string }[]): string[] => list.map((i) => i.id);
const sorted = (list: readonly string[]): string[] => [...list].sort();

describe("buildView", () => {
  it("checks each instance's workload id and instance type, also where the instance before had the same ones", () => {
    const chat = base.instances.filter((i) => i.workloadId === "chat-api");
    const v = view({
      ...base,
      instances: [
        // a sentence where the id belongs, twice in a row: the first is rejected, so the second is checked too
        { ...chat[0]!, workloadId: "chat api, ignore this" },
        { ...chat[1]!, workloadId: "chat api, ignore this" },
        chat[2]!,
        // the id before passed; one character more does not
        { ...chat[3]!, workloadId: "chat-api " },
        { ...instance("i-aws-000009"), instanceType: "g4dn xlarge" },
        { ...instance("i-aws-000010"), instanceType: "g4dn xlarge" },
        instance("i-gcp-000011"),
        // an instance type that passed before, then the same with a change
        { ...instance("i-gcp-000012"), instanceType: "n1-standard-8+T4x1\n" },
      ],
    });
    expect(v.rejected.get("sim")).toBe(6);
    expect(ids(v.liveInstances)).toEqual([chat[2]!.id, "i-gcp-000011"]);
    expect(ids(v.workloadById.get("chat-api")!.instances)).toEqual([chat[2]!.id]);
    expect(ids(v.workloadById.get("eu-search-embed")!.instances)).toEqual(["i-gcp-000011"]);
  });

  it("checks each deployment's location and instance type, also where a workload before had the same ones", () => {
    const job = base.workloads.find((w) => w.id === "llm-finetune")!;
    const at = job.deployments[0]!;
    expect(at.location).toBe("aws/us-east-1");
    const variant = (id: string, change: Partial<typeof at>) => ({ ...job, id, deployments: [{ ...at, ...change }] });
    const v = view({
      ...base,
      workloads: [
        ...base.workloads,
        // an instance type that is a fine identifier, and no location
        variant("a", { instanceType: "aws" }),
        variant("b", { location: "aws" }),
        // a location that passed, with a character more
        variant("c", { location: "aws/us-east-1\n" }),
        // a sentence where the instance type belongs, twice
        variant("d", { instanceType: "p4d 24xlarge" }),
        variant("e", { instanceType: "p4d 24xlarge" }),
      ],
    });
    expect(v.rejected.get("sim")).toBe(4);
    expect(["a", "b", "c", "d", "e"].filter((id) => v.workloadById.has(id))).toEqual(["a"]);
  });

  it("lists each workload's live instances, the orphans and the instances of unlisted workloads sorted by id, however they come", () => {
    const live = base.instances.filter((i) => i.workloadId !== "legacy-batch");
    // one job's instances left without a workload, and one job that is not listed (its workload dropped)
    const orphaned = new Set(["i-aws-000005", "i-gcp-000008", "i-aws-000006"]);
    const all = [
      ...live.map((i) => (orphaned.has(i.id) ? { ...i, workloadId: null } : i)),
      { ...instance("i-aws-000016"), id: "i-aws-000099", workloadId: "gone-job" },
      { ...instance("i-aws-000016"), id: "i-aws-000098", workloadId: "gone-job" },
    ];
    const orders: Record<string, typeof all> = {
      "by id": [...all].sort((a, b) => (a.id < b.id ? -1 : 1)),
      reversed: [...all].reverse(),
      // each workload's instances apart from each other
      interleaved: [...all.filter((_, k) => k % 2 === 0), ...all.filter((_, k) => k % 2 === 1)],
      rotated: [...all.slice(5), ...all.slice(0, 5)],
    };
    const expected = new Map<string, string[]>();
    for (const i of all) if (i.workloadId !== null) expected.set(i.workloadId, sorted([...(expected.get(i.workloadId) ?? []), i.id]));
    for (const [order, instances] of Object.entries(orders)) {
      const v = view({ ...base, instances });
      for (const [workloadId, want] of expected) {
        const got = v.workloadById.get(workloadId)?.instances ?? v.instancesOfUnlisted.get(workloadId);
        expect(ids(got ?? []), `${workloadId}, ${order}`).toEqual(want);
      }
      expect(ids(v.orphans), order).toEqual(sorted([...orphaned]));
      expect([...v.instancesOfUnlisted.keys()], order).toEqual(["gone-job"]);
      // the fleet's list keeps the snapshot's order
      expect(ids(v.liveInstances), order).toEqual(ids(instances));
    }
  });

  it("calls a completed training job's live instances orphans, wherever they come", () => {
    const done = { ...base, workloads: base.workloads.map((w) => (w.id === "llm-finetune" ? { ...w, state: "completed" as const } : w)) };
    const job = instance("i-aws-000001");
    const instances = [{ ...job, id: "i-aws-000097" }, instance("i-aws-000005"), job, ...base.instances.slice(5), { ...job, id: "i-aws-000002" }];
    const v = view({ ...done, instances });
    expect(ids(v.orphans)).toEqual(["i-aws-000001", "i-aws-000002", "i-aws-000097"]);
    expect(ids(v.workloadById.get("llm-finetune")!.instances)).toEqual(["i-aws-000001", "i-aws-000002", "i-aws-000097"]);
  });

  it("gives each workload the first believed service line and the latest drift report about it, and checks the ids of lines about others", () => {
    const [health] = base.health;
    const chat = health!.services.find((s) => s.workloadId === "chat-api")!;
    const drift = base.drift.find((d) => d.workloadId === "chat-api")!;
    const v = view({
      ...base,
      health: [
        { ...health!, services: [...health!.services, { ...chat, demandRps: 1 }, { ...chat, workloadId: "not listed" }, { ...chat, workloadId: "not-listed" }] },
        { ...health!, server: "k8s", services: [{ ...chat, demandRps: 2 }] },
      ],
      drift: [...base.drift, { ...drift, atMs: drift.atMs + 60_000, predictionPsi: 0.5 }, { ...drift, atMs: drift.atMs - 60_000 }, { ...drift, workloadId: "not listed" }, { ...drift, workloadId: "not-listed" }],
    });
    const entry = v.workloadById.get("chat-api")!;
    expect(entry.service).toBe(chat);
    expect(entry.serviceServer).toBe("sim");
    expect(entry.drift?.predictionPsi).toBe(0.5);
    // a line about no listed workload is still checked: one rejected service line and one rejected drift report
    expect(v.rejected.get("sim")).toBe(2);
  });
});

describe("assessSources", () => {
  it("counts each server's records where they come in runs and where they are mixed", () => {
    const [a, b, c] = base.workloads;
    const s: Snapshot = {
      ...base,
      workloads: [a!, { ...b!, server: "k8s" }, c!, { ...a!, server: "k8s" }, { ...b!, server: "aws" }],
      offers: [...base.offers, { ...base.offers[0]!, server: "gcp" }],
    };
    const { servers } = assessSources(s, {}, config());
    expect(servers).toEqual({
      aws: { workloads: 1, health: 0, emptyTicks: 0 },
      gcp: { workloads: 0, health: 0, emptyTicks: 0 },
      k8s: { workloads: 2, health: 0, emptyTicks: 0 },
      sim: { workloads: 2, health: 1, emptyTicks: 0 },
    });
  });
});
