/**
 * One life of a daemon process for the crash-safety harness (crash.test.ts). It runs a real daemon on a
 * simulated world whose state (SQLite + the world's journal) lives in STATE, ticking until the scenario's
 * action has finished. With KILL_AT=k it SIGKILLs itself at the k-th boundary around a changing tool call
 * (just before the call, or just after it took effect) — the most dangerous moments for a saga.
 * At the end it prints one JSON line with what the harness checks.
 */
import { join } from "node:path";
import pino from "pino";
import { WorldSpecSchema } from "../../src/domain/index.js";
import { ConfigSchema } from "../../src/server/config.js";
import { Daemon } from "../../src/server/daemon.js";
import { DEFAULT_START_MS } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/host.js";
import { CHANGING_OPS } from "../../tools/sim/journaled-world.js";
import { inMemorySimTransport } from "../../tools/sim/in-memory.js";

const [state, scenario] = [process.argv[2]!, process.argv[3]!];
const killAt = process.env["KILL_AT"] ? Number(process.env["KILL_AT"]) : null;

const SCENARIOS = {
  migrate: {
    action: "migrate",
    workload: "trainer",
    world: {
      workloads: [{ id: "trainer", kind: "training", gpu: "A100:8", at: { cloud: "aws", region: "us-east-1", spot: true }, workHours: 30, checkpointGb: 40, residency: ["us"] }],
      events: [{ at: "2m", price: { cloud: "aws", region: "us-east-1", gpu: "A100", spot: true, factor: 5, for: "12h" } }],
    },
  },
  failover: {
    action: "failover",
    workload: "chat",
    world: {
      workloads: [{ id: "chat", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800, residency: ["us"], tier: "prod" }],
      events: [{ at: "2m", outage: { cloud: "gcp", region: "us-central1", for: "3h" } }],
    },
  },
  // a reclaim whose 2-minute notice falls between two 5-minute ticks: the job is left with nothing, is seen
  // stalled, and is placed again (with 1-minute ticks the notice is seen and the answer is a migrate)
  place: {
    action: "place",
    workload: "trainer",
    tick: 300_000,
    world: {
      workloads: [{ id: "trainer", kind: "training", gpu: "A100:8", at: { cloud: "gcp", region: "us-central1", spot: true }, workHours: 30, checkpointGb: 40, residency: ["us"], checkpointEvery: "5m" }],
      events: [{ at: "21m", preempt: { workload: "trainer" } }],
    },
  },
} as const;
const s = SCENARIOS[scenario as keyof typeof SCENARIOS];

const spec = WorldSpecSchema.parse({ seed: 5, startMs: DEFAULT_START_MS, ...s.world });
const host = new SimHost({ spec, speed: 0, stateDir: join(state, "sim") });
let boundary = 0;
const ops = host.ops as unknown as Record<string, (req: unknown) => unknown>;
for (const op of CHANGING_OPS) {
  const original = ops[op]!.bind(host.ops);
  ops[op] = (req: unknown) => {
    if (++boundary === killAt) process.kill(process.pid, "SIGKILL");
    const result = original(req);
    if (++boundary === killAt) process.kill(process.pid, "SIGKILL");
    return result;
  };
}
const daemon = await Daemon.start({
  config: ConfigSchema.parse({ state, policies: "policies", tick: "tick" in s ? s.tick : 60_000 }),
  logger: pino({ level: "silent" }),
  inMemory: { sim: inMemorySimTransport(host) },
  clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
  http: false,
  warmup: 0,
});
await daemon.executor.reconcile();
// tick until the scenario's action has run and nothing is left in flight (a kill may change which action ran)
const settled = async (): Promise<boolean> => {
  const { executions } = daemon.store;
  if ((await executions.countInFlight()) > 0) return false;
  const all = await executions.list();
  if (all.some((e) => e.type === s.action)) return true;
  return all.length > 0 && host.world.getWorkload(s.workload).state === "running";
};
for (let i = 0; i < 120; i++) {
  await daemon.tickOnce();
  // a few ticks at least: the loop may still propose the rest of its answer to the incident
  if (i >= 3 && (await settled())) break;
}
host.markClock(true);
const w = host.world.getWorkload(s.workload);
const live = host.world.listInstances({ workloadId: s.workload });
const report = {
  boundaries: boundary,
  executions: (await daemon.store.executions.list()).map((e) => ({ type: e.type, state: e.state })),
  state: w.state,
  liveInstances: live.length,
  activeNodes: w.deployments.reduce((a, d) => a + d.replicas, 0),
  deployments: w.deployments.map((d) => [d.location, d.replicas, d.trafficWeight]),
  orphans: host.world.listInstances().filter((i) => i.workloadId === null).length,
  progressHours: w.progressHours,
  checkpointedHours: w.checkpointedHours,
  audit: await daemon.store.audit.verify(),
};
await daemon.close();
host.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
