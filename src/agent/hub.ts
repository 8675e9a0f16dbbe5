import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CallToolResultSchema, ErrorCode, ListToolsResultSchema, McpError, type Tool, type ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { pino, type Logger } from "pino";
import { errorCodeOf, isRetryable, type ToolCallFailure, type ToolCallResult, type ToolCaller, type ToolErrorCode } from "../domain/index.js";
import { parseHubServers, type HubServerEntry, type HubServerEntryInput, type TransportKind } from "./hub-config.js";

/*
 * The MCP client hub: the only way the agent and the executor reach a cloud (DESIGN.md). It connects to
 * every configured tool server, names their tools `${server}.${tool}`, and turns every way a call can go
 * wrong (an error result, a timeout, a server gone) into a value, so one broken cloud never stops the
 * loop for the others. A server that goes away is reconnected in the background with backoff.
 */

/**
 * What a tool call came to (src/domain/contract/call.ts): a failure carries the tool's typed code, or the
 * hub's for what went wrong on the way — `unavailable` for a timeout, a cancelled call or a server gone,
 * `throttled` for HTTP 429, `unavailable` for HTTP 5xx — so whether to retry follows from the contract's
 * table (`isRetryable`), never from wording.
 */
export type { ToolCallResult };

/** A failed call with its code. */
function failure(code: ToolErrorCode, error: string): ToolCallFailure {
  return { ok: false, code, error };
}

/** A tool as the hub offers it: namespaced by server, with its annotations as the server listed them. */
export interface HubTool {
  /** `${server}.${tool}` */
  name: string;
  server: string;
  tool: string;
  title: string | null;
  description: string;
  inputSchema: Tool["inputSchema"];
  outputSchema: Tool["outputSchema"] | null;
  /** As listed; `{}` when the server gave none (then every hint takes the spec's default). */
  annotations: ToolAnnotations;
  /** `annotations.readOnlyHint === true`. A missing hint counts as changing (fail closed). */
  readOnly: boolean;
}

export type ServerState = "connecting" | "connected" | "disconnected" | "closed";

export interface HubServerStatus {
  name: string;
  transport: TransportKind;
  state: ServerState;
  readOnly: boolean;
  /** Tools listed at the last successful connection; null while the server has never connected. */
  tools: number | null;
  /** Why the server is not connected (the last failure), null when connected. */
  error: string | null;
  /** Process id of a stdio server while it runs. */
  pid: number | null;
}

export interface CallOptions {
  /** Overrides the server's `timeoutMs` for this call. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * What callers of the hub hold: the executor (all tools, as a `ToolCaller`) and, through `readOnlyPort`,
 * planners and observe.
 */
export interface ToolPort extends ToolCaller {
  /** Every callable tool, sorted by name. */
  tools(): HubTool[];
  /** One tool, if its server listed it. */
  tool(server: string, tool: string): HubTool | undefined;
  servers(): HubServerStatus[];
  call(server: string, tool: string, args?: Record<string, unknown>, options?: CallOptions): Promise<ToolCallResult>;
}

export interface HubOptions {
  /** Factories of the built-in servers, by entry name: each call returns a fresh connected-server transport. */
  inMemory?: Readonly<Record<string, () => Promise<Transport>>> | undefined;
  logger?: Logger | undefined;
  /** Backoff between reconnection attempts: doubles from `initialMs` up to `maxMs`. Default 500 ms → 30 s. */
  reconnect?: { initialMs?: number | undefined; maxMs?: number | undefined } | undefined;
}

const CLIENT_INFO = { name: "skyops-hub", version: "0.1.0" };
const STDERR_LINE_MAX = 1_000;
/**
 * Largest message a stdio server may send. The SDK's default (10 MB) is less than list_workloads and
 * list_instances of a 10,000-workload fleet need together with their text (~7.5 MB each).
 */
const STDIO_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Connected tool servers, their tools namespaced as `${server}.${tool}`. */
export class McpHub implements ToolPort {
  private constructor(
    private readonly connections: ReadonlyMap<string, ServerConnection>,
    private readonly log: Logger,
  ) {}

  /**
   * Validates `entries` (all problems together, as a HubConfigError), then connects to every server in
   * parallel. A server that cannot be reached now does not fail the hub: it is listed as disconnected
   * and retried in the background.
   */
  static async connect(entries: readonly HubServerEntryInput[], options: HubOptions = {}): Promise<McpHub> {
    const inMemory = options.inMemory ?? {};
    const parsed = parseHubServers(entries, { inMemory: Object.keys(inMemory) });
    const log = (options.logger ?? pino({ level: "silent" })).child({ component: "hub" });
    const backoff = { initialMs: options.reconnect?.initialMs ?? 500, maxMs: options.reconnect?.maxMs ?? 30_000 };
    const connections = new Map<string, ServerConnection>();
    for (const entry of parsed) {
      connections.set(entry.name, new ServerConnection(entry, inMemory[entry.name], log.child({ server: entry.name }), backoff));
    }
    await Promise.all([...connections.values()].map((c) => c.start()));
    return new McpHub(connections, log);
  }

