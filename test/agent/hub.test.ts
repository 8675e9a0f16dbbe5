import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { McpHub, readOnlyPort, redact, type ToolCallResult } from "../../src/agent/hub.js";
import { loadWorldData } from "../../src/data/load.js";
import { ListInstancesOutputSchema, ListWorkloadsOutputSchema, ToolError, type ToolCallFailure, type WorldData } from "../../src/domain/index.js";
import { errorResult } from "../../tools/kit/index.js";
import { SIM_TOOLS, SimHost, createSimServer, startSimHttpServer, type SimHttpServer } from "../../tools/sim/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = resolve(ROOT, "dist/src/cli.js");
const FAST_RECONNECT = { initialMs: 20, maxMs: 200 };

let data: WorldData | undefined;
function frozenHost(): SimHost {
  data ??= loadWorldData();
  return new SimHost({ speed: 0, data });
}

/** A factory of in-memory sim servers over `host`, remembering the servers it made (to close one). */
function simFactory(host: SimHost): { connect: () => Promise<Transport>; servers: McpServer[] } {
  const servers: McpServer[] = [];
  return {
    servers,
    connect: async () => {
      const server = createSimServer(host.context());
      servers.push(server);
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      return clientSide;
    },
  };
}

/** A tiny tool server whose `wait_forever` never answers, and whose `ping` does. */
async function hangingServer(): Promise<Transport> {
  const server = new McpServer({ name: "hang", version: "0.0.0" });
  const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
  server.registerTool("wait_forever", { description: "Never answers", inputSchema: z.object({}), annotations: read }, () => new Promise<never>(() => {}));
  server.registerTool("ping", { description: "Answers pong", inputSchema: z.object({}), annotations: read }, () => ({ content: [{ type: "text", text: "pong" }] }));
  server.registerTool("throttled", { description: "Always throttled", inputSchema: z.object({}), annotations: read }, () => errorResult(new ToolError("throttled", "Rate limit exceeded", { hint: "retry in 2 s" })));
  server.registerTool("says_throttled", { description: "Says throttled, without a code", inputSchema: z.object({}), annotations: read }, () => ({
    isError: true,
    content: [{ type: "text", text: "Rate limit exceeded: throttled, retry in 2 s" }],
  }));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  return clientSide;
}

