import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { McpHub, readOnlyPort, type ToolPort } from "../../src/agent/hub.js";
import { OBSERVE_TOOLS, observe, type ObservePort } from "../../src/agent/observe.js";
import { loadWorldData } from "../../src/data/load.js";
import { CONTRACT, SnapshotSchema, type EgressMatrix, type Snapshot, type WorldData } from "../../src/domain/index.js";
import { SimHost, createSimServer } from "../../tools/sim/index.js";

let data: WorldData | undefined;
function frozenHost(): SimHost {
  data ??= loadWorldData();
  return new SimHost({ speed: 0, data });
}

function simFactory(host: SimHost): () => Promise<Transport> {
  return async () => {
    const server = createSimServer(host.context());
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    return clientSide;
  };
}

type Answers = Partial<Record<string, () => CallToolResult | Promise<CallToolResult>>>;

/**
 * A third-party tool server speaking the contract's tool names with whatever answers the test gives:
 * no output schemas, so bad data reaches the wire as it would from a careless or hostile server.
 */
function fakeServer(answers: Answers): () => Promise<Transport> {
  return async () => {
    const server = new McpServer({ name: "fake", version: "0.0.0" });
    for (const [name, answer] of Object.entries(answers)) {
      server.registerTool(
        name,
        { description: name, inputSchema: z.object({ from: z.string().optional() }), annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } },
        () => answer!(),
      );
    }
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    return clientSide;
  };
}

const structured = (value: Record<string, unknown>): CallToolResult => ({ content: [{ type: "text", text: "ok" }], structuredContent: value });

/** A port that counts calls per `${server}.${tool}`. */
function counting(port: ObservePort): { port: ObservePort; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    port: {
      tool: (s, t) => port.tool(s, t),
      servers: () => port.servers(),
      call: (s, t, a, o) => {
        calls.set(`${s}.${t}`, (calls.get(`${s}.${t}`) ?? 0) + 1);
        return port.call(s, t, a, o);
      },
    },
  };
}

/** The snapshot without wall-clock timings, to compare two observations. */
function timeless(snapshot: Snapshot): Snapshot {
  return { ...snapshot, sources: snapshot.sources.map((s) => ({ ...s, ms: 0 })) };
}

describe("what observe reads", () => {
  it("is every listing tool of the contract", () => {
    expect([...OBSERVE_TOOLS].sort()).toEqual(Object.values(CONTRACT).filter((t) => t.listing !== null).map((t) => t.name).sort());
  });
});

