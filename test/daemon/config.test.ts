import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WorldSpecSchema, type WorldSpecInput } from "../../src/domain/index.js";
import { ConfigSchema, describeConfig, loadConfig, type ConfigInput } from "../../src/server/config.js";
import { Daemon } from "../../src/server/daemon.js";
import { DEFAULT_START_MS } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/host.js";
import { inMemorySimTransport } from "../../tools/sim/in-memory.js";

/*
 * The daemon's configuration reaches what it configures: tool server entries (env, cwd, headers, readOnly)
 * reach the MCP hub as written, and the policy folder it names is followed, edit by edit, with the limits it
 * sets (maxInFlight) in force for the executor.
 */

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Log lines the daemon wrote, parsed (pino JSON lines). */
function capturedLogger(): { logger: pino.Logger; events: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter((l) => l.length > 0));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), events: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A daemon on a simulated world, with the embedded simulator as `sim` and whatever else `config` names. */
async function start(world: Partial<WorldSpecInput>, config: ConfigInput, logger: pino.Logger = pino({ level: "silent" })): Promise<{ daemon: Daemon; host: SimHost }> {
  const state = tempDir("skyops-config-");
  const spec = WorldSpecSchema.parse({ seed: 1, startMs: DEFAULT_START_MS, workloads: [], events: [], ...world });
  const host = new SimHost({ spec, speed: 0 });
  const daemon = await Daemon.start({
    config: ConfigSchema.parse({ state, policies: "policies", ...config }),
    logger,
    inMemory: { sim: inMemorySimTransport(host) },
    clock: { now: () => host.world.nowMs, advance: (ms) => host.advanceBy(ms) },
    http: false,
    warmup: 0,
  });
  cleanup.push(async () => {
    await daemon.close();
    host.close();
  });
  return { daemon, host };
}

/** A copy of the default policy folder (schema, policies, guardrails) to edit. */
function policyFolder(): string {
  const dir = tempDir("skyops-policies-");
  for (const file of ["skyops.cedarschema", "default.cedar", "guardrails.yaml"]) copyFileSync(join("policies", file), join(dir, file));
  return dir;
}

const chat = { id: "chat", kind: "inference" as const, gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800, residency: ["us"], tier: "prod" as const };
const outage = { at: "2m", outage: { cloud: "gcp" as const, region: "us-central1", for: "1h" } };

describe("tool server entries in the daemon's configuration", () => {
  it("start a stdio server with the entry's env and cwd", async () => {
    const dir = tempDir("skyops-probe-");
    const cwd = join(dir, "work");
    mkdirSync(cwd);
    const seen = join(dir, "seen.json");
    // a tool server that writes down what it was started with, then speaks MCP on stdio
    const sdk = (path: string) => pathToFileURL(createRequire(import.meta.url).resolve(`@modelcontextprotocol/sdk/${path}`)).href;
    const script = join(dir, "probe-server.mjs");
    writeFileSync(
      script,
      [
        `import { writeFileSync } from "node:fs";`,
        `import { McpServer } from ${JSON.stringify(sdk("server/mcp.js"))};`,
        `import { StdioServerTransport } from ${JSON.stringify(sdk("server/stdio.js"))};`,
        `writeFileSync(process.argv[2], JSON.stringify({ token: process.env.SKYOPS_PROBE_TOKEN ?? null, cwd: process.cwd() }));`,
        `await new McpServer({ name: "probe", version: "0.0.0" }).connect(new StdioServerTransport());`,
      ].join("\n"),
    );
    await start({}, {
      servers: [
        { name: "sim", transport: "in-memory" },
        { name: "probe", transport: "stdio", command: process.execPath, args: [script, seen], env: { SKYOPS_PROBE_TOKEN: "t0ken-from-config" }, cwd },
      ],
    });
    await vi.waitFor(() => expect(existsSync(seen)).toBe(true));
    expect(JSON.parse(readFileSync(seen, "utf8"))).toEqual({ token: "t0ken-from-config", cwd: resolve(cwd) });
  });

  it("send an http entry's headers with every request", async () => {
    const requests: IncomingHttpHeaders[] = [];
    const server: Server = createServer((req, res) => {
      requests.push(req.headers);
      res.writeHead(503).end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    cleanup.push(() => new Promise<void>((done) => server.close(() => done())));
    const port = (server.address() as { port: number }).port;
    await start({}, {
      servers: [
        { name: "sim", transport: "in-memory" },
        { name: "remote", transport: "http", url: `http://127.0.0.1:${port}/mcp`, headers: { Authorization: "Bearer from-config", "X-Tenant": "ml-platform" } },
      ],
    });
    await vi.waitFor(() => expect(requests.length).toBeGreaterThan(0));
    expect(requests[0]).toMatchObject({ authorization: "Bearer from-config", "x-tenant": "ml-platform" });
  });

  it("keep a server marked readOnly from being changed: the executor's calls to changing tools are refused", async () => {
    const { daemon } = await start({ workloads: [chat], events: [outage] }, { servers: [{ name: "sim", transport: "in-memory", readOnly: true }] });
    for (let i = 0; i < 6; i++) await daemon.tickOnce();
    const runs = await daemon.store.executions.list();
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.state).not.toBe("succeeded");
      expect(run.error).toMatch(/configured read-only/);
    }
  }, 60_000);

  it("are checked by the hub's own schema, every problem at once", () => {
    expect(() =>
      loadConfig({
        overrides: {
          servers: [
            { name: "aws", transport: "stdio", headers: { a: "b" } },
            { name: "gcp", transport: "http", url: "ftp://example.com/mcp", env: { A: "b" } },
          ],
        },
      }),
    ).toThrow(/servers\.0\.headers: headers is only for transport http[\s\S]*servers\.0\.command: a stdio server needs command[\s\S]*servers\.1\.env: env is only for transport stdio[\s\S]*servers\.1\.url: url must be http/);
  });

  it("are described by --help-config, field by field", () => {
    const options = describeConfig().map((o) => o.option);
    expect(options).toEqual(expect.arrayContaining(["servers[].env", "servers[].cwd", "servers[].headers", "servers[].readOnly", "watchPolicies"]));
    expect(describeConfig().find((o) => o.option === "watchPolicies")).toMatchObject({ default: "true" });
  });
});

