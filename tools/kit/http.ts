import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";

export const MCP_PATH = "/mcp";
export const DEFAULT_HTTP_HOST = "127.0.0.1";
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_SESSIONS = 1_000;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export interface HttpHostOptions {
  /** Address to bind; only this address is bound. Default 127.0.0.1. */
  host?: string | undefined;
  /** TCP port; 0 picks a free one (see `url`). */
  port: number;
  /** Makes the MCP server of a new session (one per `mcp-session-id`). */
  server: () => McpServer;
  /** Names the host in its stderr lines, e.g. `skyops sim http`. */
  name: string;
  /**
   * A bearer token every request must carry (`Authorization: Bearer …`); compared in constant time, never
   * logged. Required to bind an address that is not loopback.
   */
  token?: string | undefined;
  /** Origins (`https://console.example`) a browser may call from, besides loopback ones. */
  allowedOrigins?: readonly string[] | undefined;
}

export interface HttpHost {
  /** The MCP endpoint, e.g. http://127.0.0.1:7071/mcp */
  url: string;
  port: number;
  /** Open MCP sessions. */
  sessionCount(): number;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Serves MCP over Streamable HTTP (stateful): POST/GET/DELETE on /mcp, one transport and server per
 * `mcp-session-id`. Before anything else it refuses, with 403, a request whose `Origin` is present and not
 * allowed (the MCP SDK does not check it: a web page the operator visits must not drive the tools), and on a
 * loopback address one whose `Host` is not a loopback name (DNS rebinding); then, with a token, 401 with
 * `WWW-Authenticate: Bearer` to a request that does not carry it.
 */
export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const host = options.host ?? DEFAULT_HTTP_HOST;
  const loopback = isLoopback(host);
  const token = options.token === undefined || options.token === "" ? null : digest(options.token);
  if (!loopback && token === null) {
    throw new Error(`${options.name}: refusing to serve MCP on ${host} without a bearer token: anyone who reaches it could call every tool; set a token, or bind a loopback address such as 127.0.0.1`);
  }
  const origins = new Set((options.allowedOrigins ?? []).map(originOf));
  const sessions = new Map<string, Session>();

  const openSession = async (): Promise<StreamableHTTPServerTransport> => {
    if (sessions.size >= MAX_SESSIONS) throw new HttpError(503, -32000, `Too many MCP sessions (${MAX_SESSIONS}): close some (HTTP DELETE ${MCP_PATH}) and retry`);
    const server = options.server();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    checkOrigin(req, origins);
    if (loopback) checkLoopbackHost(req);
    if (token !== null) checkToken(req, token);
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== MCP_PATH) {
      sendJson(res, 404, { error: "not_found", message: `Nothing at ${path}: the MCP endpoint is ${MCP_PATH}` });
      return;
    }
    const sessionId = header(req, "mcp-session-id");
    const session = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (sessionId !== undefined && session === undefined) {
      throw new HttpError(404, -32001, `Session not found: ${sessionId} is unknown or closed; send a new initialize request without mcp-session-id`);
    }
    switch (req.method) {
      case "POST": {
        const body = await readJson(req);
        if (session) return session.transport.handleRequest(req, res, body);
        const initialize = Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body);
        if (!initialize) throw new HttpError(400, -32000, "Bad Request: no mcp-session-id header; start a session with an initialize request first");
        const transport = await openSession();
        return transport.handleRequest(req, res, body);
      }
      case "GET":
      case "DELETE":
        if (!session) throw new HttpError(400, -32000, `Bad Request: ${req.method} ${MCP_PATH} needs the mcp-session-id header of an initialized session`);
        return session.transport.handleRequest(req, res);
      default:
        res.setHeader("Allow", "GET, POST, DELETE");
        throw new HttpError(405, -32000, `Method not allowed: ${req.method ?? "?"}; use POST, GET or DELETE on ${MCP_PATH}`);
    }
  };

  const httpServer: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
        return sendRpcError(res, error.status, error.rpcCode, error.message);
      }
      process.stderr.write(`${options.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      sendRpcError(res, 500, -32603, "Internal error");
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen({ host, port: options.port, exclusive: true }, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const urlHost = address.family === "IPv6" || address.address.includes(":") ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${address.port}${MCP_PATH}`,
    port: address.port,
    sessionCount: () => sessions.size,
    close: () =>
      (closing ??= (async () => {
        const open = [...sessions.values()];
        sessions.clear();
        await Promise.allSettled(open.map((s) => s.server.close()));
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
      })()),
  };
}

/** Whether `host` is a loopback address or name. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `https://console.example` from what a user wrote: the origin of an http(s) URL, or a RangeError saying
 * what an origin looks like.
 */
export function originOf(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`"${text}" is not an origin: write SCHEME://HOST[:PORT], e.g. https://console.example`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new RangeError(`"${text}" is not an origin: write SCHEME://HOST[:PORT] with http or https and no path, e.g. https://console.example`);
  }
  return url.origin;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A browser page on another site must not reach the tools: a present Origin must be loopback or allowed (MCP spec: 403 otherwise). */
function checkOrigin(req: IncomingMessage, allowed: ReadonlySet<string>): void {
  const origin = header(req, "origin");
  if (origin === undefined) return;
  const hostname = hostnameOf(origin);
  if (hostname !== null && LOOPBACK_HOSTS.has(hostname)) return;
  if (hostname !== null && allowed.has(new URL(origin).origin)) return;
  throw new HttpError(403, -32000, `Forbidden: Origin ${JSON.stringify(origin)} is not allowed; this server answers loopback origins${allowed.size > 0 ? ` and ${[...allowed].join(", ")}` : ""}`);
}

/** A page on another site must not reach a loopback server by rebinding a DNS name to 127.0.0.1. */
function checkLoopbackHost(req: IncomingMessage): void {
  const host = header(req, "host");
  if (host === undefined || !LOOPBACK_HOSTS.has(hostnameOf(`http://${host}`) ?? "")) {
    throw new HttpError(403, -32000, `Forbidden: Host header ${JSON.stringify(host ?? "")} is not a loopback name; this server answers only localhost, 127.0.0.1 and [::1]`);
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** The bearer token, compared as digests so neither its bytes nor its length leak through timing. */
function checkToken(req: IncomingMessage, expected: Buffer): void {
  const authorization = header(req, "authorization");
  const m = authorization === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (m === null) {
    throw new HttpError(401, -32000, "Unauthorized: send the server's token as Authorization: Bearer TOKEN", { "WWW-Authenticate": 'Bearer realm="skyops"' });
  }
  if (!timingSafeEqual(digest(m[1]!), expected)) {
    throw new HttpError(401, -32000, "Unauthorized: the bearer token is not this server's", { "WWW-Authenticate": 'Bearer realm="skyops", error="invalid_token"' });
  }
}

function hostnameOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(header(req, "content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, -32000, `Payload too large: over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, -32000, `Payload too large: over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, -32700, `Parse error: the request body is not valid JSON (${(error as Error).message}); send one JSON-RPC message or a batch`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function sendRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null });
}
