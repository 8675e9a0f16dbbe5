import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpHub, readOnlyPort, type ToolPort } from "../../src/agent/hub.js";
import { ObserveMemory, observe, type ObservePort } from "../../src/agent/observe.js";
import { loadWorldData } from "../../src/data/load.js";
import { WorldSpecSchema, type Snapshot, type WorldData } from "../../src/domain/index.js";
import { DEFAULT_FLEET, DEFAULT_START_MS, DEFAULT_TIMELINE, World, generateFleet, generateIncidents } from "../../src/sim/index.js";
import { SimHost, createSimServer } from "../../tools/sim/index.js";

/*
 * Incremental listing (src/domain/contract/listing.ts): observe with an ObserveMemory asks the sim tool server only for
 * what changed since its previous answer. Whatever happens in the world, the snapshot must be the one a
 * full listing gives: these tests run a busy world tick by tick and compare the two, record for record.
 */

let data: WorldData | undefined;

async function hubOn(host: SimHost): Promise<McpHub> {
  return McpHub.connect([{ name: "sim", transport: "in-memory", timeoutMs: 60_000 }], {
    inMemory: {
      sim: async () => {
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await createSimServer(host.context()).connect(serverSide);
        return clientSide;
      },
    },
  });
}

/** A port that remembers, per tool, whether the last answer was a delta and how big the answers were. */
function watching(port: ToolPort): { port: ObservePort; deltas: Map<string, boolean>; bytes: Map<string, number> } {
  const deltas = new Map<string, boolean>();
  const bytes = new Map<string, number>();
  return {
    deltas,
    bytes,
    port: {
      tool: (s, t) => port.tool(s, t),
      servers: () => port.servers(),
      call: async (s, t, a, o) => {
        const r = await port.call(s, t, a, o);
        if (r.ok) {
          deltas.set(t, r.structured["delta"] !== undefined);
          bytes.set(t, JSON.stringify(r.structured).length);
        }
        return r;
      },
    },
  };
}

/** The snapshot without wall-clock timings, to compare two observations. */
function timeless(snapshot: Snapshot): Snapshot {
  return { ...snapshot, sources: snapshot.sources.map((s) => ({ ...s, ms: 0 })) };
}

