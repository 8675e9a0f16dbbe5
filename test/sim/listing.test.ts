import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import type { DriftReport, HealthReport, Instance, WorkloadStatus } from "../../src/domain/index.js";
import type { OfferQuote, SimEventType, World } from "../../src/sim/index.js";
import { WorldListings } from "../../tools/sim/world-listings.js";
import { M, world } from "./helpers.js";

/*
 * Incremental listing looks again only at records something marked as possibly changed. A change the marking
 * misses is a record a delta does not send: these tests follow the world through every kind of change with
 * the deltas alone and hold what they add up to against full listings, and, where one caller lists alone,
 * hold each delta to exactly the records that differ from that caller's previous answer.
 */

type Replica = HealthReport["replicas"][number];
type Service = HealthReport["services"][number];
type Notice = HealthReport["interruptions"][number];

/** Leaves out the fields that accrue (a record whose other fields are as before is no change). */
function without<T extends object>(record: T, ...fields: string[]): Partial<T> {
  const rest = { ...record } as Record<string, unknown>;
  for (const f of fields) delete rest[f];
  return rest as Partial<T>;
}

function sorted<T>(map: Map<string, T>): [string, T][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

function byKey<T>(records: readonly T[], key: (r: T) => string): Map<string, T> {
  return new Map(records.map((r) => [key(r), r]));
}

/**
 * Keys a delta must send where its caller was the last to list (new, or different in more than `accruing`),
 * and checks the caller's records with the delta applied equal the full listing's.
 */
function follow<T extends object>(what: string, had: Map<string, T>, now: Map<string, T>, sent: readonly T[], key: (r: T) => string, exact: boolean, accruing: string[] = []): void {
  const sentKeys = sent.map(key);
  if (exact) {
    const changed = [...now.keys()].filter((k) => !had.has(k) || !isDeepStrictEqual(without(had.get(k)!, ...accruing), without(now.get(k)!, ...accruing)));
    expect(new Set(sentKeys), `${what}: sent`).toEqual(new Set(changed));
  }
  for (const r of sent) had.set(key(r), r);
}

/** One caller listing everything incrementally, keeping what the deltas tell it. */
class Follower {
  private marks = { offers: null as number | null, workloads: null as number | null, instances: null as number | null, health: null as number | null, drift: null as number | null };
  private readonly workloads = new Map<string, WorkloadStatus>();
  private readonly instances = new Map<string, Instance>();
  private readonly replicas = new Map<string, Replica>();
  private readonly services = new Map<string, Service>();
  private readonly notices = new Map<string, Notice>();
  private readonly offers = new Map<string, OfferQuote>();
  private readonly drift = new Map<string, DriftReport>();
  deltas = 0;

  constructor(
    private readonly w: World,
    private readonly listings: WorldListings,
  ) {}

  /** Lists everything; `exact`: no one else listed since this caller's last listing. */
  list(exact: boolean, when: string): void {
    const w = this.w;
    const full = {
      workloads: w.listWorkloads(),
      instances: byKey(w.listInstances(), (i) => i.id),
      health: w.getHealth(),
      offers: byKey(w.listOffers(), (o) => o.id),
      drift: byKey(
        w.serviceIds().map((id) => w.getDrift(id)),
        (r) => r.workloadId,
      ),
    };
    const at = (what: string): string => `${what} ${when}`;

    const wl = this.listings.listWorkloadChanges(this.marks.workloads);
    this.marks.workloads = wl.mark;
    if (wl.delta) {
      this.deltas++;
      follow(at("workloads"), this.workloads, byKey(full.workloads, (s) => s.id), wl.workloads, (s) => s.id, exact, ["costUsd", "progressHours"]);
      wl.accrued.ids.forEach((id, k) => {
        const s = this.workloads.get(id)!;
        this.workloads.set(id, { ...s, costUsd: wl.accrued.costUsd[k]!, progressHours: wl.accrued.progressHours[k]! });
      });
      // every workload once, sent or accrued, each list in fleet order
      const order = full.workloads.map((s) => s.id);
      expect([...wl.workloads.map((s) => s.id), ...wl.accrued.ids].sort(), at("workloads: all once")).toEqual([...order].sort());
      for (const ids of [wl.workloads.map((s) => s.id), wl.accrued.ids]) expect(ids, at("workloads: fleet order")).toEqual(order.filter((id) => ids.includes(id)));
    } else for (const s of wl.workloads) this.workloads.set(s.id, s);
    expect([...this.workloads.values()], at("workloads")).toEqual(full.workloads);

    const il = this.listings.listInstanceChanges(this.marks.instances);
    this.marks.instances = il.mark;
    if (il.delta) {
      expect(new Set(il.removed), at("instances: removed")).toEqual(new Set([...this.instances.keys()].filter((id) => !full.instances.has(id))));
      for (const id of il.removed) this.instances.delete(id);
      follow(at("instances"), this.instances, full.instances, il.instances, (i) => i.id, exact, ["costUsd"]);
      il.accrued.ids.forEach((id, k) => this.instances.set(id, { ...this.instances.get(id)!, costUsd: il.accrued.costUsd[k]! }));
    } else {
      this.instances.clear();
      for (const i of il.instances) this.instances.set(i.id, i);
    }
    expect(sorted(this.instances), at("instances")).toEqual(sorted(full.instances));

    const hl = this.listings.getHealthChanges(this.marks.health);
    this.marks.health = hl.mark;
    const h = hl.report;
    const fullReplicas = byKey(full.health.replicas, (r) => r.instanceId);
    const fullServices = byKey(full.health.services, (s) => s.workloadId);
    const fullNotices = byKey(full.health.interruptions, (n) => n.instanceId);
    if (hl.delta) {
      expect(new Set(hl.removed.replicas), at("replicas: removed")).toEqual(new Set([...this.replicas.keys()].filter((id) => !fullReplicas.has(id))));
      expect(new Set(hl.removed.interruptions), at("notices: removed")).toEqual(new Set([...this.notices.keys()].filter((id) => !fullNotices.has(id))));
      for (const id of hl.removed.replicas) this.replicas.delete(id);
      for (const id of hl.removed.interruptions) this.notices.delete(id);
      follow(at("replicas"), this.replicas, fullReplicas, h.replicas, (r) => r.instanceId, exact);
      follow(at("services"), this.services, fullServices, h.services, (s) => s.workloadId, exact);
      follow(at("notices"), this.notices, fullNotices, h.interruptions, (n) => n.instanceId, exact);
    } else {
      this.replicas.clear();
      this.notices.clear();
      for (const r of h.replicas) this.replicas.set(r.instanceId, r);
      for (const s of h.services) this.services.set(s.workloadId, s);
      for (const n of h.interruptions) this.notices.set(n.instanceId, n);
    }
    expect(h.regions, at("regions")).toEqual(full.health.regions);
    expect(sorted(this.replicas), at("replicas")).toEqual(sorted(fullReplicas));
    expect(sorted(this.services), at("services")).toEqual(sorted(fullServices));
    expect(sorted(this.notices), at("notices")).toEqual(sorted(fullNotices));

    const ol = this.listings.listOfferChanges(this.marks.offers);
    this.marks.offers = ol.mark;
    if (ol.delta) follow(at("offers"), this.offers, full.offers, ol.offers, (o) => o.id, exact);
    else for (const o of ol.offers) this.offers.set(o.id, o);
    expect(sorted(this.offers), at("offers")).toEqual(sorted(full.offers));

    const dl = this.listings.getDriftChanges(this.marks.drift);
    this.marks.drift = dl.mark;
    if (dl.delta) follow(at("drift"), this.drift, full.drift, dl.reports, (r) => r.workloadId, exact, ["atMs"]);
    else for (const r of dl.reports) this.drift.set(r.workloadId, r);
    // a report not sent stands as of the answer that sent it
    const timeless = (m: Map<string, DriftReport>) => sorted(m).map(([id, r]) => [id, without(r, "atMs")]);
    expect(timeless(this.drift), at("drift")).toEqual(timeless(full.drift));
  }
}

/** Two serving workloads (one on spot) and three training jobs (one on spot), and every kind of timeline event. */
function busyWorld(): World {
  return world({
    workloads: [
      { id: "chat", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800 },
      { id: "batch", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 3 }, spot: true, rps: 150, replicaRps: 60, sloP99Ms: 2_000 },
      { id: "job", kind: "training", gpu: "V100:4", at: { cloud: "aws", region: "us-west-2", spot: false }, workHours: 2.5, checkpointGb: 50, checkpointEvery: "20m", deadline: "150m" },
      { id: "short", kind: "training", gpu: "V100:4", at: { cloud: "aws", region: "us-west-2", spot: false }, workHours: 1, checkpointGb: 100, checkpointEvery: "25m" },
      { id: "spot-job", kind: "training", gpu: "A100:8", at: { cloud: "gcp", region: "us-central1", spot: true }, workHours: 50, checkpointEvery: "30m" },
    ],
    events: [
      { at: "10m", price: { cloud: "aws", region: "us-east-1", gpu: "L4", spot: true, factor: 2, for: "30m" } },
      { at: "15m", price: { cloud: "aws", region: "us-west-2", gpu: "V100", spot: false, usdPerHour: 20, for: "20m" } },
      { at: "25m", latency: { cloud: "aws", region: "us-east-1", addMs: 900, for: "20m" } },
      { at: "35m", traffic: { workload: "chat", factor: 2.5, for: "30m" } },
      { at: "40m", drift: { workload: "chat", psi: 0.3 } },
      { at: "45m", note: { workload: "chat", text: "canary" } },
      { at: "50m", outage: { cloud: "gcp", region: "us-central1", for: "20m" } },
      { at: "55m", stockout: { cloud: "aws", region: "us-east-1", gpu: "L4", for: "30m" } },
      // while "job" restarts there (see \`calls\`): it stops resuming and waits, then resumes again
      { at: "72m30s", outage: { cloud: "aws", region: "us-east-1", for: "5m" } },
      { at: "80m", preempt: { workload: "batch" } },
      { at: "95m", preempt: { workload: "spot-job" } },
      { at: "100m", note: { workload: "job", text: "moved" } },
    ],
  });
}

