import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { SimHost } from "./host.js";
import { createSimServer } from "./server.js";

export const MCP_PATH = "/mcp";
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_SESSIONS = 1_000;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export interface SimHttpOptions {
  /** Address to bind, e.g. 127.0.0.1. Only this address is bound. */
  host: string;
  /** TCP port; 0 picks a free one (see `url`). */
  port: number;
  /** The one world every session shares. */
  sim: SimHost;
}

export interface SimHttpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:7071/mcp */
  url: string;
  port: number;
  /** Open MCP sessions. */
  sessionCount(): number;
  /** Closes every session and the listener (the SimHost is the caller's). */
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
  ) {
    super(message);
  }
}

/**
 * Serves the sim tools over MCP Streamable HTTP (stateful): POST/GET/DELETE on /mcp, one transport and
 * McpServer per `mcp-session-id`, all sessions over the one world of `sim`. Bound to a loopback address
 * it accepts only loopback Host and Origin headers (DNS rebinding protection).
 */
export async function startSimHttpServer(options: SimHttpOptions): Promise<SimHttpServer> {
  const sessions = new Map<string, Session>();
  const loopback = isLoopback(options.host);

  const openSession = async (): Promise<StreamableHTTPServerTransport> => {
    if (sessions.size >= MAX_SESSIONS) throw new HttpError(503, -32000, `Too many MCP sessions (${MAX_SESSIONS}): close some (HTTP DELETE ${MCP_PATH}) and retry`);
    const server = createSimServer(options.sim.context());
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
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== MCP_PATH) {
      sendJson(res, 404, { error: "not_found", message: `Nothing at ${path}: the MCP endpoint is ${MCP_PATH}` });
      return;
    }
    if (loopback) checkLoopbackHeaders(req);
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
      if (error instanceof HttpError) return sendRpcError(res, error.status, error.rpcCode, error.message);
      process.stderr.write(`skyops sim http: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      sendRpcError(res, 500, -32603, "Internal error");
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen({ host: options.host, port: options.port, exclusive: true }, () => {
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

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A page on another site must not reach a loopback server by rebinding a DNS name to 127.0.0.1. */
function checkLoopbackHeaders(req: IncomingMessage): void {
  const host = header(req, "host");
  if (host === undefined || !LOOPBACK_HOSTS.has(hostnameOf(`http://${host}`) ?? "")) {
    throw new HttpError(403, -32000, `Forbidden: Host header ${JSON.stringify(host ?? "")} is not a loopback name; this server answers only localhost, 127.0.0.1 and [::1]`);
  }
  const origin = header(req, "origin");
  if (origin !== undefined && !LOOPBACK_HOSTS.has(hostnameOf(origin) ?? "")) {
    throw new HttpError(403, -32000, `Forbidden: Origin ${JSON.stringify(origin)} is not a loopback origin`);
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