describe("observe with incremental listing", () => {
  let host: SimHost;
  let incremental: McpHub;
  let full: McpHub;
  let bystander: McpHub;
  beforeAll(async () => {
    data ??= loadWorldData();
    const quotes = new World(data, WorldSpecSchema.parse({ seed: 5, startMs: DEFAULT_START_MS, workloads: [], events: [] }), { logEvents: false }).listOffers();
    const extra = generateFleet(60, quotes, 5, { profile: "realistic" });
    const spec = WorldSpecSchema.parse({
      seed: 5,
      startMs: DEFAULT_START_MS,
      workloads: [...DEFAULT_FLEET, ...extra],
      events: [...(DEFAULT_TIMELINE ?? []), ...generateIncidents(extra, 5, { minutes: 40, perMinute: 1.5 }), { at: "25m", latency: { cloud: "aws", region: "us-east-1", addMs: 400, for: "10m" } }],
    });
    host = new SimHost({ speed: 0, spec, data });
    [incremental, full, bystander] = await Promise.all([hubOn(host), hubOn(host), hubOn(host)]);
  });
  afterAll(async () => {
    await Promise.all([incremental.close(), full.close(), bystander.close()]);
    host.close();
  });

  it("gives the snapshot a full listing gives, tick after tick, through launches, ends, preemptions, outages, scaling, traffic, drift, notes and checkpoint moves", async () => {
    const memory = new ObserveMemory();
    const bystanderMemory = new ObserveMemory();
    const watched = watching(readOnlyPort(incremental));
    const world = host.world;
    const ops = host.ops;
    const changes: Record<number, () => void> = {
      3: () => ops.launch({ cloud: "aws", region: "us-east-1", gpu: { name: "T4", count: 1 }, spot: false, count: 2, idempotencyKey: "t/orphans" }),
      6: () => ops.scale({ workloadId: "chat-api", cloud: "aws", region: "us-east-1", replicas: 4, idempotencyKey: "t/scale-up" }),
      9: () => ops.setTrafficWeights({ workloadId: "chat-api", weights: { "aws/us-east-1": 80, "gcp/us-central1": 20 }, idempotencyKey: "t/weights" }),
      11: () => ops.terminate({ instanceIds: world.listInstances({}).filter((i) => i.workloadId === null).map((i) => i.id), idempotencyKey: "t/orphans-end" }),
      14: () => ops.setModelVersion({ workloadId: "eu-search-embed", version: "v1", idempotencyKey: "t/rollback" }),
      17: () => {
        const moved = ops.launch({ cloud: "aws", region: "us-east-2", gpu: { name: "A100", count: 8 }, spot: false, count: 1, workloadId: "embeddings-nightly", idempotencyKey: "t/move" });
        ops.resumeFromCheckpoint({ workloadId: "embeddings-nightly", instanceIds: moved.map((i) => i.id), idempotencyKey: "t/resume" });
      },
      20: () => ops.scale({ workloadId: "chat-api", cloud: "aws", region: "us-east-1", replicas: 1, idempotencyKey: "t/scale-down" }),
    };
    let deltaTicks = 0;
    for (let tick = 0; tick < 45; tick++) {
      changes[tick]?.();
      const a = await observe(watched.port, ["sim"], world.nowMs, { egressCache: {}, memory });
      const b = await observe(readOnlyPort(full), ["sim"], world.nowMs, { egressCache: {} });
      expect(timeless(a.snapshot), `tick ${tick}`).toEqual(timeless(b.snapshot));
      expect(a.egress).toEqual(b.egress);
      if (["list_offers", "list_workloads", "list_instances", "get_health", "get_drift"].every((t) => watched.deltas.get(t) === true)) deltaTicks++;
      // another session listing at its own pace moves the world's marks in between
      if (tick % 4 === 1) await observe(readOnlyPort(bystander), ["sim"], world.nowMs, { egressCache: {}, memory: bystanderMemory });
      host.advanceBy(tick % 10 === 9 ? 600_000 : 60_000);
    }
    // every tick after the first was answered with deltas
    expect(deltaTicks).toBe(44);
  }, 120_000);

  it("transfers a fraction of the full listing on a quiet tick", async () => {
    const memory = new ObserveMemory();
    const watched = watching(readOnlyPort(incremental));
    await observe(watched.port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    const fullBytes = new Map(watched.bytes);
    host.advanceBy(60_000);
    await observe(watched.port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    for (const tool of ["list_offers", "list_workloads", "list_instances", "get_drift"]) expect(watched.bytes.get(tool)!, tool).toBeLessThan(fullBytes.get(tool)! / 2);
  });

  it("drops an instance whose accrued cost arrives invalid in a delta, names it, and takes it back once the cost is sane", async () => {
    const memory = new ObserveMemory();
    let tamper: string | null = null;
    const base = readOnlyPort(incremental);
    // a server that sends one instance's accrued cost as -5 while `tamper` names it
    const port: ObservePort = {
      tool: (s, t) => base.tool(s, t),
      servers: () => base.servers(),
      call: async (s, t, a, o) => {
        const r = await base.call(s, t, a, o);
        const accrued = r.ok && t === "list_instances" ? (r.structured["delta"] as { accrued?: { ids: string[]; costUsd: unknown[] } } | undefined)?.accrued : undefined;
        if (accrued !== undefined && tamper !== null) accrued.costUsd[accrued.ids.indexOf(tamper)] = -5;
        return r;
      },
    };
    const first = await observe(port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    const victim = first.snapshot.instances.find((i) => i.endedAtMs === null)!;
    const instanceIds = (o: { snapshot: Snapshot }): string[] => o.snapshot.instances.map((i) => i.id);
    const problems = (o: { snapshot: Snapshot }): string[] => o.snapshot.sources.flatMap((src) => src.invalid.map((v) => v.problem));
    host.advanceBy(60_000);
    tamper = victim.id;
    const bad = await observe(port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    expect(instanceIds(bad)).not.toContain(victim.id);
    expect(problems(bad).some((p) => p.includes(victim.id) && p.includes("costUsd"))).toBe(true);
    // still invalid a tick later: still out, still named
    host.advanceBy(60_000);
    const still = await observe(port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    expect(instanceIds(still)).not.toContain(victim.id);
    expect(problems(still).some((p) => p.includes(victim.id))).toBe(true);
    // sane again: back, exactly as a full listing has it
    host.advanceBy(60_000);
    tamper = null;
    const good = await observe(port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    const fresh = await observe(readOnlyPort(full), ["sim"], host.world.nowMs, { egressCache: {} });
    expect(timeless(good.snapshot)).toEqual(timeless(fresh.snapshot));
    expect(problems(good).some((p) => p.includes(victim.id))).toBe(false);
  });

  it("asks again in full when a delta sends a key twice, or accrues a record it also sends whole", async () => {
    for (const tamper of ["twice", "accrued"] as const) {
      const memory = new ObserveMemory();
      const base = readOnlyPort(incremental);
      let armed = false;
      let calls = 0;
      const port: ObservePort = {
        tool: (s, t) => base.tool(s, t),
        servers: () => base.servers(),
        call: async (s, t, a, o) => {
          const r = await base.call(s, t, a, o);
          if (t !== "list_instances" || !r.ok) return r;
          calls++;
          const delta = r.structured["delta"] as { accrued: { ids: string[]; costUsd: unknown[] } } | undefined;
          const instances = r.structured["instances"] as Record<string, unknown>[];
          if (armed && delta !== undefined && instances.length > 0) {
            const first = instances[0]!;
            if (tamper === "twice") instances.push({ ...first });
            else {
              delta.accrued.ids.push(first["id"] as string);
              delta.accrued.costUsd.push(first["costUsd"]);
            }
          }
          return r;
        },
      };
      await observe(port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
      // a new instance: the next delta sends it whole
      host.ops.launch({ cloud: "aws", region: "us-east-1", instanceType: "g5.xlarge", spot: false, count: 1, workloadId: null, idempotencyKey: `observe-${tamper}` });
      host.advanceBy(60_000);
      armed = true;
      calls = 0;
      const tampered = await observe(port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
      expect(calls).toBe(2);
      const fresh = await observe(readOnlyPort(full), ["sim"], host.world.nowMs, { egressCache: {} });
      expect(timeless(tampered.snapshot)).toEqual(timeless(fresh.snapshot));
    }
  });

  it("falls back to a full listing when another call of the session started a new chain, and when the server was restarted", async () => {
    const memory = new ObserveMemory();
    const watched = watching(readOnlyPort(incremental));
    await observe(watched.port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    // someone else on the same session lists workloads in full: the chain observe holds is no longer the latest
    expect((await incremental.call("sim", "list_workloads", {})).ok).toBe(true);
    host.advanceBy(60_000);
    const a = await observe(watched.port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
    expect(watched.deltas.get("list_workloads")).toBe(false);
    expect(watched.deltas.get("list_instances")).toBe(true);
    const b = await observe(readOnlyPort(full), ["sim"], host.world.nowMs, { egressCache: {} });
    expect(timeless(a.snapshot)).toEqual(timeless(b.snapshot));

    // a new server process on the same world (a restarted tool server): revisions of the old one are unknown to it
    const restarted = await hubOn(host);
    try {
      const port = watching(readOnlyPort(restarted));
      host.advanceBy(60_000);
      const c = await observe(port.port, ["sim"], host.world.nowMs, { egressCache: {}, memory });
      expect([...port.deltas.values()].some((d) => d)).toBe(false);
      const d = await observe(readOnlyPort(full), ["sim"], host.world.nowMs, { egressCache: {} });
      expect(timeless(c.snapshot)).toEqual(timeless(d.snapshot));
    } finally {
      await restarted.close();
    }
  });
});