/** The calls of `busyWorld`'s run, at their times: every changing operation. */
function calls(w: World): [number, () => void][] {
  let orphans: Instance[] = [];
  let target: Instance[] = [];
  let spotTarget: Instance[] = [];
  return [
    [5 * M, () => (orphans = w.launch({ cloud: "aws", region: "us-east-1", gpu: { name: "T4", count: 1 }, spot: false, count: 2, idempotencyKey: "orphans" }))],
    [20 * M, () => w.scale({ workloadId: "chat", cloud: "aws", region: "us-east-1", replicas: 4, idempotencyKey: "up" })],
    [30 * M, () => w.setTrafficWeights({ workloadId: "chat", weights: { "aws/us-east-1": 80, "gcp/us-central1": 20 }, idempotencyKey: "weights" })],
    [42 * M, () => w.setModelVersion({ workloadId: "chat", version: "v0", idempotencyKey: "rollback" })],
    // written after the job completed: its checkpointed hours move while it does not run
    [59 * M + 30_000, () => w.requestCheckpoint({ workloadId: "short", idempotencyKey: "late" })],
    [60 * M, () => w.terminate({ instanceIds: orphans.map((i) => i.id), idempotencyKey: "orphans-end" })],
    [65 * M, () => w.requestCheckpoint({ workloadId: "job", idempotencyKey: "ckpt" })],
    [70 * M, () => (target = w.launch({ cloud: "aws", region: "us-east-1", instanceType: "p3.8xlarge", spot: false, count: 1, workloadId: "job", idempotencyKey: "target" }))],
    // onto an instance still provisioning: it becomes ready while the job resumes (listed at the next call)
    [70 * M + 30_000, () => w.resumeFromCheckpoint({ workloadId: "job", instanceIds: target.map((i) => i.id), idempotencyKey: "resume" })],
    [72 * M, () => w.requestCheckpoint({ workloadId: "spot-job", idempotencyKey: "spot-ckpt" })],
    [86 * M, () => w.scale({ workloadId: "batch", cloud: "aws", region: "us-east-1", spot: false, replicas: 2, idempotencyKey: "on-demand" })],
    // a job that waits (reclaimed) resumes
    [100 * M, () => (spotTarget = w.launch({ cloud: "gcp", region: "us-central1", gpu: { name: "A100", count: 8 }, spot: false, count: 1, workloadId: "spot-job", idempotencyKey: "spot-target" }))],
    [101 * M + 30_000, () => w.resumeFromCheckpoint({ workloadId: "spot-job", instanceIds: spotTarget.map((i) => i.id), idempotencyKey: "spot-resume" })],
    [110 * M, () => w.scale({ workloadId: "chat", cloud: "gcp", region: "us-central1", replicas: 0, idempotencyKey: "drain" })],
    [115 * M, () => w.terminate({ instanceIds: w.listInstances({ workloadId: "job", region: "us-west-2" }).map((i) => i.id), idempotencyKey: "old-end" })],
  ];
}

