import { afterAll, describe, expect, it } from "vitest";
import { backoffMs, type ExecutionSummary } from "../../src/executor/index.js";
import { isFinished } from "../../src/store/executions.js";
import type { SimHost } from "../../tools/sim/index.js";
import { FAST_RETRY, FaultyToolPort, H, allow, drive, rig, simHost, tempDir, type Rig } from "./helpers.js";
import { TRAIN, failoverProposal, migrateProposal, outageWorld, scaleProposal, servingWorld, trainingWorld } from "./worlds.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const dbPath = () => tmp.path(`failures-${++n}.db`);

async function stepsOf(r: Rig, id: string): Promise<[string, string, number][]> {
  return (await r.repo.require(id)).steps.map((s) => [s.name, s.status, s.attempts]);
}

/** Like `drive`, also noting how far ahead each pause asked to be woken. */
async function driveNoting(r: Rig, host: SimHost, id: string): Promise<{ end: ExecutionSummary; delays: number[] }> {
  const delays: number[] = [];
  for (let tick = 0; tick < 500; tick++) {
    const s = await r.executor.advance(id);
    if (isFinished(s.state)) return { end: s, delays };
    const now = host.world.nowMs;
    if (s.until !== null) delays.push(s.until - now);
    host.advanceTo(s.until !== null && s.until > now ? s.until : now + 15_000);
  }
  throw new Error("did not finish");
}

