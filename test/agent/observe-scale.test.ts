import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpHub, readOnlyPort, type ToolPort } from "../../src/agent/hub.js";
import { observe } from "../../src/agent/observe.js";
import { loadWorldData } from "../../src/data/load.js";
import { WorldSpecSchema, type EgressMatrix } from "../../src/domain/index.js";
import { DEFAULT_START_MS, generateFleet } from "../../src/sim/index.js";
import { SimHost, createSimServer } from "../../tools/sim/index.js";

/*
 * observe at the scale one daemon is meant for (DESIGN.md, "Beyond one machine"): 10,000 workloads over
 * the in-memory transport. A guard against accidental per-workload calls or quadratic work, not a
 * benchmark: the bound is loose for a shared two-core machine (measured figures are in the report).
 */
describe("observe on a 10,000-workload world", () => {
  let host: SimHost;
  let hub: McpHub;
  beforeAll(async () => {
    const data = loadWorldData();
    const spec = WorldSpecSchema.parse({ seed: 7, startMs: DEFAULT_START_MS, workloads: generateFleet(10_000, data.offers, 7), events: [] });
    host = new SimHost({ speed: 0, spec, data });
    host.advanceBy(60_000);
    hub = await McpHub.connect([{ name: "sim", transport: "in-memory", timeoutMs: 60_000 }], {
      inMemory: {
        sim: async () => {
          const server = createSimServer(host.context());
          const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
          await server.connect(serverSide);
          return clientSide;
        },
      },
    });
  });
  afterAll(async () => {
    await hub.close();
    host.close();
  });

  it("sees every workload and instance with one bulk call per tool", async () => {
    const egressCache: EgressMatrix = {};
    const readOnly = readOnlyPort(hub);
    await observe(readOnly, ["sim"], host.world.nowMs, { egressCache });
    const calls: string[] = [];
    const port: ToolPort = { ...readOnly, call: (s, t, a, o) => (calls.push(t), readOnly.call(s, t, a, o)) };
    const { snapshot, egressProblems } = await observe(port, ["sim"], host.world.nowMs, { egressCache });
    expect(snapshot.sources).toEqual([{ server: "sim", ok: true, error: null, invalid: [], ms: expect.any(Number) }]);
    expect(snapshot.workloads).toHaveLength(10_000);
    expect(snapshot.instances).toHaveLength(host.world.listInstances({}).length);
    expect(egressProblems).toEqual([]);
    expect(calls.sort()).toEqual(["get_drift", "get_health", "list_instances", "list_offers", "list_workloads"]);
  }, 120_000);
});