describe("observe on the default world over the in-memory transport", () => {
  let host: SimHost;
  let hub: McpHub;
  let port: ToolPort;
  beforeAll(async () => {
    host = frozenHost();
    hub = await McpHub.connect([{ name: "sim", transport: "in-memory" }], { inMemory: { sim: simFactory(host) } });
    port = readOnlyPort(hub);
  });
  afterAll(async () => {
    await hub.close();
    host.close();
  });

  it("gives a valid snapshot with every workload, instance, offer, health and drift report, one bulk call per tool", async () => {
    const { port: counted, calls } = counting(port);
    const { snapshot, egress, egressProblems } = await observe(counted, ["sim"], host.world.nowMs, { egressCache: {} });
    expect(() => SnapshotSchema.parse(snapshot)).not.toThrow();
    expect(snapshot.sources).toEqual([{ server: "sim", ok: true, error: null, invalid: [], ms: expect.any(Number) }]);
    const world = host.world;
    expect(snapshot.workloads.map((w) => w.id)).toEqual(world.listWorkloads().map((w) => w.id).sort());
    expect(snapshot.instances).toHaveLength(world.listInstances({}).length);
    expect(snapshot.offers).toHaveLength(world.listOffers({}).length);
    expect(snapshot.drift.map((d) => d.workloadId)).toEqual(["chat-api", "doc-classifier", "eu-search-embed"]);
    expect(snapshot.health).toHaveLength(1);
    expect(snapshot.health[0]!.regions.length).toBeGreaterThan(10);
    expect([...snapshot.workloads, ...snapshot.instances, ...snapshot.offers, ...snapshot.drift, ...snapshot.health].every((r) => r.server === "sim")).toBe(true);

    const locations = [...new Set(snapshot.workloads.flatMap((w) => w.deployments.map((d) => d.location)))].sort();
    for (const tool of OBSERVE_TOOLS) expect(calls.get(`sim.${tool}`), tool).toBe(1);
    expect(calls.get("sim.get_egress_price")).toBe(locations.length);
    expect(egressProblems).toEqual([]);
    expect(Object.keys(egress)).toEqual(locations);
    const regions = world.listRegions().length;
    for (const from of locations) {
      expect(Object.keys(egress[from]!)).toHaveLength(regions);
      expect(egress[from]![from]).toEqual({ usdPerGb: 0, transferGbPerSecond: expect.any(Number) });
    }
    const pair = world.getEgressPrice({ cloud: "aws", region: "us-east-1" }, { cloud: "gcp", region: "us-central1" });
    expect(egress["aws/us-east-1"]!["gcp/us-central1"]).toEqual({ usdPerGb: pair.usdPerGb, transferGbPerSecond: pair.transferGbPerSecond });
  });

  it("asks egress prices once per location for good, and is deterministic from tick to tick", async () => {
    const egressCache: EgressMatrix = {};
    const first = await observe(port, ["sim"], host.world.nowMs, { egressCache });
    expect(Object.keys(egressCache).length).toBeGreaterThan(0);
    const { port: counted, calls } = counting(port);
    const second = await observe(counted, ["sim"], host.world.nowMs, { egressCache });
    expect(calls.get("sim.get_egress_price")).toBeUndefined();
    expect(second.egress).toEqual(first.egress);
    expect(timeless(second.snapshot)).toEqual(timeless(first.snapshot));
  });

  it("reads egress with the sim's bulk get_egress_price: every region from one location, matching the single-pair form", async () => {
    const bulk = await hub.call("sim", "get_egress_price", { from: "gcp/us-central1" });
    if (!bulk.ok) throw new Error(bulk.error);
    const prices = (bulk.structured as { prices: { to: string; usdPerGb: number; basis: string; transferGbPerSecond: number }[] }).prices;
    expect(bulk.structured).toMatchObject({ atMs: host.world.nowMs, from: "gcp/us-central1" });
    expect(bulk.structured).not.toHaveProperty("to");
    expect(prices.map((p) => p.to)).toEqual(host.world.listRegions().map((r) => `${r.cloud}/${r.region}`));
    expect(bulk.text.length).toBeLessThan(3_000);
    const pair = await hub.call("sim", "get_egress_price", { from: "gcp/us-central1", to: "azure/eastus" });
    if (!pair.ok) throw new Error(pair.error);
    const { usdPerGb, basis, transferGbPerSecond } = pair.structured as Record<string, unknown>;
    expect(prices.find((p) => p.to === "azure/eastus")).toEqual({ to: "azure/eastus", usdPerGb, basis, transferGbPerSecond });
    const refused = await hub.call("sim", "get_egress_price", { from: "gcp/us-central1", gb: 10 });
    expect(refused).toMatchObject({ ok: false, code: "invalid-argument", error: expect.stringMatching(/^gb: gb needs to/) });
  });

  it("sorts records by id, then server", async () => {
    const { snapshot } = await observe(port, ["sim"], host.world.nowMs, { egressCache: {} });
    const ids = (list: readonly { id: string }[]) => list.map((r) => r.id);
    expect(ids(snapshot.instances)).toEqual(ids(snapshot.instances).sort());
    expect(ids(snapshot.offers)).toEqual(ids(snapshot.offers).sort());
    expect(ids(snapshot.workloads)).toEqual(ids(snapshot.workloads).sort());
  });
});

