import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { WorldSpecSchema, type WorldSpecInput } from "../../src/domain/index.js";
import { sha256Hex } from "../../src/server/auth.js";
import { ConfigSchema, type ConfigInput } from "../../src/server/config.js";
import { Daemon } from "../../src/server/daemon.js";
import { DEFAULT_START_MS } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/host.js";
import { inMemorySimTransport } from "../../tools/sim/in-memory.js";

export const M = 60_000;
export const H = 3_600_000;

export interface TestDaemon {
  daemon: Daemon;
  host: SimHost;
  state: string;
  ticks(n: number): Promise<void>;
  /** POSTs JSON as `as` (a user of TEST_TOKENS; null: with no token), with any extra headers. */
  post(path: string, body: unknown, as?: string | null, headers?: Record<string, string>): Promise<{ status: number; json: unknown }>;
  close(): Promise<void>;
}

/** A training job on spot A100s in aws/us-east-1, and a prod service in two regions: the daemon tests' usual pair. */
export const TRAINER = { id: "trainer", kind: "training" as const, gpu: "A100:8", at: { cloud: "aws" as const, region: "us-east-1", spot: true }, workHours: 30, checkpointGb: 40, residency: ["us"], tier: "dev" as const };
export const CHAT = { id: "chat", kind: "inference" as const, gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800, residency: ["us"], tier: "prod" as const };

/** The API tokens every test daemon knows: a user's token is `token-of-<user>-…`, so tests can send it. */
export const TEST_USERS = ["alice", "bob", "carol"] as const;
export const tokenOf = (user: string): string => `token-of-${user}-0123456789abcdef`;
const TEST_TOKENS = TEST_USERS.map((user) => ({ user, sha256: sha256Hex(tokenOf(user)) }));

/** A real daemon (store, policies, hub over MCP in-memory, executor, graph, HTTP on an ephemeral port) on a simulated world. */
export async function startTestDaemon(world: Partial<WorldSpecInput> & { workloads: WorldSpecInput["workloads"] }, config: ConfigInput = {}, stateDir?: string, logger: Logger = pino({ level: "silent" })): Promise<TestDaemon> {
  const state = stateDir ?? mkdtempSync(join(tmpdir(), "skyops-daemon-"));
  const spec = WorldSpecSchema.parse({ seed: 1, startMs: DEFAULT_START_MS, events: [], ...world });
  const host = new SimHost({ spec, speed: 0, stateDir: join(state, "sim") });
  const factory = inMemorySimTransport(host);
  const daemon = await Daemon.start({
    config: ConfigSchema.parse({ state, http: "127.0.0.1:0", policies: "policies", tick: 60_000, api: { tokens: TEST_TOKENS }, ...config }),
    logger,
    inMemory: { sim: factory },
    clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
    warmup: 0,
  });
  return {
    daemon,
    host,
    state,
    ticks: async (n) => {
      for (let i = 0; i < n; i++) await daemon.tickOnce();
    },
    post: async (path, body, as = "alice", headers = {}) => {
      const auth: Record<string, string> = as === null ? {} : { authorization: `Bearer ${tokenOf(as)}` };
      const res = await fetch(`${daemon.httpUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...auth, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
      return { status: res.status, json: await res.json() };
    },
    close: async () => {
      await daemon.close();
      host.close();
      if (!stateDir) rmSync(state, { recursive: true, force: true });
    },
  };
}

export async function executed(d: Daemon): Promise<{ type: string; workloadId: string; state: string }[]> {
  return (await d.store.executions.list()).map((e) => ({ type: e.type, workloadId: e.workloadId, state: e.state }));
}