describe("the policy folder in force", () => {
  it("gives the executor the maxInFlight of the guardrails a reload brings", async () => {
    const policies = policyFolder();
    const jobs = ["a", "b", "c"].map((id) => ({ id: `job-${id}`, kind: "training" as const, gpu: "A100:8", at: { cloud: "aws" as const, region: "us-east-1", spot: true }, workHours: 30, checkpointGb: 40, residency: ["us"], tier: "dev" as const }));
    const { daemon } = await start({ workloads: jobs, events: [{ at: "2m", price: { cloud: "aws", region: "us-east-1", gpu: "A100", spot: true, factor: 5, for: "12h" } }] }, { policies, watchPolicies: false });
    await daemon.tickOnce();
    writeFileSync(join(policies, "guardrails.yaml"), readFileSync(join(policies, "guardrails.yaml"), "utf8").replace(/^maxInFlight: 4/m, "maxInFlight: 1"));
    expect(daemon.reloadPolicies()).toMatchObject({ ok: true });
    expect(daemon.policies.current.guardrails.maxInFlight).toBe(1);
    let most = 0;
    let started = 0;
    for (let i = 0; i < 30; i++) {
      await daemon.tickOnce();
      most = Math.max(most, await daemon.store.executions.countInFlight());
      started = (await daemon.store.executions.list()).length;
    }
    // the jobs were moved one after another, never two at once
    expect(started).toBeGreaterThanOrEqual(2);
    expect(most).toBe(1);
  }, 120_000);

  it("follows edits of the policy folder: a new policy changes the daemon's decisions, a broken file is refused and the set in force stays", async () => {
    const policies = policyFolder();
    const { logger, events } = capturedLogger();
    const { daemon } = await start({ workloads: [chat], events: [outage] }, { policies }, logger);
    await daemon.tickOnce();
    const before = daemon.policies.current.digest;
    writeFileSync(
      join(policies, "no-failover.cedar"),
      ['@id("no-failover")', '@reason("Failovers are frozen for this test.")', 'forbid (principal, action == Action::"failover", resource);', ""].join("\n"),
    );
    await vi.waitFor(() => expect(daemon.policies.current.digest).not.toBe(before), { timeout: 10_000 });
    expect(events().some((e) => e["event"] === "policies.reloaded")).toBe(true);
    const decisions: { outcome: string }[] = [];
    for (let i = 0; i < 4; i++) decisions.push(...(await daemon.tickOnce()).decisions);
    const failovers: { outcome: string }[] = [];
    for (const { proposal } of await daemon.store.proposals.list()) {
      if (proposal.type === "failover") failovers.push(...(await daemon.store.decisions.listFor(proposal.id)).filter((d) => d.phase === "initial"));
    }
    expect(failovers.length).toBeGreaterThan(0);
    expect(failovers.every((d) => d.outcome === "deny")).toBe(true);

    const inForce = daemon.policies.current.digest;
    writeFileSync(join(policies, "broken.cedar"), "permit (principal, action, resource) when { this is not cedar };\n");
    await vi.waitFor(() => expect(events().some((e) => e["event"] === "policies.reload-refused")).toBe(true), { timeout: 10_000 });
    // a refused reload is a warning: the folder on disk is not what is in force
    expect(events().find((e) => e["event"] === "policies.reload-refused")?.["level"]).toBe(40);
    expect(daemon.policies.current.digest).toBe(inForce);
    expect(decisions.length).toBeGreaterThan(0);
  }, 60_000);
});