  tools(): HubTool[] {
    return [...this.connections.values()].flatMap((c) => c.callableTools()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  tool(server: string, tool: string): HubTool | undefined {
    return this.connections.get(server)?.callableTool(tool);
  }

  servers(): HubServerStatus[] {
    return [...this.connections.values()].map((c) => c.status());
  }

  async call(server: string, tool: string, args: Record<string, unknown> = {}, options: CallOptions = {}): Promise<ToolCallResult> {
    const connection = this.connections.get(server);
    if (connection === undefined) {
      return failure("not-found", `no tool server named "${server}" (configured: ${[...this.connections.keys()].join(", ") || "none"})`);
    }
    return connection.call(tool, args, options);
  }

  /** Closes every connection (stdio servers are stopped) and stops reconnecting. */
  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    this.log.debug({ event: "hub.closed" });
  }
}

/**
 * A port that refuses every tool not annotated read-only, whatever the server entry says: what planners
 * (built-in or LLM) and observe hold, so no planner holds a changing tool. It is a new object over
 * `hub`, not the hub, so it cannot be cast back into one.
 */
export function readOnlyPort(hub: ToolPort): ToolPort {
  return Object.freeze({
    tools: () => hub.tools().filter((t) => t.readOnly),
    tool: (server: string, tool: string) => {
      const found = hub.tool(server, tool);
      return found?.readOnly === true ? found : undefined;
    },
    servers: () => hub.servers(),
    call: async (server: string, tool: string, args: Record<string, unknown> = {}, options: CallOptions = {}): Promise<ToolCallResult> => {
      const found = hub.tool(server, tool);
      if (found === undefined) {
        const status = hub.servers().find((s) => s.name === server);
        // tools of a server never listed are unknown: refuse to guess, but say it is the server that is missing
        if (status !== undefined && status.tools === null) return failure("unavailable", `server ${server} disconnected`);
        return failure("not-found", `${server}.${tool} is not a read-only tool this port offers (read-only tools of ${server}: ${readOnlyNames(hub, server)})`);
      }
      if (!found.readOnly) return failure("unauthorized", `refused: ${server}.${tool} changes the world (its readOnlyHint is not true) and this port is read-only`);
      return hub.call(server, tool, args, options);
    },
  });
}

function readOnlyNames(hub: ToolPort, server: string): string {
  const names = hub.tools().filter((t) => t.server === server && t.readOnly).map((t) => t.tool);
  return names.length > 0 ? names.join(", ") : "none";
}

// ------------------------------------------------------------------------------------------ one server

class ServerConnection {
  private client: Client | null = null;
  private listed: Map<string, HubTool> | null = null;
  private state: ServerState = "connecting";
  private error: string | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private opening: Promise<void> | null = null;
  /** Bumped by every connection attempt, so events of an old client are ignored. */
  private generation = 0;
  private closed = false;

  constructor(
    private readonly entry: HubServerEntry,
    private readonly factory: (() => Promise<Transport>) | undefined,
    private readonly log: Logger,
    private readonly backoff: { initialMs: number; maxMs: number },
  ) {}

  /** The first connection: resolves whether or not it succeeded (a failure schedules a retry). */
  start(): Promise<void> {
    return this.open(false);
  }

  status(): HubServerStatus {
    const transport = this.client?.transport;
    return {
      name: this.entry.name,
      transport: this.entry.transport,
      state: this.state,
      readOnly: this.entry.readOnly,
      tools: this.listed === null ? null : this.listed.size,
      error: this.state === "connected" ? null : this.error,
      pid: transport instanceof StdioClientTransport ? transport.pid : null,
    };
  }

  callableTools(): HubTool[] {
    if (this.listed === null) return [];
    return [...this.listed.values()].filter((t) => t.readOnly || !this.entry.readOnly);
  }

  callableTool(name: string): HubTool | undefined {
    const tool = this.listed?.get(name);
    return tool !== undefined && (tool.readOnly || !this.entry.readOnly) ? tool : undefined;
  }