/** A pino logger writing into `lines` (parsed JSON), as the daemon's would write to stdout. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[]; raw: string[] } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines, raw };
}

function failure(result: ToolCallResult): ToolCallFailure {
  if (result.ok) throw new Error(`expected a failure, got ok: ${result.text}`);
  return result;
}

function structured(result: ToolCallResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result.structured;
}

describe("the hub over the in-memory transport to the sim server", () => {
  let host: SimHost;
  let hub: McpHub;
  let sim: ReturnType<typeof simFactory>;
  beforeAll(async () => {
    host = frozenHost();
    sim = simFactory(host);
    hub = await McpHub.connect(
      [
        { name: "sim", transport: "in-memory" },
        { name: "sim-ro", transport: "in-memory", readOnly: true },
        { name: "hang", transport: "in-memory", timeoutMs: 150 },
      ],
      { inMemory: { sim: sim.connect, "sim-ro": simFactory(host).connect, hang: hangingServer }, reconnect: FAST_RECONNECT },
    );
  });
  afterAll(async () => {
    await hub.close();
    host.close();
  });

  it("lists every tool namespaced by its server, with the annotations the server gave", () => {
    const names = hub.tools().map((t) => t.name);
    expect(names.filter((n) => n.startsWith("sim."))).toEqual(SIM_TOOLS.map((t) => `sim.${t}`).sort());
    const launch = hub.tool("sim", "launch")!;
    expect(launch).toMatchObject({ name: "sim.launch", server: "sim", tool: "launch", readOnly: false });
    expect(launch.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    expect(hub.tool("sim", "list_offers")?.readOnly).toBe(true);
    expect(hub.servers().map((s) => [s.name, s.state, s.tools])).toEqual([
      ["sim", "connected", SIM_TOOLS.length],
      ["sim-ro", "connected", SIM_TOOLS.length],
      ["hang", "connected", 4],
    ]);
  });

  it("calls a tool and returns its structuredContent and text", async () => {
    const result = await hub.call("sim", "list_workloads", {});
    const out = ListWorkloadsOutputSchema.parse(structured(result));
    expect(out.workloads.map((w) => w.id)).toContain("chat-api");
    expect(result.ok && result.text).toMatch(/workloads costing/);
  });

  it("turns a domain error into a failure with the tool's typed code, carrying the server's explanation", async () => {
    const result = failure(await hub.call("sim", "get_drift", { workloadId: "no-such-workload" }));
    expect(result.code).toBe("not-found");
    expect(result.error).toMatch(/workloadId/);
  });

  it("takes the code of an error result that says it is throttled from its typed error", async () => {
    expect(failure(await hub.call("hang", "throttled", {}))).toEqual({ ok: false, code: "throttled", error: "Rate limit exceeded. retry in 2 s" });
  });

  it("reads an error result without a typed code as internal, whatever its text says", async () => {
    expect(failure(await hub.call("hang", "says_throttled", {}))).toEqual({ ok: false, code: "internal", error: "Rate limit exceeded: throttled, retry in 2 s" });
  });

  it("refuses unknown servers and tools without calling anything", async () => {
    expect(failure(await hub.call("gce", "list_offers", {}))).toMatchObject({ code: "not-found", error: expect.stringMatching(/no tool server named "gce"/) });
    expect(failure(await hub.call("sim", "launch_rocket", {}))).toMatchObject({ code: "not-found", error: expect.stringMatching(/server sim has no tool "launch_rocket"/) });
  });

  it("times out a call that never answers, and the other servers keep answering meanwhile", async () => {
    const started = performance.now();
    const [hung, other] = await Promise.all([hub.call("hang", "wait_forever", {}), hub.call("sim", "list_instances", {})]);
    expect(hung).toEqual({ ok: false, code: "unavailable", error: "timeout after 150 ms" });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(ListInstancesOutputSchema.parse(structured(other)).instances.length).toBeGreaterThan(0);
    // the server itself is still there
    expect(await hub.call("hang", "ping", {})).toEqual({ ok: true, structured: {}, text: "pong" });
    expect(await hub.call("hang", "wait_forever", {}, { timeoutMs: 30 })).toEqual({ ok: false, code: "unavailable", error: "timeout after 30 ms" });
  });

  it("refuses changing tools on a server configured read-only, and does not list them", async () => {
    const before = host.world.listInstances({}).length;
    const result = failure(await hub.call("sim-ro", "launch", { cloud: "aws", region: "us-east-1", gpu: "T4:1", spot: false, count: 1, idempotencyKey: "t/ro" }));
    expect(result).toMatchObject({ code: "unauthorized", error: expect.stringMatching(/refused: server sim-ro is configured read-only/) });
    expect(host.world.listInstances({}).length).toBe(before);
    expect(hub.tools().filter((t) => t.server === "sim-ro").every((t) => t.readOnly)).toBe(true);
    expect(hub.tool("sim-ro", "launch")).toBeUndefined();
    expect(structured(await hub.call("sim-ro", "list_offers", { cloud: "aws", limit: 1 }))).toHaveProperty("offers");
  });

  it("gives planners a read-only port that refuses launch on any server, and is not the hub", async () => {
    const port = readOnlyPort(hub);
    const before = host.world.listInstances({}).length;
    const result = failure(await port.call("sim", "launch", { cloud: "aws", region: "us-east-1", gpu: "T4:1", spot: false, count: 1, idempotencyKey: "t/port" }));
    expect(result).toMatchObject({ code: "unauthorized", error: expect.stringMatching(/refused: sim\.launch changes the world/) });
    expect(host.world.listInstances({}).length).toBe(before);
    expect(failure(await port.call("sim", "no_such_tool", {})).code).toBe("not-found");
    expect(port.tools().length).toBeGreaterThan(0);
    expect(port.tools().every((t) => t.readOnly)).toBe(true);
    expect(port.tool("sim", "terminate")).toBeUndefined();
    expect(structured(await port.call("sim", "get_health", {}))).toHaveProperty("regions");
    expect(port).not.toBeInstanceOf(McpHub);
    expect(Object.isFrozen(port)).toBe(true);
  });

  it("reports a server whose connection closed as disconnected, then reconnects by calling its factory again", async () => {
    const made = sim.servers.length;
    await sim.servers.at(-1)!.close();
    expect(failure(await hub.call("sim", "list_workloads", {}))).toEqual({ ok: false, code: "unavailable", error: "server sim disconnected" });
    expect(hub.servers().find((s) => s.name === "sim")?.state).not.toBe("connected");
    await vi.waitFor(() => expect(hub.servers().find((s) => s.name === "sim")?.state).toBe("connected"), { timeout: 5_000, interval: 10 });
    expect(sim.servers.length).toBe(made + 1);
    expect(structured(await hub.call("sim", "list_workloads", {}))).toHaveProperty("workloads");
  });
});

describe("the hub over stdio (skyops tool sim as a child process)", () => {
  let hub: McpHub;
  afterEach(async () => {
    await hub?.close();
  });

  it("namespaces and calls the tools of a spawned server, and reconnects after the process is killed", async () => {
    hub = await McpHub.connect([{ name: "sim", transport: "stdio", command: process.execPath, args: [CLI, "tool", "sim", "--speed", "0"], cwd: ROOT, timeoutMs: 20_000 }], {
      reconnect: FAST_RECONNECT,
    });
    expect(hub.tools().map((t) => t.name)).toEqual(SIM_TOOLS.map((t) => `sim.${t}`).sort());
    expect(ListWorkloadsOutputSchema.parse(structured(await hub.call("sim", "list_workloads", {}))).workloads.length).toBe(8);
    const pid = hub.servers()[0]!.pid!;
    expect(pid).toBeGreaterThan(0);

    // killed mid-run: a call in flight when the process dies, and one right after
    const inFlight = hub.call("sim", "list_offers", {});
    process.kill(pid, "SIGKILL");
    const afterKill = await hub.call("sim", "list_workloads", {});
    for (const result of [await inFlight, afterKill]) {
      if (!result.ok) expect(result).toEqual({ ok: false, code: "unavailable", error: "server sim disconnected" });
    }
    expect(afterKill.ok).toBe(false);

    await vi.waitFor(() => expect(hub.servers()[0]).toMatchObject({ state: "connected" }), { timeout: 20_000, interval: 50 });
    expect(hub.servers()[0]!.pid).not.toBe(pid);
    expect(ListWorkloadsOutputSchema.parse(structured(await hub.call("sim", "list_workloads", {}))).workloads.length).toBe(8);
  });

  it("comes up without a server that cannot start, reporting it disconnected, while the others work", async () => {
    const host = frozenHost();
    const { logger, lines } = capturingLogger();
    hub = await McpHub.connect(
      [
        { name: "broken", transport: "stdio", command: resolve(ROOT, "no-such-command"), timeoutMs: 2_000 },
        { name: "sim", transport: "in-memory" },
      ],
      { inMemory: { sim: simFactory(host).connect }, logger, reconnect: { initialMs: 60_000, maxMs: 60_000 } },
    );
    expect(hub.servers()[0]).toMatchObject({ name: "broken", state: "disconnected", tools: null, error: expect.stringMatching(/^cannot connect: .*ENOENT/) });
    expect(failure(await hub.call("broken", "list_offers", {}))).toEqual({ ok: false, code: "unavailable", error: "server broken disconnected" });
    expect(failure(await readOnlyPort(hub).call("broken", "list_offers", {}))).toEqual({ ok: false, code: "unavailable", error: "server broken disconnected" });
    expect(structured(await hub.call("sim", "get_health", {}))).toHaveProperty("regions");
    expect(lines.find((l) => l.event === "hub.connect.failed")).toMatchObject({ component: "hub", server: "broken", retryInMs: 60_000 });
    host.close();
  });
});

describe("the hub over Streamable HTTP", () => {
  let host: SimHost;
  let http: SimHttpServer;
  let hub: McpHub;
  beforeAll(async () => {
    host = frozenHost();
    http = await startSimHttpServer({ host: "127.0.0.1", port: 0, sim: host });
  });
  afterAll(async () => {
    await hub?.close();
    await http.close();
    host.close();
  });

  it("namespaces and calls the tools of a server at a URL, and reconnects after it comes back", async () => {
    hub = await McpHub.connect([{ name: "remote", transport: "http", url: http.url, timeoutMs: 5_000 }], { reconnect: FAST_RECONNECT });
    expect(hub.tools().map((t) => t.name)).toEqual(SIM_TOOLS.map((t) => `remote.${t}`).sort());
    expect(ListInstancesOutputSchema.parse(structured(await hub.call("remote", "list_instances", { cloud: "gcp" }))).instances.every((i) => i.cloud === "gcp")).toBe(true);

    const port = http.port;
    await http.close();
    expect(failure(await hub.call("remote", "list_workloads", {}))).toEqual({ ok: false, code: "unavailable", error: "server remote disconnected" });
    http = await startSimHttpServer({ host: "127.0.0.1", port, sim: host });
    await vi.waitFor(() => expect(hub.servers()[0]).toMatchObject({ state: "connected" }), { timeout: 10_000, interval: 20 });
    expect(structured(await hub.call("remote", "list_workloads", {}))).toHaveProperty("workloads");
  });
});

/**
 * A proxy in front of an MCP endpoint that answers the tools/call of some tools with an HTTP status instead
 * of passing it on (as a cloud's gateway does when it throttles or fails).
 */