describe("incremental listing", () => {
  it("sends exactly the records that changed, and adds up to the full listings, through every kind of event and call", () => {
    const w = busyWorld();
    const listings = new WorldListings(w);
    const caller = new Follower(w, listings);
    const bystander = new Follower(w, listings);
    const timeline = calls(w);
    let step = 0;
    let exact = true;
    const listAll = (when: string): void => {
      // now and then another caller lists in between: the caller's next delta is then only checked to add up
      if (step++ % 5 === 3) {
        bystander.list(false, `(bystander) ${when}`);
        exact = false;
      }
      caller.list(exact, when);
      exact = true;
    };
    // steps of odd length, so changes fall inside them as well as on them; a listing right after each call too
    for (let t = 0; t <= 160 * M; t += 2 * M + 13_000) {
      while (timeline.length > 0 && timeline[0]![0] <= t) {
        const [at, call] = timeline.shift()!;
        w.advanceTo(w.startMs + at);
        listAll(`before the call at ${at / M} min`);
        call();
        listAll(`after the call at ${at / M} min`);
      }
      w.advanceTo(w.startMs + t);
      listAll(`at ${t / 1000} s`);
    }
    expect(caller.deltas).toBeGreaterThan(80);
    // the run went through what it promises: every kind of event, each timer and each changing call
    const types = new Set(w.events().map((e) => e.type));
    const promised: SimEventType[] = [
      "instance-launched",
      "instance-ready",
      "instance-terminated",
      "instance-preempted",
      "interruption-notice",
      "price-event-started",
      "price-event-ended",
      "outage-started",
      "outage-ended",
      "stockout-started",
      "stockout-ended",
      "latency-started",
      "latency-ended",
      "traffic-started",
      "traffic-ended",
      "drift-set",
      "note-added",
      "training-stopped",
      "training-resumed",
      "training-completed",
      "deadline-missed",
      "checkpoint-requested",
      "checkpoint-written",
      "egress-charged",
      "traffic-weights-set",
      "model-version-set",
      "scaled",
    ];
    expect(promised.filter((t) => !types.has(t))).toEqual([]);
  });
});
