import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadWorldData } from "../../src/data/load.js";
import { ProposalSchema, WorldSpecSchema, errorCodeOf, type ActionType, type ProposalOf, type ToolErrorCode, type WorldData, type WorldSpecInput } from "../../src/domain/index.js";
import { DEFAULT_RETRY, Executor, type ExecutionSummary, type RetryPolicy, type ToolCallResult, type ToolCaller } from "../../src/executor/index.js";
import { isFinished, type ExecutionAdmission, type ExecutionPatch, type ExecutionRecord, type ExecutionRepository, type NewExecution, type StepPatch } from "../../src/store/executions.js";
import { openStore, type Store } from "../../src/store/index.js";
import { DEFAULT_START_MS } from "../../src/sim/index.js";
import { SimHost, createSimServer, type SimContext } from "../../tools/sim/index.js";

export const M = 60_000;
export const H = 3_600_000;
/** The tool server name the executor is configured with; the adapter checks every call names it. */
export const SERVER = "sim";

let data: WorldData | undefined;

/** A frozen sim host (speed 0: the test moves the clock) over a small world. */
export function simHost(spec: Partial<WorldSpecInput> & { workloads: WorldSpecInput["workloads"] }): SimHost {
  data ??= loadWorldData();
  return new SimHost({ speed: 0, data, spec: WorldSpecSchema.parse({ seed: 7, startMs: DEFAULT_START_MS, events: [], ...spec }) });
}

/**
 * A real MCP client on the sim tool server, over the in-memory transport. The server's tools read the world
 * from `ctx` on every call, so one connection serves a whole test file: `switchTo` points it at the world
 * of the next test (building the server and listing its tools costs a few hundred ms; a world, tens).
 */
export class SimConnection {
  private constructor(
    private readonly ctx: SimContext,
    readonly client: Client,
  ) {}

  static async open(host: SimHost): Promise<SimConnection> {
    const ctx: SimContext = host.context();
    const server = createSimServer(ctx);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "skyops-executor-test", version: "0.0.0" });
    await client.connect(clientSide);
    // listing the tools lets the client validate structuredContent against each tool's output schema
    await client.listTools();
    return new SimConnection(ctx, client);
  }

  switchTo(host: SimHost): Client {
    Object.assign(this.ctx, host.context());
    return this.client;
  }
}

let shared: Promise<SimConnection> | undefined;

/** The file's one connection, pointed at `host`'s world. */
export async function connect(host: SimHost): Promise<Client> {
  shared ??= SimConnection.open(host);
  return (await shared).switchTo(host);
}

export interface RecordedCall {
  tool: string;
  args: Record<string, unknown>;
  result: ToolCallResult;
}

/**
 * The ToolPort the MCP hub provides, reduced to one client: `isError` results become `ok: false` with the
 * tool's typed code (`internal` without one), a thrown call (the transport) is `unavailable`.
 * Every call is recorded.
 */
export class McpToolPort implements ToolCaller {
  readonly calls: RecordedCall[] = [];
  constructor(private readonly client: Client) {}

