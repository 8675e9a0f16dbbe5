import { afterAll, describe, expect, it } from "vitest";
import type { Proposal, WorkloadStatus } from "../../src/domain/index.js";
import type { MigrateData } from "../../src/executor/sagas/migrate.js";
import type { ExecutionRecord } from "../../src/store/executions.js";
import type { ToolCaller } from "../../src/executor/index.js";
import type { WorldReader as World } from "../../tools/sim/journaled-world.js";
import type { SimHost } from "../../tools/sim/index.js";
import { CrashingRepository, CrashingToolPort, FaultyToolPort, SimulatedCrash, allow, drive, rig, tempDir } from "./helpers.js";
import { failoverProposal, migrateProposal, outageWorld, placeProposal, stalledWorld, trainingWorld } from "./worlds.js";

/*
 * In-process crash safety: the daemon "dies" at every boundary of a saga and a new process (a new
 * Executor, a new ExecutionRepository, a new database handle on the same file) reconciles and finishes it.
 * Boundaries are every stored transition (the process dies right after the write is committed) and every
 * tool call (it dies just before the request leaves, or just after the cloud acted but before the answer
 * is stored). The restart comes 30 simulated seconds later. Each time the execution ends as it does
 * without a crash (succeeded, or compensated where a fault at the wire makes it fail), at most one target
 * placement was ever launched, no instance is orphaned and the checkpoint is not lost.
 */

const RESTART_MS = 30_000;
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const dbPath = () => tmp.path(`crash-${++n}.db`);

interface Before {
  instances: string[];
  workload: WorkloadStatus;
}

interface Scenario {
  world: () => SimHost;
  proposal: () => Proposal;
  /** Faults at the wire, the same in every process (default none). */
  faults?: (port: ToolCaller) => ToolCaller;
  /** How the saga ends without a crash, and so after any crash (default succeeded). */
  ends?: "succeeded" | "compensated";
  check: (world: World, p: Proposal, e: ExecutionRecord, before: Before) => void;
}

type CrashPoint = { kind: "write"; after: number } | { kind: "call"; at: number; when: "before" | "after" };

function describePoint(c: CrashPoint): string {
  return c.kind === "write" ? `after stored transition ${c.after}` : `${c.when} tool call ${c.at}`;
}

/** The uninterrupted run: how many transitions it stores and how many calls it makes. */
async function reference(s: Scenario): Promise<{ writes: number; calls: number }> {
  const host = s.world();
  const p = s.proposal();
  const repo = { current: undefined as CrashingRepository | undefined };
  const r = await rig(host, dbPath(), { repo: (stored) => (repo.current = new CrashingRepository(stored, Number.POSITIVE_INFINITY, () => {})), wrap: s.faults });
  await r.executor.start(p, allow);
  const end = await drive(r.executor, host, `exec-${p.id}`);
  expect(end.state).toBe(s.ends ?? "succeeded");
  await r.store.close();
  return { writes: repo.current!.written, calls: r.port.calls.length };
}

async function crashAndRecover(s: Scenario, point: CrashPoint): Promise<void> {
  const host = s.world();
  const p = s.proposal();
  const id = `exec-${p.id}`;
  const workloadId = p.workloadId;
  const before: Before = { instances: host.world.listInstances({ workloadId }).map((i) => i.id), workload: host.world.getWorkload(workloadId) };
  const path = dbPath();

  // the process that dies
  let crashed = false;
  let crashPort: CrashingToolPort | undefined;
  const a = await rig(host, path, {
    repo: point.kind === "write" ? (stored) => new CrashingRepository(stored, point.after, () => (crashed = true)) : undefined,
    wrap: (port) => {
      const faulty = s.faults ? s.faults(port) : port;
      return point.kind === "call" ? (crashPort = new CrashingToolPort(faulty, point.at, point.when)) : faulty;
    },
  });
  const run = (async () => {
    await a.executor.start(p, allow);
    await drive(a.executor, host, id);
  })();
  try {
    await Promise.race([run, crashPort ? crashPort.crashed.then(() => (crashed = true)) : new Promise(() => {})]);
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
  }
  expect(crashed, `the run ended before the crash point (${describePoint(point)})`).toBe(true);
  await a.store.close();

  // the restarted process
  host.advanceBy(RESTART_MS);
  const b = await rig(host, path, { wrap: s.faults });
  const unfinished = (await b.repo.listUnfinished()).map((x) => x.id);
  const reconciled = await b.executor.reconcile();
  expect(reconciled.map((x) => x.id)).toEqual(unfinished);
  const end = await drive(b.executor, host, id);
  const e = await b.repo.require(id);
  await b.store.close();

  try {
    expect(end.state, end.error ?? "").toBe(s.ends ?? "succeeded");
    if (end.state === "succeeded") expect(e.steps.map((st) => st.status)).toEqual(e.steps.map(() => "succeeded"));
    expectNoOrphans(host.world);
    s.check(host.world, p, e, before);
  } catch (error) {
    if (error instanceof Error) error.message = `crash ${describePoint(point)}: ${error.message}`;
    throw error;
  }
}

