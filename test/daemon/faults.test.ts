import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { WorldSpecSchema } from "../../src/domain/index.js";
import { ConfigSchema } from "../../src/server/config.js";
import { Daemon } from "../../src/server/daemon.js";
import { DEFAULT_START_MS } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/host.js";
import { createSimServer } from "../../tools/sim/server.js";
import { executed } from "./helpers.js";

/** A tool server speaking the contract's tool names that misbehaves in one chosen way. */
function faultyServer(mode: "error" | "hang" | "nan"): McpServer {
  const server = new McpServer({ name: `faulty-${mode}`, version: "0.0.0" });
  const annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
  for (const name of ["list_workloads", "list_instances", "get_health", "list_offers", "get_drift"]) {
    server.registerTool(name, { description: `${name} (faulty)`, inputSchema: { workloadId: z.string().optional() }, annotations }, async () => {
      if (mode === "hang") await new Promise(() => {});
      if (mode === "error") return { isError: true, content: [{ type: "text", text: "internal error: the cloud API answered 500" }] };
      const nanInstance = { id: "i-x", cloud: "aws", region: "us-east-1", zone: null, instanceType: "g5.xlarge", offerId: "o", spot: false, state: "running", workloadId: null, launchedAtMs: 0, readyAtMs: 0, endedAtMs: null, interruptionAtMs: null, usdPerHour: Number.NaN, costUsd: -5, idempotencyKey: null, labels: {} };
      const body =
        name === "list_instances" ? { atMs: DEFAULT_START_MS, usdPerHour: 0, instances: [nanInstance] } : name === "list_workloads" ? { atMs: DEFAULT_START_MS, workloads: [] } : name === "list_offers" ? { atMs: DEFAULT_START_MS, total: 0, truncated: false, offers: [] } : name === "get_drift" ? { atMs: DEFAULT_START_MS, reports: [] } : { atMs: DEFAULT_START_MS, regions: [], replicas: [], interruptions: [], services: [] };
      return { structuredContent: body, content: [{ type: "text", text: JSON.stringify(body) }] };
    });
  }
  return server;
}

const chat = { id: "chat", kind: "inference" as const, gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800, residency: ["us"], tier: "prod" as const };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function daemonWith(mode: "error" | "hang" | "nan"): Promise<{ daemon: Daemon; host: SimHost }> {
  const state = mkdtempSync(join(tmpdir(), "skyops-faults-"));
  const spec = WorldSpecSchema.parse({ seed: 1, startMs: DEFAULT_START_MS, workloads: [chat], events: [{ at: "2m", outage: { cloud: "gcp", region: "us-central1", for: "1h" } }] });
  const host = new SimHost({ spec, speed: 0 });
  const connect = (server: McpServer) => async () => {
    const [client, side] = InMemoryTransport.createLinkedPair();
    await server.connect(side);
    return client;
  };
  const daemon = await Daemon.start({
    config: ConfigSchema.parse({
      state,
      policies: "policies",
      servers: [
        { name: "sim", transport: "in-memory" },
        { name: "other-cloud", transport: "in-memory", timeoutMs: 300 },
      ],
    }),
    logger: pino({ level: "silent" }),
    inMemory: { sim: async () => connect(createSimServer(host.context()))(), "other-cloud": async () => connect(faultyServer(mode))() },
    clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
    http: false,
    warmup: 0,
  });
  cleanup.push(async () => {
    await daemon.close();
    host.close();
    rmSync(state, { recursive: true, force: true });
  });
  return { daemon, host };
}

describe("faults", () => {
  for (const mode of ["error", "hang"] as const) {
    it(`a tool server that ${mode === "error" ? "errors" : "times out"} does not stop the loop for the other cloud`, async () => {
      const { daemon } = await daemonWith(mode);
      const kinds = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const r = await daemon.tickOnce();
        for (const f of r.findings) kinds.add(f.kind);
        expect(r.sources.find((s) => s.server === "other-cloud")!.ok).toBe(false);
        expect(r.sources.find((s) => s.server === "sim")!.ok).toBe(true);
      }
      expect(kinds.has("telemetry-missing")).toBe(true);
      expect((await executed(daemon)).map((e) => `${e.type}:${e.state}`)).toContain("failover:succeeded");
    }, 60_000);
  }

  it("drops telemetry with NaN and negative values and takes no action on it", async () => {
    const { daemon } = await daemonWith("nan");
    const kinds = new Set<string>();
    for (let i = 0; i < 5; i++) for (const f of (await daemon.tickOnce()).findings) kinds.add(f.kind);
    expect(kinds.has("telemetry-invalid")).toBe(true);
    expect(kinds.has("orphan-instance")).toBe(false);
    expect((await executed(daemon)).filter((e) => e.type === "terminate")).toEqual([]);
    expect((await daemon.store.proposals.listByStatus(["proposed", "decided", "waiting-approval", "executing", "succeeded"])).filter((p) => p.proposal.type === "terminate")).toEqual([]);
  }, 60_000);
});