async function statusProxy(upstream: string, statusOf: Record<string, number>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const name = body.includes('"tools/call"') ? (JSON.parse(body) as { params?: { name?: string } }).params?.name : undefined;
      const status = name === undefined ? undefined : statusOf[name];
      if (status !== undefined) {
        res.writeHead(status, { "content-type": "text/plain" }).end(`gateway says ${status}`);
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => typeof v === "string" && k !== "host" && k !== "content-length")) as Record<string, string>;
      fetch(upstream, { method: req.method, headers, body: req.method === "POST" ? body : undefined }).then(
        async (answer) => {
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("the hub's codes for HTTP answers", () => {
  it("reads 429 as throttled, 5xx as unavailable and 401 as unauthorized, and keeps the connection", async () => {
    const host = frozenHost();
    const http = await startSimHttpServer({ host: "127.0.0.1", port: 0, sim: host });
    const proxy = await statusProxy(http.url, { get_drift: 429, get_price_history: 503, get_health: 401, list_offers: 400 });
    const hub = await McpHub.connect([{ name: "gw", transport: "http", url: proxy.url, timeoutMs: 5_000 }], { reconnect: FAST_RECONNECT });
    try {
      expect(failure(await hub.call("gw", "get_drift", {}))).toMatchObject({ code: "throttled", error: expect.stringMatching(/HTTP 429/) });
      expect(failure(await hub.call("gw", "get_price_history", { offerId: "x", spot: true }))).toMatchObject({ code: "unavailable", error: expect.stringMatching(/HTTP 503/) });
      expect(failure(await hub.call("gw", "get_health", {}))).toMatchObject({ code: "unauthorized" });
      expect(failure(await hub.call("gw", "list_offers", {}))).toMatchObject({ code: "invalid-argument" });
      expect(structured(await hub.call("gw", "list_workloads", {}))).toHaveProperty("workloads");
      expect(hub.servers()[0]).toMatchObject({ state: "connected" });
    } finally {
      await hub.close();
      await proxy.close();
      await http.close();
      host.close();
    }
  });
});

describe("the hub's logs", () => {
  it("are JSON lines bound to {component: hub, server} that never carry env values or secret-looking arguments", async () => {
    const secret = "hunter2-env-secret-value";
    const host = frozenHost();
    const { logger, lines, raw } = capturingLogger();
    const hub = await McpHub.connect(
      [
        { name: "sim", transport: "in-memory" },
        { name: "hang", transport: "in-memory", timeoutMs: 50 },
        { name: "ext", transport: "stdio", command: process.execPath, args: [CLI, "tool", "sim", "--speed", "0"], cwd: ROOT, env: { SKYOPS_TEST_TOKEN: secret }, timeoutMs: 20_000 },
      ],
      { inMemory: { sim: simFactory(host).connect, hang: hangingServer }, logger },
    );
    try {
      await hub.call("sim", "get_drift", { workloadId: "no-such-workload", apiKey: "sk-live-abcdef0123456789", note: "Bearer abc.def" });
      await hub.call("hang", "wait_forever", { password: "pa55word" });
    } finally {
      await hub.close();
      host.close();
    }
    expect(lines.find((l) => l.event === "hub.connected" && l.server === "sim")).toMatchObject({ component: "hub", transport: "in-memory", tools: SIM_TOOLS.length });
    expect(lines.find((l) => l.server === "ext" && (l.event === "hub.connected" || l.event === "hub.connect.failed"))).toMatchObject({ component: "hub", transport: "stdio", command: process.execPath });
    expect(lines.find((l) => l.event === "hub.call.error-result")).toMatchObject({ component: "hub", server: "sim", tool: "get_drift", args: { apiKey: "[redacted]", note: "[redacted]", workloadId: "no-such-workload" } });
    expect(lines.find((l) => l.event === "hub.call.timeout")).toMatchObject({ server: "hang", tool: "wait_forever", timeoutMs: 50, args: { password: "[redacted]" } });
    const all = raw.join("\n");
    for (const leaked of [secret, "sk-live-abcdef0123456789", "Bearer abc", "pa55word", "SKYOPS_TEST_TOKEN"]) expect(all).not.toContain(leaked);
  });

  it("redact keeps plain arguments and hides secret-looking ones", () => {
    expect(redact({ cloud: "aws", count: 2, idempotencyKey: "proposal-42/launch", nested: { token: "x", list: ["eyJhbGciOi.x.y", "ok"] }, blob: "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7" })).toEqual({
      cloud: "aws",
      count: 2,
      idempotencyKey: "proposal-42/launch",
      nested: { token: "[redacted]", list: ["[redacted]", "ok"] },
      blob: "[redacted]",
    });
  });
});