describe("observe with invalid telemetry", () => {
  let host: SimHost;
  let hub: McpHub | undefined;
  beforeAll(() => {
    host = frozenHost();
  });
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });
  afterAll(() => host.close());

  /** The sim's own answers, as plain data a fake server can corrupt. */
  function worldAnswers(): { workloads: Record<string, unknown>[]; instances: Record<string, unknown>[]; offers: Record<string, unknown>[]; health: Record<string, unknown>; drift: Record<string, unknown>[] } {
    const w = host.world;
    const copy = <T>(x: T): T => structuredClone(x);
    return {
      workloads: copy(w.listWorkloads()) as unknown as Record<string, unknown>[],
      instances: copy(w.listInstances({})) as unknown as Record<string, unknown>[],
      offers: copy(w.listOffers({}).slice(0, 20)) as unknown as Record<string, unknown>[],
      health: copy(w.getHealth({})) as unknown as Record<string, unknown>,
      drift: copy(["chat-api", "doc-classifier"].map((id) => w.getDrift(id))) as unknown as Record<string, unknown>[],
    };
  }

  it("drops only the NaN, negative and absurd records, lists each with its tool and problem, and never throws", async () => {
    const a = worldAnswers();
    a.instances[0]!.usdPerHour = -1;
    a.instances[1]!.usdPerHour = Number.NaN;
    a.offers[0]!.onDemandUsdPerHour = 1e9;
    a.offers[1]!.spotAvailability = 7;
    a.workloads.find((w) => w.id === "chat-api")!.rps = -300;
    const health = a.health as { regions: Record<string, unknown>[]; replicas: Record<string, unknown>[] };
    health.regions[0]!.addedLatencyMs = -5;
    health.replicas[0]!.latencyP99Ms = Number.NaN;
    a.drift[0]!.predictionPsi = Number.POSITIVE_INFINITY;
    hub = await McpHub.connect([{ name: "bad", transport: "in-memory" }], {
      inMemory: {
        bad: fakeServer({
          list_workloads: () => structured({ atMs: 0, workloads: a.workloads }),
          list_instances: () => structured({ atMs: 0, usdPerHour: Number.NaN, instances: a.instances }),
          list_offers: () => structured({ atMs: 0, total: 20, truncated: false, offers: a.offers }),
          get_health: () => structured(a.health),
          get_drift: () => structured({ atMs: 0, reports: a.drift }),
        }),
      },
    });
    const { snapshot } = await observe(readOnlyPort(hub), ["bad"], 1_000, { egressCache: {} });
    expect(() => SnapshotSchema.parse(snapshot)).not.toThrow();
    const [source] = snapshot.sources;
    expect(source).toMatchObject({ server: "bad", ok: true, error: null });
    const problems = source!.invalid.map((i) => `${i.tool}: ${i.problem}`);
    expect(problems).toEqual([
      expect.stringMatching(/^list_workloads: workloads "chat-api" dropped: rps: .*>=0/),
      expect.stringMatching(new RegExp(`^list_instances: instances "${String(a.instances[0]!.id)}" dropped: usdPerHour: .*>=0`)),
      expect.stringMatching(new RegExp(`^list_instances: instances "${String(a.instances[1]!.id)}" dropped: usdPerHour: `)),
      expect.stringMatching(/^get_health: regions ".+" dropped: addedLatencyMs: /),
      expect.stringMatching(/^get_health: replicas ".+" dropped: latencyP99Ms: /),
      expect.stringMatching(/^list_offers: offers ".+" dropped: onDemandUsdPerHour: absurd price/),
      expect.stringMatching(/^list_offers: offers ".+" dropped: spotAvailability: /),
      expect.stringMatching(/^get_drift: reports "chat-api" dropped: predictionPsi: /),
    ]);
    expect(problems).toHaveLength(8);

    expect(snapshot.workloads.map((w) => w.id)).not.toContain("chat-api");
    expect(snapshot.workloads).toHaveLength(a.workloads.length - 1);
    expect(snapshot.instances).toHaveLength(a.instances.length - 2);
    expect(snapshot.instances.every((i) => Number.isFinite(i.usdPerHour) && i.usdPerHour >= 0)).toBe(true);
    expect(snapshot.offers).toHaveLength(18);
    expect(snapshot.health[0]!.regions).toHaveLength(health.regions.length - 1);
    expect(snapshot.health[0]!.replicas).toHaveLength(health.replicas.length - 1);
    expect(snapshot.drift.map((d) => d.workloadId)).toEqual(["doc-classifier"]);
  });

  it("rejects a response that breaks the contract as a whole, and keeps none of that server's data", async () => {
    const a = worldAnswers();
    hub = await McpHub.connect([{ name: "garbled", transport: "in-memory" }], {
      inMemory: {
        garbled: fakeServer({
          list_workloads: () => structured({ atMs: 0, workloads: a.workloads }),
          list_instances: () => structured({ atMs: 0, instances: "all of them" }),
        }),
      },
    });
    const { snapshot } = await observe(readOnlyPort(hub), ["garbled"], 1_000, { egressCache: {} });
    expect(snapshot.sources[0]).toMatchObject({
      server: "garbled",
      ok: false,
      error: expect.stringMatching(/^list_instances: the response does not match the tool contract \(instances: /),
      invalid: [{ tool: "list_instances", problem: expect.stringMatching(/^whole response rejected: instances: /) }],
    });
    expect(snapshot.workloads).toEqual([]);
    expect(snapshot.instances).toEqual([]);
  });

  it("lists at most 50 dropped records per tool and counts the rest", async () => {
    const a = worldAnswers();
    const bad = Array.from({ length: 120 }, (_, i) => ({ ...a.instances[0]!, id: `i-bad-${i}`, costUsd: -1 }));
    hub = await McpHub.connect([{ name: "noisy", transport: "in-memory" }], {
      inMemory: { noisy: fakeServer({ list_instances: () => structured({ atMs: 0, usdPerHour: 0, instances: [...bad, a.instances[1]!] }) }) },
    });
    const { snapshot } = await observe(readOnlyPort(hub), ["noisy"], 1_000, { egressCache: {} });
    expect(snapshot.instances.map((i) => i.id)).toEqual([a.instances[1]!.id]);
    expect(snapshot.sources[0]!.invalid).toHaveLength(51);
    expect(snapshot.sources[0]!.invalid.at(-1)).toEqual({ tool: "list_instances", problem: "70 more instances dropped (120 in all)" });
  });
});