/** Every live instance has a workload and is part of what that workload runs on now. */
function expectNoOrphans(world: World): void {
  expect(world.listInstances().filter((i) => i.workloadId === null)).toEqual([]);
  for (const w of world.listWorkloads()) {
    const live = world.listInstances({ workloadId: w.id });
    const perLocation: Record<string, number> = {};
    for (const i of live) perLocation[`${i.cloud}/${i.region}`] = (perLocation[`${i.cloud}/${i.region}`] ?? 0) + 1;
    const active = Object.fromEntries(w.deployments.filter((d) => d.replicas > 0).map((d) => [d.location, d.replicas]));
    expect(perLocation, `${w.id}: live instances by location vs its active placement`).toEqual(active);
  }
}

function launchedBy(world: World, p: Proposal): { id: string; key: string | null; state: string; location: string }[] {
  return world
    .listInstances({ includeEnded: true })
    .filter((i) => i.idempotencyKey?.startsWith(`${p.id}/`))
    .map((i) => ({ id: i.id, key: i.idempotencyKey, state: i.state, location: `${i.cloud}/${i.region}` }));
}

function resumes(world: World, workloadId: string): { detail: string | undefined; value: number | undefined }[] {
  return world
    .events()
    .filter((e) => e.type === "training-resumed" && e.workloadId === workloadId)
    .map((e) => ({ detail: e.detail, value: e.value }));
}

const SCENARIOS: Record<string, Scenario> = {
  migrate: {
    world: () => trainingWorld(),
    proposal: () => migrateProposal("crash-migrate"),
    check(world, p, e, before) {
      // exactly one target placement, and it is where the job runs
      const launched = launchedBy(world, p);
      expect(launched.map(({ key, state, location }) => ({ key, state, location }))).toEqual([{ key: `${p.id}/launch-target`, state: "running", location: "gcp/us-central1" }]);
      expect(world.listInstances({ workloadId: p.workloadId }).map((i) => i.id)).toEqual(launched.map((i) => i.id));
      for (const id of before.instances) expect(world.listInstances({ includeEnded: true }).find((i) => i.id === id)?.state).toBe("terminated");
      const w = world.getWorkload(p.workloadId);
      expect([w.state, w.deployments.map((d) => d.location)]).toEqual(["running", ["gcp/us-central1"]]);
      // the checkpoint is not lost: resumed once, from it, with all the progress it held
      const data = e.data as MigrateData;
      expect(resumes(world, p.workloadId)).toEqual([{ detail: data.checkpoint?.uri, value: data.checkpoint?.progressHours }]);
      expect(data.checkpoint!.progressHours).toBeGreaterThanOrEqual(before.workload.progressHours!);
      expect(w.progressHours).toBeGreaterThanOrEqual(data.checkpoint!.progressHours);
    },
  },
  place: {
    world: () => stalledWorld(),
    proposal: () => placeProposal("crash-place"),
    check(world, p, _e, before) {
      const launched = launchedBy(world, p);
      expect(launched.map(({ key, state, location }) => ({ key, state, location }))).toEqual([{ key: `${p.id}/launch`, state: "running", location: "gcp/us-central1" }]);
      expect(world.listInstances({ workloadId: p.workloadId }).map((i) => i.id)).toEqual(launched.map((i) => i.id));
      const w = world.getWorkload(p.workloadId);
      expect([w.state, w.deployments.map((d) => d.location)]).toEqual(["running", ["gcp/us-central1"]]);
      // resumed once, from the newest durable checkpoint the stalled job had
      expect(resumes(world, p.workloadId).map((r) => r.value)).toEqual([before.workload.checkpointedHours]);
    },
  },
  "migrate, compensated when resuming on the target is refused": {
    world: () => trainingWorld(),
    proposal: () => migrateProposal("crash-migrate-undo"),
    faults: (port) => new FaultyToolPort(port, [{ tool: "resume_from_checkpoint", fault: { domain: "instanceIds: refused" } }]),
    ends: "compensated",
    check(world, p, e, before) {
      // what was launched is terminated (once), the job never moved and runs where it ran
      expect(launchedBy(world, p).map(({ key, state }) => ({ key, state }))).toEqual([{ key: `${p.id}/launch-target`, state: "terminated" }]);
      expect(world.listInstances({ workloadId: p.workloadId }).map((i) => i.id)).toEqual(before.instances);
      expect(world.getWorkload(p.workloadId).state).toBe("running");
      expect(resumes(world, p.workloadId)).toEqual([]);
      expect(e.steps.find((st) => st.name === "launch-target")?.status).toBe("compensated");
    },
  },
  failover: {
    world: () => outageWorld(),
    proposal: () => failoverProposal("crash-failover"),
    check(world, p, _e, before) {
      const w = world.getWorkload(p.workloadId);
      expect(Object.fromEntries(w.deployments.map((d) => [d.location, d.trafficWeight]))).toEqual({ "aws/us-east-1": 0, "gcp/us-central1": 100 });
      // the weights were set once, and no replica came or went
      expect(world.events().filter((e) => e.type === "traffic-weights-set" && e.workloadId === p.workloadId)).toHaveLength(1);
      expect(world.listInstances({ workloadId: p.workloadId }).map((i) => i.id)).toEqual(before.instances);
      expect(launchedBy(world, p)).toEqual([]);
    },
  },
};