  async call(server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    if (server !== SERVER) throw new Error(`called server "${server}", expected "${SERVER}"`);
    let result: ToolCallResult;
    try {
      const r = (await this.client.callTool({ name: tool, arguments: args })) as CallToolResult;
      const first = r.content[0];
      const text = first?.type === "text" ? first.text : "";
      result = r.isError ? { ok: false, code: errorCodeOf(r._meta), error: text } : { ok: true, structured: r.structuredContent ?? {}, text };
    } catch (error) {
      result = { ok: false, code: "unavailable", error: `transport: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.calls.push({ tool, args, result });
    return result;
  }

  changing(): RecordedCall[] {
    return this.calls.filter((c) => "idempotencyKey" in c.args);
  }
}

export type Fault =
  /** The request never reaches the server; the answer is a timeout. */
  | "timeout-before"
  /** The server does it, the answer is lost: a timeout (the ambiguous case idempotency keys exist for). */
  | "timeout-after"
  /** The server answers that it is throttled (code `throttled`). */
  | "throttle"
  /** A domain refusal: the world is unchanged, retrying will not help. */
  | { domain: string; code?: ToolErrorCode };

/** Wraps a port and injects faults into chosen calls of a tool: its calls number `from` (1-based, default 1) to `from + times - 1` (default: all). */
export class FaultyToolPort implements ToolCaller {
  private seen = new Map<string, number>();
  constructor(
    private readonly inner: ToolCaller,
    private readonly rules: { tool: string; fault: Fault; from?: number; times?: number }[],
  ) {}

  async call(server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    const n = (this.seen.get(tool) ?? 0) + 1;
    this.seen.set(tool, n);
    const rule = this.rules.find((r) => {
      const from = r.from ?? 1;
      return r.tool === tool && n >= from && (r.times === undefined || n < from + r.times);
    });
    if (!rule) return this.inner.call(server, tool, args);
    if (rule.fault === "timeout-before") return { ok: false, code: "unavailable", error: "request timed out after 30000 ms" };
    if (rule.fault === "timeout-after") {
      await this.inner.call(server, tool, args);
      return { ok: false, code: "unavailable", error: "request timed out after 30000 ms" };
    }
    if (rule.fault === "throttle") return { ok: false, code: "throttled", error: "Throttling: Rate exceeded" };
    return { ok: false, code: rule.fault.code ?? "invalid-argument", error: rule.fault.domain };
  }
}

/**
 * A port for the crash harness: the call numbered `crashAt` (0-based), or the first call of the tool named,
 * hangs for ever, before or after reaching the server, as if the process had been killed there; every later
 * call hangs too. `crashed` resolves then.
 */
export class CrashingToolPort implements ToolCaller {
  private n = 0;
  private dead = false;
  private resolveCrashed!: () => void;
  readonly crashed = new Promise<void>((resolve) => (this.resolveCrashed = resolve));

  constructor(
    private readonly inner: ToolCaller,
    private readonly crashAt: number | { tool: string },
    private readonly when: "before" | "after",
  ) {}

  async call(server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    if (this.dead) return never();
    const i = this.n++;
    const here = typeof this.crashAt === "number" ? i === this.crashAt : tool === this.crashAt.tool;
    if (here && this.when === "before") return this.die();
    const result = await this.inner.call(server, tool, args);
    if (here) return this.die();
    return result;
  }

  private die(): Promise<never> {
    this.dead = true;
    this.resolveCrashed();
    return never();
  }
}

function never(): Promise<never> {
  return new Promise<never>(() => {});
}

export class SimulatedCrash extends Error {
  override readonly name = "SimulatedCrash";
}

/**
 * The repository of a process that dies right after its `crashAfter`-th stored transition (creation
 * included): that write is committed, then the executor's call stack is torn down by SimulatedCrash and
 * nothing more of that process runs. A decorator over the store's repository: reads pass through.
 */
export class CrashingRepository implements ExecutionRepository {
  private writes = 0;
  constructor(
    private readonly inner: ExecutionRepository,
    private readonly crashAfter: number,
    private readonly onCrash: () => void,
  ) {}

  /** Transitions stored so far. */
  get written(): number {
    return this.writes;
  }

  async create(input: NewExecution, options?: { maxInFlight?: number }): Promise<ExecutionAdmission> {
    const r = await this.inner.create(input, options);
    if ("created" in r) this.wrote();
    return r;
  }

  async update(id: string, patch: ExecutionPatch, step?: { idx: number; patch: StepPatch }): Promise<ExecutionRecord> {
    const r = await this.inner.update(id, patch, step);
    this.wrote();
    return r;
  }

  get = (id: string) => this.inner.get(id);
  require = (id: string) => this.inner.require(id);
  getByProposalId = (proposalId: string) => this.inner.getByProposalId(proposalId);
  listUnfinished = () => this.inner.listUnfinished();
  list = () => this.inner.list();
  countInFlight = () => this.inner.countInFlight();
  notDueProposalIds = (nowMs: number) => this.inner.notDueProposalIds(nowMs);
  countByState = (type?: ActionType) => this.inner.countByState(type);

  private wrote(): void {
    if (++this.writes !== this.crashAfter) return;
    this.onCrash();
    throw new SimulatedCrash(`killed after write ${this.writes}`);
  }
}

/** A temporary folder for database files, removed by `cleanup`. */
export function tempDir(): { path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "skyops-executor-"));
  return { path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const FAST_RETRY: RetryPolicy = { ...DEFAULT_RETRY, maxAttempts: 4, baseMs: 2_000, maxMs: 30_000 };

export interface Rig {
  host: SimHost;
  store: Store;
  repo: ExecutionRepository;
  port: McpToolPort;
  executor: Executor;
  client: Client;
}

/** A sim world, a real MCP client on it, a store on a SQLite file and an executor whose clock is the world's. */
export async function rig(
  host: SimHost,
  dbPath: string,
  options: { wrap?: (port: McpToolPort) => ToolCaller; maxInFlight?: number; retry?: RetryPolicy; repo?: (stored: ExecutionRepository) => ExecutionRepository } = {},
): Promise<Rig> {
  const client = await connect(host);
  const port = new McpToolPort(client);
  const store = openStore(dbPath);
  const repo = options.repo ? options.repo(store.executions) : store.executions;
  const executor = new Executor({
    repo,
    tools: options.wrap ? options.wrap(port) : port,
    now: () => host.world.nowMs,
    server: SERVER,
    maxInFlight: options.maxInFlight ?? 4,
    retry: options.retry ?? FAST_RETRY,
  });
  return { host, store, repo, port, executor, client };
}

/**
 * The control loop, reduced: advance the execution, then move the world's clock to when it asked to be
 * woken (or one tick on), until it finishes.
 */
export async function drive(executor: Executor, host: SimHost, id: string, options: { tickMs?: number; maxTicks?: number } = {}): Promise<ExecutionSummary> {
  const tickMs = options.tickMs ?? 15_000;
  const maxTicks = options.maxTicks ?? 500;
  for (let tick = 0; tick < maxTicks; tick++) {
    const s = await executor.advance(id);
    if (isFinished(s.state)) return s;
    const now = host.world.nowMs;
    host.advanceTo(s.until !== null && s.until > now ? s.until : now + tickMs);
  }
  throw new Error(`execution ${id} did not finish in ${maxTicks} ticks`);
}

export const allow = () => ({ outcome: "allow" as const, reasons: [{ source: "policy" as const, id: "allow-test", reason: "allowed in tests" }] });

const COMMON = {
  proposer: "builtin",
  createdAtMs: DEFAULT_START_MS,
  costDeltaUsdPerHour: -3,
  oneOffCostUsd: 5,
  expectedDowntimeMs: 10 * M,
  blastRadius: 1,
  rationale: "test",
};

/** A proposal of `type`, checked by the domain schema, with plausible defaults for what tests do not care about. */
export function proposal<T extends ActionType>(type: T, fields: Record<string, unknown>): ProposalOf<T> {
  return ProposalSchema.parse({ ...COMMON, type, ...fields }) as ProposalOf<T>;
}