describe("observe with a broken server among healthy ones", () => {
  let host: SimHost;
  let hub: McpHub;
  let sim: ObservePort;
  beforeAll(async () => {
    host = frozenHost();
    const never = () => new Promise<CallToolResult>(() => {});
    hub = await McpHub.connect(
      [
        { name: "sim", transport: "in-memory" },
        { name: "erroring", transport: "in-memory" },
        { name: "slow", transport: "in-memory", timeoutMs: 100 },
        { name: "gone", transport: "in-memory" },
        { name: "offers-only", transport: "in-memory" },
        { name: "old-egress", transport: "in-memory" },
      ],
      {
        inMemory: {
          sim: simFactory(host),
          erroring: fakeServer({ list_offers: () => structured({ offers: [] }), list_instances: () => ({ isError: true, content: [{ type: "text", text: "internal error: the cloud API answered 500" }] }) }),
          slow: fakeServer({ list_offers: () => structured({ offers: [] }), list_workloads: never }),
          gone: () => Promise.reject(new Error("connection refused")),
          "offers-only": fakeServer({ list_offers: () => structured({ atMs: 0, total: 0, truncated: false, offers: [] }) }),
          // a server whose get_egress_price only knows the single-pair form
          "old-egress": fakeServer({ get_egress_price: () => structured({ atMs: 0, from: "aws/us-east-1", to: "aws/us-east-1", usdPerGb: 0 }) }),
        },
        reconnect: { initialMs: 60_000, maxMs: 60_000 },
      },
    );
    sim = readOnlyPort(hub);
  });
  afterAll(async () => {
    await hub.close();
    host.close();
  });

  it("keeps the healthy servers' data and lists each broken one with ok: false and why", async () => {
    const servers = ["sim", "erroring", "slow", "gone", "offers-only", "no-such-server"];
    const { snapshot } = await observe(sim, servers, host.world.nowMs, { egressCache: {} });
    expect(() => SnapshotSchema.parse(snapshot)).not.toThrow();
    const source = (name: string) => snapshot.sources.find((s) => s.server === name);
    expect(snapshot.sources.map((s) => s.server)).toEqual([...servers].sort());
    expect(source("sim")).toMatchObject({ ok: true, error: null, invalid: [] });
    expect(source("offers-only")).toMatchObject({ ok: true, error: null });
    expect(source("erroring")).toMatchObject({ ok: false, error: "list_instances: internal error: the cloud API answered 500" });
    expect(source("slow")).toMatchObject({ ok: false, error: "list_workloads: timeout after 100 ms" });
    expect(source("gone")).toMatchObject({ ok: false, error: expect.stringMatching(/^server gone disconnected \(cannot connect: connection refused\)/) });
    expect(source("no-such-server")).toMatchObject({ ok: false, error: 'no tool server named "no-such-server"' });
    expect(snapshot.workloads).toHaveLength(host.world.listWorkloads().length);
    expect(new Set([...snapshot.workloads, ...snapshot.instances, ...snapshot.offers].map((r) => r.server))).toEqual(new Set(["sim"]));
  });

  it("reports a location whose egress row could not be had, and asks again next tick", async () => {
    const a = host.world.listWorkloads().find((w) => w.id === "chat-api")!;
    const port: ObservePort = {
      ...sim,
      // only the old server prices egress
      tool: (s, t) => (t === "get_egress_price" && s !== "old-egress" ? undefined : sim.tool(s, t)),
    };
    const egressCache: EgressMatrix = {};
    const { egress, egressProblems } = await observe(port, ["sim", "old-egress"], host.world.nowMs, { egressCache });
    const from = a.deployments[0]!.location;
    expect(egress[from]).toBeUndefined();
    expect(egressCache).toEqual({});
    expect(egressProblems.find((p) => p.from === from)).toMatchObject({ server: "old-egress", problem: expect.stringMatching(/not a bulk get_egress_price answer/) });
  });
});
