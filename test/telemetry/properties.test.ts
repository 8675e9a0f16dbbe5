import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FindingSchema, SnapshotSchema, type EgressMatrix, type Snapshot } from "../../src/domain/index.js";
import { compareFindings, detect, DetectorConfigSchema, DetectorStateSchema, initialDetectorState } from "../../src/telemetry/index.js";

/*
 * Snapshots drawn from small pools of ids, servers and places, so that records refer to each other
 * (instances to workloads and offers, notices to instances) the way real ones do, with values anywhere
 * the schema allows. Every piece of free text carries a marker that must never reach a finding.
 */

const MARK = "UNTRUSTED";
const text = fc.string({ maxLength: 12 }).map((s) => `${MARK}${s}`);
const places = [
  ["aws", "us-east-1"],
  ["aws", "eu-west-1"],
  ["gcp", "us-central1"],
  ["azure", "eastus"],
] as const;
const place = fc.constantFrom(...places);
const server = fc.constantFrom("sim", "aws", "k8s");
// ids that look like identifiers, one that does not, and names an object's prototype already has
const workloadId = fc.constantFrom("a", "b", "train-1", "serve-2", "constructor", "__proto__", "not an id");
const instanceId = fc.constantFrom("i-1", "i-2", "i-3", "i-4");
const offerId = fc.constantFrom("o-1", "o-2", "o-3");
const accelerator = fc.constantFrom("A100", "L4", "Radeon MI25");
const instanceType = fc.constantFrom("p4d.24xlarge", "g6.xlarge", "n1-standard-8+T4x1");
const t0 = 1_748_736_000_000;
const time = fc.integer({ min: t0 - 86_400_000, max: t0 + 86_400_000 });
const amount = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1_000, noNaN: true, noDefaultInfinity: true }), fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }));
const usdRate = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100_000, noNaN: true, noDefaultInfinity: true }));
const share = fc.double({ min: 0, max: 1, noNaN: true });

const deployment = fc.record({
  location: place.map(([c, r]) => `${c}/${r}`),
  spot: fc.boolean(),
  instanceType,
  replicas: fc.nat(4),
  healthyReplicas: fc.nat(4),
  trafficWeight: fc.double({ min: 0, max: 100, noNaN: true }),
});

const workload = fc.record({
  id: workloadId,
  kind: fc.constantFrom("training", "inference"),
  team: text,
  tier: fc.constantFrom("prod", "dev"),
  residency: fc.constantFrom([], ["us"], ["eu"], ["us-east-1"]),
  frozen: fc.boolean(),
  gpu: fc.record({ name: accelerator, count: fc.integer({ min: 1, max: 16 }) }),
  state: fc.constantFrom("running", "waiting", "resuming", "completed", "degraded", "down"),
  progressHours: fc.option(amount),
  checkpointedHours: fc.option(amount),
  workHours: fc.option(amount),
  deadlineMs: fc.option(time),
  deployments: fc.array(deployment, { maxLength: 3 }),
  rps: fc.option(amount),
  replicaRps: fc.option(fc.double({ min: 0.001, max: 1_000, noNaN: true })),
  sloP99Ms: fc.option(fc.double({ min: 1, max: 10_000, noNaN: true })),
  modelVersion: fc.option(fc.constantFrom("v1", "v2")),
  previousModelVersion: fc.option(fc.constantFrom("v1", "v2")),
  costUsd: amount,
  usdPerHour: usdRate,
  server,
});

const instance = fc.record({
  id: instanceId,
  where: place,
  zone: fc.constant(null),
  instanceType,
  offerId,
  spot: fc.boolean(),
  state: fc.constantFrom("provisioning", "running", "terminated", "preempted"),
  workloadId: fc.option(workloadId),
  launchedAtMs: time,
  readyAtMs: fc.option(time),
  endedAtMs: fc.option(time, { freq: 4 }),
  interruptionAtMs: fc.option(time, { freq: 2 }),
  usdPerHour: usdRate,
  costUsd: amount,
  idempotencyKey: fc.constant(null),
  labels: fc.dictionary(text, text, { maxKeys: 3 }),
  server,
}).map(({ where, ...i }) => ({ ...i, cloud: where[0], region: where[1] }));

const offer = fc.record({
  id: offerId,
  where: place,
  zone: fc.constant(null),
  instanceType,
  accelerator: fc.option(accelerator),
  acceleratorCount: fc.nat(16),
  gpuMemoryGb: fc.constant(null),
  vcpus: fc.constant(8),
  memoryGb: fc.constant(32),
  onDemandUsdPerHour: fc.option(usdRate),
  spotUsdPerHour: fc.option(usdRate),
  spotUsdPerHourNow: fc.option(usdRate),
  onDemandUsdPerHourNow: fc.option(usdRate),
  spotAvailability: share,
  launchable: fc.boolean(),
  spotPriceSource: fc.option(text),
  spotAvailabilitySource: fc.option(text),
  server,
}).map(({ where, ...o }) => ({ ...o, cloud: where[0], region: where[1] }));