  async call(name: string, args: Record<string, unknown>, options: CallOptions): Promise<ToolCallResult> {
    const server = this.entry.name;
    // a call after close is the caller's bug, not a server that may come back
    if (this.closed) return failure("internal", `server ${server} is closed (the hub was closed)`);
    const client = this.client;
    if (this.listed === null || client === null) return failure("unavailable", `server ${server} disconnected`);
    const tool = this.listed.get(name);
    if (tool === undefined) {
      return failure("not-found", `server ${server} has no tool "${name}" (it offers: ${[...this.listed.keys()].sort().join(", ") || "none"})`);
    }
    if (this.entry.readOnly && !tool.readOnly) {
      this.log.warn({ event: "hub.call.refused", tool: name }, "refused a changing tool on a read-only server");
      return failure("unauthorized", `refused: server ${server} is configured read-only and ${server}.${name} changes the world (its readOnlyHint is not true)`);
    }
    const timeoutMs = options.timeoutMs ?? this.entry.timeoutMs;
    const generation = this.generation;
    try {
      // client.request, not client.callTool: callTool rejects a whole answer when one record breaks the
      // declared output schema; callers validate per record against src/domain instead.
      const result = await client.request({ method: "tools/call", params: { name, arguments: args } }, CallToolResultSchema, { timeout: timeoutMs, signal: options.signal });
      const texts = result.content.filter((b): b is Extract<typeof b, { type: "text" }> => b.type === "text").map((b) => b.text);
      if (result.isError === true) {
        const error = texts.join("\n");
        // the typed code (src/domain/contract/errors.ts); an error result without one is `internal`
        const code = errorCodeOf(result._meta);
        this.log.info({ event: "hub.call.error-result", tool: name, code, retryable: isRetryable(code), args: redact(args) }, error.slice(0, 500));
        return failure(code, error.length > 0 ? error : `${server}.${name} failed without saying why`);
      }
      return { ok: true, structured: result.structuredContent ?? {}, text: texts[0] ?? "" };
    } catch (error) {
      return this.failed(name, args, error, client, generation, timeoutMs, options.signal);
    }
  }

  private failed(name: string, args: Record<string, unknown>, error: unknown, client: Client, generation: number, timeoutMs: number, signal: AbortSignal | undefined): ToolCallResult {
    const server = this.entry.name;
    if (signal?.aborted === true) return failure("unavailable", `cancelled: ${describe(signal.reason)}`);
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      this.log.warn({ event: "hub.call.timeout", tool: name, timeoutMs, args: redact(args) }, `no answer within ${timeoutMs} ms`);
      return failure("unavailable", `timeout after ${timeoutMs} ms`);
    }
    const gone = generation !== this.generation || client.transport === undefined || this.client !== client;
    if (gone) return failure("unavailable", `server ${server} disconnected`);
    if (error instanceof McpError) {
      // a JSON-RPC error answer: the server is there, the call is wrong (unknown tool, bad params…)
      this.log.info({ event: "hub.call.protocol-error", tool: name, code: error.code, args: redact(args) }, error.message);
      return failure(error.code === ErrorCode.InvalidParams ? "invalid-argument" : "internal", `${server}.${name}: ${error.message}`);
    }
    if (error instanceof StreamableHTTPError && error.code !== 404 && error.code !== undefined) {
      const code = httpCode(error.code);
      this.log.warn({ event: "hub.call.http-error", tool: name, status: error.code, code }, error.message);
      return failure(code, `${server}.${name}: HTTP ${error.code}: ${error.message}`);
    }
    // The transport broke (process gone, connection refused, HTTP session unknown): drop this client and reconnect.
    this.lost(generation, describe(error));
    return failure("unavailable", `server ${server} disconnected`);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.state = "closed";
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.generation++;
    await this.opening?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    await client?.close().catch(() => undefined);
  }

  // -------------------------------------------------------------------- connecting and reconnecting

  private open(isRetry: boolean): Promise<void> {
    this.opening = this.connectOnce(isRetry).finally(() => (this.opening = null));
    return this.opening;
  }

  private async connectOnce(isRetry: boolean): Promise<void> {
    const generation = ++this.generation;
    this.state = "connecting";
    const started = performance.now();
    let client: Client | null = null;
    try {
      const transport = await this.transport();
      client = new Client(CLIENT_INFO, { capabilities: {} });
      const opened = client;
      opened.onclose = () => this.lost(generation, "the connection closed");
      opened.onerror = (error) => this.log.debug({ event: "hub.transport.error", error: describe(error) });
      await opened.connect(transport, { timeout: this.entry.timeoutMs });
      const tools = await this.listTools(opened);
      if (this.closed || generation !== this.generation) {
        await opened.close().catch(() => undefined);
        return;
      }
      this.client = opened;
      this.listed = tools;
      this.state = "connected";
      this.error = null;
      this.attempt = 0;
      const pid = transport instanceof StdioClientTransport ? transport.pid : undefined;
      this.log.info(
        { event: isRetry ? "hub.reconnected" : "hub.connected", transport: this.entry.transport, tools: tools.size, ms: Math.round(performance.now() - started), pid, ...this.where() },
        `${isRetry ? "reconnected" : "connected"}: ${tools.size} tools`,
      );
    } catch (error) {
      if (generation === this.generation) this.generation++; // events of the failed client are now stale
      await client?.close().catch(() => undefined);
      if (this.closed) return;
      this.state = "disconnected";
      this.error = `cannot connect: ${describe(error)}`;
      const delay = this.scheduleReconnect();
      this.log.warn({ event: "hub.connect.failed", transport: this.entry.transport, error: describe(error), retryInMs: delay, ...this.where() }, "cannot connect; retrying");
    }
  }

