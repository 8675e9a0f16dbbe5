import { afterAll, describe, expect, it } from "vitest";
import type { MigrateData } from "../../src/executor/sagas/migrate.js";
import { SAGAS } from "../../src/executor/index.js";
import { H, M, allow, drive, proposal, rig, tempDir, type Rig } from "./helpers.js";
import { failoverProposal, migrateProposal, outageWorld, placeProposal, scaleProposal, servingWorld, stalledWorld, trainingWorld } from "./worlds.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const dbPath = () => tmp.path(`sagas-${++n}.db`);

/** Every changing call carried the key `${proposalId}/${step}` (or `/compensate` after it), and no key was used for two steps. */
function expectStepKeys(r: Rig, proposalId: string): void {
  const keys = r.port.changing().map((c) => String(c.args["idempotencyKey"]));
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) expect(key).toMatch(new RegExp(`^${proposalId}/[a-z-]+(/compensate)?$`));
}

describe("each saga on the simulator", () => {
  it("migrates a training job: checkpoint, launch the target, resume there from that checkpoint, then drain the source", async () => {
    const host = trainingWorld();
    const r = await rig(host, dbPath());
    const p = migrateProposal();
    const source = host.world.listInstances({ workloadId: "llm-finetune" });
    const started = await r.executor.start(p, allow);
    expect("state" in started && started.state).toBe("waiting"); // the checkpoint is being written

    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("succeeded");
    expect(end.steps.map((s) => [s.name, s.status])).toEqual(SAGAS.migrate.steps.map((s) => [s.name, "succeeded"]));
    const data = (await r.repo.require(end.id)).data as MigrateData;
    const live = host.world.listInstances({ workloadId: "llm-finetune" });
    expect(live.map((i) => [i.cloud, i.region, i.idempotencyKey])).toEqual([["gcp", "us-central1", `${p.id}/launch-target`]]);
    expect(live.map((i) => i.id)).toEqual(data.launched?.ids);
    for (const s of source) expect(host.world.listInstances({ includeEnded: true }).find((i) => i.id === s.id)?.state).toBe("terminated");
    const w = host.world.getWorkload("llm-finetune");
    expect([w.state, w.deployments.map((d) => d.location)]).toEqual(["running", ["gcp/us-central1"]]);
    // resumed once, from the checkpoint it asked for, holding the two hours done
    const resumed = host.world.events().filter((e) => e.type === "training-resumed");
    expect(resumed.map((e) => [e.detail, e.value])).toEqual([[data.checkpoint?.uri, data.checkpoint?.progressHours]]);
    expect(data.checkpoint?.progressHours).toBeCloseTo(2, 6);
    expect(w.progressHours).toBeGreaterThanOrEqual(2);
    expectStepKeys(r, p.id);
    // polling the checkpoint reused the key that requested it
    const ckptKeys = r.port.calls.filter((c) => c.tool === "request_checkpoint").map((c) => c.args["idempotencyKey"]);
    expect(ckptKeys.length).toBeGreaterThan(1);
    expect(new Set(ckptKeys)).toEqual(new Set([`${p.id}/request-checkpoint`]));
  });

  it("places a stalled training job on new instances and resumes it from its newest durable checkpoint", async () => {
    const host = stalledWorld();
    const before = host.world.getWorkload("stalled-train");
    expect(before.state).toBe("waiting");
    const r = await rig(host, dbPath());
    const p = placeProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("succeeded");
    const live = host.world.listInstances({ workloadId: "stalled-train" });
    expect(live.map((i) => [i.cloud, i.region, i.idempotencyKey])).toEqual([["gcp", "us-central1", `${p.id}/launch`]]);
    const resumed = host.world.events().filter((e) => e.type === "training-resumed");
    expect(resumed.map((e) => e.value)).toEqual([before.checkpointedHours]);
    expect(host.world.getWorkload("stalled-train").state).toBe("running");
    expectStepKeys(r, p.id);
  });

  it("fails traffic over from a region that is down and sees more served within SLO", async () => {
    const host = outageWorld();
    const r = await rig(host, dbPath());
    const p = failoverProposal();
    const servedBefore = host.world.getHealth().services[0]!.servedWithinSloRps;
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("succeeded");
    const w = host.world.getWorkload("chat-api");
    expect(Object.fromEntries(w.deployments.map((d) => [d.location, d.trafficWeight]))).toEqual({ "aws/us-east-1": 0, "gcp/us-central1": 100 });
    expect(host.world.getHealth().services[0]!.servedWithinSloRps).toBeGreaterThan(servedBefore);
    expect((await r.repo.require(end.id)).data["previousWeights"]).toEqual({ "aws/us-east-1": 50, "gcp/us-central1": 50 });
    expectStepKeys(r, p.id);
  });

  it("scales a deployment up and waits until the new replica is healthy", async () => {
    const host = servingWorld();
    const r = await rig(host, dbPath());
    const p = scaleProposal();
    const first = await r.executor.start(p, allow);
    expect("state" in first && first.state).toBe("waiting");
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("succeeded");
    const d = host.world.getWorkload("chat-api").deployments.find((x) => x.location === "gcp/us-central1");
    expect([d?.replicas, d?.healthyReplicas]).toEqual([3, 3]);
    expectStepKeys(r, p.id);
  });

  it("rolls a drifting model back and verifies its prediction PSI dropped", async () => {
    const host = servingWorld([{ at: "2h", drift: { workload: "chat-api", psi: 0.6 } }]);
    host.ops.setModelVersion({ workloadId: "chat-api", version: "v2", idempotencyKey: "release/v2" });
    host.advanceBy(2 * H);
    expect(host.world.getDrift("chat-api").predictionPsi).toBe(0.6);
    const r = await rig(host, dbPath());
    const p = proposal("rollback", { id: "p-rollback", workloadId: "chat-api", fromVersion: "v2", toVersion: "v1" });
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("succeeded");
    const drift = host.world.getDrift("chat-api");
    expect([drift.modelVersion, drift.predictionPsi < 0.6]).toEqual(["v1", true]);
    expectStepKeys(r, p.id);
  });

  it("terminates orphaned instances", async () => {
    const host = servingWorld();
    const orphans = host.ops.launch({ cloud: "aws", region: "us-east-1", gpu: { name: "L4", count: 1 }, spot: false, count: 2, idempotencyKey: "someone/else" });
    const r = await rig(host, dbPath());
    const p = proposal("terminate", { id: "p-terminate", workloadId: "chat-api", instanceIds: orphans.map((i) => i.id) });
    const end = await r.executor.start(p, allow);

    expect("state" in end && end.state).toBe("succeeded");
    expect(host.world.listInstances().filter((i) => i.workloadId === null)).toEqual([]);
    expectStepKeys(r, p.id);
  });

  it("records every step before and after it runs, in the domain's Execution shape", async () => {
    const host = servingWorld();
    const r = await rig(host, dbPath());
    const p = scaleProposal("p-scale-record");
    await r.executor.start(p, allow);
    const mid = await r.repo.require(`exec-${p.id}`);
    // the scale call is done and recorded; the wait for the new replica is running
    expect(mid.steps.map((s) => [s.name, s.status, s.attempts])).toEqual([
      ["record-replicas", "succeeded", 1],
      ["scale", "succeeded", 1],
      ["await-replicas", "running", 1],
    ]);
    expect(mid.state).toBe("waiting");
    expect(mid.notBeforeMs).toBeGreaterThan(host.world.nowMs);
    await drive(r.executor, host, mid.id);
    const { toExecution } = await import("../../src/store/executions.js");
    const done = toExecution(await r.repo.require(mid.id));
    expect(done.result).toBe("succeeded");
    expect(done.steps.map((s) => [s.name, s.status, s.idempotencyKey])).toEqual([
      ["record-replicas", "succeeded", `${p.id}/record-replicas`],
      ["scale", "succeeded", `${p.id}/scale`],
      ["await-replicas", "succeeded", `${p.id}/await-replicas`],
    ]);
    expect(done.endedAtMs).toBeGreaterThanOrEqual(done.startedAtMs + M);
  });
});