describe("a failing step unwinds the steps done", () => {
  it("compensates a migration whose target is stocked out: nothing launched, the job keeps running on its source", async () => {
    const host = trainingWorld([{ at: "0s", stockout: { cloud: "gcp", region: "us-central1", gpu: "A100", for: "24h" } }]);
    const source = host.world.listInstances({ workloadId: "llm-finetune" }).map((i) => i.id);
    const r = await rig(host, dbPath());
    const p = migrateProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("compensated");
    expect(end.error).toMatch(/^launch-target failed: launch: .*out of A100 capacity/);
    expect((await stepsOf(r, end.id)).map(([name, status]) => [name, status])).toEqual([
      ["inspect-workload", "succeeded"],
      ["request-checkpoint", "succeeded"],
      ["await-checkpoint", "succeeded"],
      ["launch-target", "compensated"],
      ["await-target-running", "pending"],
      ["resume", "pending"],
      ["await-job-running", "pending"],
      ["select-source", "pending"],
      ["terminate-source", "pending"],
    ]);
    // a domain refusal is not retried
    expect((await stepsOf(r, end.id))[3]![2]).toBe(1);
    expect(host.world.listInstances({ includeEnded: true }).filter((i) => i.idempotencyKey?.startsWith(p.id))).toEqual([]);
    expect(host.world.listInstances({ workloadId: "llm-finetune" }).map((i) => i.id)).toEqual(source);
    expect(host.world.getWorkload("llm-finetune").state).toBe("running");
  });

  it("compensates a migration whose checkpoint is lost before it is written (the source was reclaimed meanwhile)", async () => {
    // a spot job whose node gets its notice at 1h59m and is reclaimed at 2h01m; the 240 GB checkpoint asked at 2h needs until 2h02m
    const host = simHost({
      clouds: ["aws", "gcp"],
      workloads: [{ ...TRAIN, at: { cloud: "aws", region: "us-east-1", spot: true }, checkpointGb: 240 }],
      events: [{ at: "1h59m", preempt: { workload: "llm-finetune" } }],
    });
    host.advanceBy(2 * H);
    const r = await rig(host, dbPath());
    const p = migrateProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("compensated");
    expect(end.error).toMatch(/^await-checkpoint failed: request_checkpoint: checkpoint \S+ was lost before it was written/);
    expect(host.world.listInstances({ includeEnded: true }).filter((i) => i.idempotencyKey?.startsWith(p.id))).toEqual([]);
    // it only ever asked for (and polled) the checkpoint: nothing was launched
    expect(new Set(r.port.changing().map((c) => c.tool))).toEqual(new Set(["request_checkpoint"]));
  });

  it("terminates the launched target when resuming there is refused, leaving the job on its source", async () => {
    const host = trainingWorld();
    const source = host.world.listInstances({ workloadId: "llm-finetune" }).map((i) => i.id);
    const r = await rig(host, dbPath(), { wrap: (port) => new FaultyToolPort(port, [{ tool: "resume_from_checkpoint", fault: { domain: "instanceIds: the instances are in more than one region. resume on instances of one region" } }]) });
    const p = migrateProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("compensated");
    const launched = host.world.listInstances({ includeEnded: true }).filter((i) => i.idempotencyKey === `${p.id}/launch-target`);
    expect(launched.map((i) => i.state)).toEqual(["terminated"]);
    expect((await stepsOf(r, end.id)).slice(3, 6).map(([name, status]) => [name, status])).toEqual([
      ["launch-target", "compensated"],
      ["await-target-running", "succeeded"],
      ["resume", "failed"],
    ]);
    const terminate = r.port.changing().filter((c) => c.tool === "terminate");
    expect(terminate.map((c) => c.args)).toEqual([{ instanceIds: launched.map((i) => i.id), idempotencyKey: `${p.id}/launch-target/compensate` }]);
    expect(host.world.listInstances({ workloadId: "llm-finetune" }).map((i) => i.id)).toEqual(source);
    expect(host.world.getWorkload("llm-finetune").state).toBe("running");
  });

  it("restores the previous traffic split when shifting it does not help", async () => {
    const host = outageWorld();
    const r = await rig(host, dbPath());
    // shifting everything onto the region that is down
    const p = { ...failoverProposal("p-bad-failover"), target: { cloud: "aws" as const, region: "us-east-1", spot: false }, weights: { "aws/us-east-1": 100, "gcp/us-central1": 0 } };
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("compensated");
    expect(end.error).toMatch(/^verify-traffic failed: get_health: .*has no healthy replica \(verification\)/);
    const w = host.world.getWorkload("chat-api");
    expect(Object.fromEntries(w.deployments.map((d) => [d.location, d.trafficWeight]))).toEqual({ "aws/us-east-1": 50, "gcp/us-central1": 50 });
    expect(r.port.changing().map((c) => c.args["idempotencyKey"])).toEqual([`${p.id}/set-weights`, `${p.id}/set-weights/compensate`]);
  });

  it("scales back to the replicas it found when the new replica never becomes healthy", async () => {
    // the target region goes down a minute after the scale-up, before the new replica is ready
    const host = servingWorld([{ at: "61m", outage: { cloud: "gcp", region: "us-central1", for: "24h" } }]);
    const r = await rig(host, dbPath());
    // the proposal's fromReplicas is stale: two run there
    const p = { ...scaleProposal("p-scale-outage", 3), fromReplicas: 1 };
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`, { tickMs: 60_000 });

    expect(end.state).toBe("compensated");
    expect(end.error).toMatch(/^await-replicas failed: /);
    expect(host.world.getWorkload("chat-api").deployments.find((d) => d.location === "gcp/us-central1")?.replicas).toBe(2);
    expect(r.port.changing().map((c) => [c.args["replicas"], c.args["idempotencyKey"]])).toEqual([
      [3, `${p.id}/scale`],
      [2, `${p.id}/scale/compensate`],
    ]);
  });

  it("ends failed with the job left on the target when a step after the point of no return fails", async () => {
    const host = trainingWorld();
    // the first list_workloads (inspect) answers; later ones (waiting for the job on the target) are refused
    const r = await rig(host, dbPath(), { wrap: (port) => new FaultyToolPort(port, [{ tool: "list_workloads", from: 2, fault: { domain: "workloadId: unknown workload" } }]) });
    const p = migrateProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("failed");
    expect(end.error).toMatch(/^await-job-running failed: .*past the point of no return \(resume succeeded\): nothing rolled back$/);
    const launched = host.world.listInstances({ workloadId: "llm-finetune" }).filter((i) => i.idempotencyKey === `${p.id}/launch-target`);
    expect(launched.map((i) => i.state)).toEqual(["running"]);
    expect(host.world.getWorkload("llm-finetune").deployments.map((d) => d.location)).toEqual(["gcp/us-central1"]);
    expect(r.port.changing().filter((c) => String(c.args["idempotencyKey"]).endsWith("/compensate"))).toEqual([]);
  });
});

describe("retryable errors", () => {
  it("retries a launch whose answer timed out, with growing jittered backoff and the same key, and launches once", async () => {
    const host = trainingWorld();
    const r = await rig(host, dbPath(), { wrap: (port) => new FaultyToolPort(port, [{ tool: "launch", fault: "timeout-after", times: 2 }]) });
    const p = migrateProposal();
    await r.executor.start(p, allow);
    const { end, delays } = await driveNoting(r, host, `exec-${p.id}`);

    expect(end.state).toBe("succeeded");
    const key = `${p.id}/launch-target`;
    const first = backoffMs(key, 1, FAST_RETRY);
    const second = backoffMs(key, 2, FAST_RETRY);
    expect(delays.join(",")).toContain(`${first},${second}`);
    expect(first).toBeGreaterThanOrEqual(FAST_RETRY.baseMs / 2);
    expect(first).toBeLessThanOrEqual(FAST_RETRY.baseMs);
    expect(second).toBeGreaterThanOrEqual(FAST_RETRY.baseMs);
    expect(second).toBeLessThanOrEqual(2 * FAST_RETRY.baseMs);
    const launch = (await r.repo.require(end.id)).steps.find((s) => s.name === "launch-target")!;
    expect([launch.status, launch.attempts]).toEqual(["succeeded", 3]);
    expect(launch.error).toMatch(/timed out.*\(tool, retryable\)/);
    // three calls reached the cloud with one key: one instance
    expect(r.port.calls.filter((c) => c.tool === "launch").map((c) => c.args["idempotencyKey"])).toEqual([key, key, key]);
    expect(host.world.listInstances({ includeEnded: true }).filter((i) => i.idempotencyKey === key)).toHaveLength(1);
  });

  it("stops after maxAttempts and compensates, terminating what the unanswered launches started", async () => {
    const host = trainingWorld();
    const r = await rig(host, dbPath(), { wrap: (port) => new FaultyToolPort(port, [{ tool: "launch", fault: "timeout-after" }]) });
    const p = migrateProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("compensated");
    const launch = (await r.repo.require(end.id)).steps.find((s) => s.name === "launch-target")!;
    expect([launch.status, launch.attempts]).toEqual(["compensated", FAST_RETRY.maxAttempts]);
    expect(r.port.calls.filter((c) => c.tool === "launch")).toHaveLength(FAST_RETRY.maxAttempts);
    const launched = host.world.listInstances({ includeEnded: true }).filter((i) => i.idempotencyKey === `${p.id}/launch-target`);
    expect(launched.map((i) => i.state)).toEqual(["terminated"]);
    expect(host.world.getWorkload("llm-finetune").state).toBe("running");
  });

  it("retries a step whose tool answered throttled, and it succeeds on the next try", async () => {
    const host = outageWorld();
    const r = await rig(host, dbPath(), { wrap: (port) => new FaultyToolPort(port, [{ tool: "set_traffic_weights", fault: "throttle", times: 1 }]) });
    const p = failoverProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("succeeded");
    expect((await stepsOf(r, end.id))[1]).toEqual(["set-weights", "succeeded", 2]);
  });

  it("ends failed and says what it could not undo when a compensation keeps failing", async () => {
    const host = trainingWorld();
    const r = await rig(host, dbPath(), {
      wrap: (port) =>
        new FaultyToolPort(port, [
          { tool: "resume_from_checkpoint", fault: { domain: "instanceIds: refused" } },
          { tool: "terminate", fault: "timeout-before" },
        ]),
    });
    const p = migrateProposal();
    await r.executor.start(p, allow);
    const end = await drive(r.executor, host, `exec-${p.id}`);

    expect(end.state).toBe("failed");
    expect(end.error).toMatch(/^resume failed: .*; could not undo launch-target: terminate: request timed out/);
    const launch = (await r.repo.require(end.id)).steps.find((s) => s.name === "launch-target")!;
    expect([launch.status, launch.compensationAttempts]).toEqual(["succeeded", FAST_RETRY.maxAttempts]);
    // the instance is still there for a person (or the orphan detector) to see
    expect(host.world.listInstances({ workloadId: "llm-finetune" }).filter((i) => i.idempotencyKey === `${p.id}/launch-target`)).toHaveLength(1);
  });

  it("waits out a backoff without calling any tool, even when advanced early", async () => {
    const host = trainingWorld();
    const r = await rig(host, dbPath(), { wrap: (port) => new FaultyToolPort(port, [{ tool: "request_checkpoint", fault: "timeout-before", times: 1 }]) });
    const p = migrateProposal();
    const s = await r.executor.start(p, allow);
    expect("state" in s && [s.state, s.until]).toEqual(["waiting", host.world.nowMs + backoffMs(`${p.id}/request-checkpoint`, 1, FAST_RETRY)]);
    const calls = r.port.calls.length;
    await r.executor.advance(`exec-${p.id}`);
    await r.executor.advanceAll();
    expect(r.port.calls.length).toBe(calls);
    host.advanceBy(H);
    const later = await r.executor.advance(`exec-${p.id}`);
    expect(r.port.calls.length).toBeGreaterThan(calls);
    expect(later.state).toBe("waiting");
  });
});