const health = fc.record({
  atMs: time,
  regions: fc.array(
    fc.record({ where: place, state: fc.constantFrom("up", "down"), addedLatencyMs: amount, stockouts: fc.subarray(["A100", "l4", "Radeon MI25"]) }).map(({ where, ...r }) => ({ ...r, cloud: where[0], region: where[1] })),
    { maxLength: 4 },
  ),
  replicas: fc.constant([]),
  interruptions: fc.array(fc.record({ instanceId, workloadId: fc.option(workloadId), where: place, atMs: time }).map(({ where, ...n }) => ({ ...n, cloud: where[0], region: where[1] })), { maxLength: 2 }),
  services: fc.array(fc.record({ workloadId, demandRps: amount, servedWithinSloRps: amount, latencyP99Ms: amount }), { maxLength: 3 }),
  server,
});

const drift = fc.record({
  workloadId,
  modelVersion: fc.constantFrom("v1", "v2"),
  atMs: time,
  windowMs: fc.integer({ min: 1, max: 86_400_000 }),
  features: fc.array(fc.record({ feature: text, psi: amount, ks: share }), { maxLength: 3 }),
  predictionPsi: amount,
  server,
});

const source = fc.record({
  server,
  ok: fc.boolean(),
  error: fc.option(text),
  invalid: fc.array(fc.record({ tool: fc.oneof(fc.constantFrom("list_offers", "get_health"), text), problem: text }), { maxLength: 2 }),
  ms: amount,
});

const snapshot = fc
  .record({
    atMs: time,
    sources: fc.array(source, { maxLength: 3 }),
    workloads: fc.array(workload, { maxLength: 6 }),
    instances: fc.array(instance, { maxLength: 6 }),
    health: fc.array(health, { maxLength: 2 }),
    offers: fc.array(offer, { maxLength: 5 }),
    drift: fc.array(drift, { maxLength: 3 }),
  })
  .map((s) => SnapshotSchema.safeParse(s))
  .filter((r) => r.success)
  .map((r) => r.data as Snapshot);

const egress: fc.Arbitrary<EgressMatrix> = fc
  .array(fc.record({ from: place, to: place, usdPerGb: fc.double({ min: 0, max: 1, noNaN: true }), gbps: fc.double({ min: 0.01, max: 10, noNaN: true }) }), { maxLength: 8 })
  .map((links) => {
    const m: EgressMatrix = {};
    for (const l of links) (m[`${l.from[0]}/${l.from[1]}`] ??= {})[`${l.to[0]}/${l.to[1]}`] = { usdPerGb: l.usdPerGb, transferGbPerSecond: l.gbps };
    return m;
  });

const detectorConfig = fc
  .record({
    raiseTicks: fc.integer({ min: 1, max: 3 }),
    clearTicks: fc.integer({ min: 1, max: 3 }),
    budgetUsdPerDay: fc.option(fc.double({ min: 1, max: 10_000, noNaN: true })),
    stalledAfterMs: fc.nat(3_600_000),
    orphanAfterMs: fc.nat(3_600_000),
    emptyAcceptedAfterTicks: fc.integer({ min: 1, max: 3 }),
    baselineHalfLifeMs: fc.nat(86_400_000),
  })
  .map((c) => DetectorConfigSchema.parse(c));

describe("detect over generated snapshots", () => {
  it("never throws on snapshots that pass SnapshotSchema, over several ticks, and returns valid findings and state", () => {
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 4 }), detectorConfig, egress, (ticks, cfg, matrix) => {
        let state = initialDetectorState();
        for (const s of ticks) {
          const result = detect(s, state, cfg, matrix);
          for (const f of result.findings) {
            FindingSchema.parse(f);
            expect(f.id.startsWith(`${f.kind}/`)).toBe(true);
            expect(f.summary).not.toContain(MARK);
            expect(JSON.stringify(f.facts)).not.toContain(MARK);
            expect(f.summary).not.toContain("not an id");
          }
          expect([...result.findings].sort(compareFindings)).toEqual(result.findings);
          expect(new Set(result.findings.map((f) => f.id)).size).toBe(result.findings.length);
          // the state survives being stored as JSON
          state = DetectorStateSchema.parse(JSON.parse(JSON.stringify(result.state)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