describe("reconcile after a crash", () => {
  it("re-runs a step recorded as running with its stored idempotency key, and the cloud answers with the first launch", async () => {
    const host = trainingWorld();
    const p = migrateProposal("crash-rerun");
    const id = `exec-${p.id}`;
    const path = dbPath();
    // die just after the launch reached the cloud, before its answer is stored
    let dying: CrashingToolPort | undefined;
    const a = await rig(host, path, { wrap: (port) => (dying = new CrashingToolPort(port, { tool: "launch" }, "after")) });
    void (async () => {
      await a.executor.start(p, allow);
      await drive(a.executor, host, id);
    })();
    await dying!.crashed;
    await a.store.close();
    const lost = a.port.calls.at(-1)!;
    expect([lost.tool, lost.result.ok]).toEqual(["launch", true]);

    host.advanceBy(RESTART_MS);
    const b = await rig(host, path);
    const stored = (await b.repo.require(id)).steps.find((st) => st.name === "launch-target")!;
    expect([stored.status, stored.attempts, stored.output]).toEqual(["running", 1, null]);
    await b.executor.reconcile();
    const relaunch = b.port.calls.find((c) => c.tool === "launch")!;
    expect(relaunch.args).toEqual(lost.args);
    expect(relaunch.args["idempotencyKey"]).toBe(`${p.id}/launch-target`);
    const ids = (c: typeof lost) => (c.result.ok ? (c.result.structured as { instances: { id: string }[] }).instances.map((i) => i.id) : []);
    expect(ids(relaunch)).toEqual(ids(lost));
    const end = await drive(b.executor, host, id);
    expect(end.state).toBe("succeeded");
    expect(launchedBy(host.world, p)).toHaveLength(1);
    await b.store.close();
  });
});

describe.each(Object.entries(SCENARIOS))("crash safety of %s", (_name, scenario) => {
  // points run one after another on a fresh world each: a few seconds per scenario
  it("ends as without a crash (one target placement, no orphan, the checkpoint kept) after a crash at every stored transition and around every tool call", async () => {
    const { writes, calls } = await reference(scenario);
    const points: CrashPoint[] = [];
    for (let k = 1; k <= writes; k++) points.push({ kind: "write", after: k });
    for (let c = 0; c < calls; c++) points.push({ kind: "call", at: c, when: "before" }, { kind: "call", at: c, when: "after" });
    expect(points.length).toBeGreaterThan(10);
    for (const point of points) await crashAndRecover(scenario, point);
  }, 120_000);
});