  private async listTools(client: Client): Promise<Map<string, HubTool>> {
    const tools = new Map<string, HubTool>();
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result = await client.request({ method: "tools/list", params: cursor === undefined ? {} : { cursor } }, ListToolsResultSchema, { timeout: this.entry.timeoutMs });
      for (const t of result.tools) {
        const annotations = t.annotations ?? {};
        tools.set(t.name, {
          name: `${this.entry.name}.${t.name}`,
          server: this.entry.name,
          tool: t.name,
          title: t.title ?? annotations.title ?? null,
          description: t.description ?? "",
          inputSchema: t.inputSchema,
          outputSchema: t.outputSchema ?? null,
          annotations,
          readOnly: annotations.readOnlyHint === true,
        });
      }
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
    return tools;
  }

  /** The connection of `generation` is gone: forget its client and reconnect later. */
  private lost(generation: number, why: string): void {
    if (this.closed || generation !== this.generation) return;
    this.generation++;
    const client = this.client;
    this.client = null;
    this.state = "disconnected";
    this.error = `disconnected: ${why}`;
    void client?.close().catch(() => undefined);
    const delay = this.scheduleReconnect();
    this.log.warn({ event: "hub.disconnected", why, retryInMs: delay }, "server disconnected; reconnecting");
  }

  private scheduleReconnect(): number {
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.attempt, 30));
    if (this.closed || this.timer !== null) return delay;
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed && this.opening === null) void this.open(true);
    }, delay);
    // reconnecting alone keeps no process alive
    this.timer.unref();
    return delay;
  }

  private async transport(): Promise<Transport> {
    const entry = this.entry;
    switch (entry.transport) {
      case "in-memory":
        if (this.factory === undefined) throw new Error(`no factory for in-memory server ${entry.name}`);
        return this.factory();
      case "stdio": {
        const transport = new StdioClientTransport({ command: entry.command!, args: entry.args ?? [], env: entry.env, cwd: entry.cwd, stderr: "pipe", maxBufferSize: STDIO_MAX_MESSAGE_BYTES });
        this.forwardStderr(transport);
        return transport;
      }
      case "http":
        return new StreamableHTTPClientTransport(new URL(entry.url!), { requestInit: entry.headers === undefined ? undefined : { headers: entry.headers } });
    }
  }

  /** A stdio server's stderr (its logs) as log lines of this server. */
  private forwardStderr(transport: StdioClientTransport): void {
    let buffered = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trimEnd();
        buffered = buffered.slice(nl + 1);
        if (line.length > 0) this.log.info({ event: "hub.server.stderr" }, line.slice(0, STDERR_LINE_MAX));
      }
      if (buffered.length > STDERR_LINE_MAX * 4) buffered = buffered.slice(-STDERR_LINE_MAX);
    });
  }

  /** Where the server is, for logs: the command (never its env), or the URL's origin and path (never credentials or query). */
  private where(): Record<string, unknown> {
    if (this.entry.transport === "stdio") return { command: this.entry.command };
    if (this.entry.transport === "http") {
      const url = new URL(this.entry.url!);
      return { url: `${url.origin}${url.pathname}` };
    }
    return {};
  }
}

// ------------------------------------------------------------------------------------------ helpers

/** The contract's code for an HTTP status a Streamable HTTP server answered with (404 is a lost session, handled apart). */
function httpCode(status: number): ToolErrorCode {
  if (status === 429) return "throttled";
  if (status >= 500) return "unavailable";
  if (status === 401 || status === 403) return "unauthorized";
  return "invalid-argument";
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error && !error.message.includes(cause.message) ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

const SECRET_KEY = /secret|token|passw|credential|api[-_]?key|auth|cookie|private|signature/i;
const SECRET_VALUE = /^(?:bearer\s|basic\s|sk-|xox[abpr]-|ghp_|gho_|AKIA|ASIA|AIza|eyJ)|-----BEGIN/i;

/**
 * Arguments as they may be logged: values under secret-looking keys, secret-looking strings (bearer
 * tokens, API keys, JWTs, PEM blocks) and long opaque strings become "[redacted]".
 */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[deep]";
  if (typeof value === "string") {
    if (SECRET_VALUE.test(value.trim())) return "[redacted]";
    if (value.length >= 32 && /^[A-Za-z0-9+/=_-]+$/.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value)) return "[redacted]";
    return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  }
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
    return out;
  }
  return value;
}
