import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { Registry } from "prom-client";

/** What the daemon's HTTP API reads and does; the daemon implements it. */
export interface DaemonApi {
  /** Alive: the process answers. */
  live(): boolean;
  /** Ready: policies loaded, state open, first tick done. */
  ready(): { ready: boolean; why: string[] };
  status(): Promise<unknown>;
  approvals(): Promise<unknown[]>;
  /** Decide a pending approval; rejects with ApiError for a domain refusal. */
  decide(id: string, body: ApprovalBody): Promise<unknown>;
}

export const ApprovalBodySchema = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  approver: z.string().min(1).max(128).regex(/^[A-Za-z0-9._@+-]+$/, "approver is a user name: letters, digits and . _ @ + -"),
  reason: z.string().max(2_000).optional(),
});
export type ApprovalBody = z.infer<typeof ApprovalBodySchema>;

/** An error the API answers with its own status and a message that says what to do. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  const text = type === "application/json" ? JSON.stringify(body) : String(body);
  res.writeHead(status, { "content-type": type === "application/json" ? "application/json; charset=utf-8" : type, "cache-control": "no-store" });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, "body-too-large", `the body is over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The daemon's HTTP server: `/healthz`, `/readyz`, `/metrics` (Prometheus), `/v1/status`,
 * `GET /v1/approvals`, `POST /v1/approvals/{id}` with `{decision, approver, reason?}`. JSON errors say
 * what was wrong: 400 bad JSON or body, 404 unknown path or approval, 405 method, 409 not pending,
 * 403 refused (self-approval), 413 too large.
 */
export async function startDaemonHttp(options: { host: string; port: number; api: DaemonApi; registry: Registry }): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const { api, registry } = options;
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (error instanceof ApiError) send(res, error.status, { error: error.code, message: error.message });
      else send(res, 500, { error: "internal", message: "the daemon failed to answer; see its log" });
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://daemon");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (path === "/healthz") return send(res, api.live() ? 200 : 503, { ok: api.live() });
    if (path === "/readyz") {
      const r = api.ready();
      return send(res, r.ready ? 200 : 503, r);
    }
    if (path === "/metrics") return send(res, 200, await registry.metrics(), registry.contentType);
    if (path === "/v1/status") return send(res, 200, await api.status());
    if (path === "/v1/approvals") {
      if (method !== "GET") throw new ApiError(405, "method-not-allowed", "GET lists approvals; POST /v1/approvals/{id} decides one");
      return send(res, 200, { approvals: await api.approvals() });
    }
    const m = /^\/v1\/approvals\/([^/]+)$/.exec(path);
    if (m) {
      if (method !== "POST") throw new ApiError(405, "method-not-allowed", `POST {"decision": "approve"|"reject", "approver": "you"} to decide ${decodeURIComponent(m[1]!)}`);
      const text = await readBody(req);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ApiError(400, "bad-json", 'the body is not JSON; send {"decision": "approve", "approver": "alice"}');
      }
      const body = ApprovalBodySchema.safeParse(json);
      if (!body.success) throw new ApiError(400, "bad-body", body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
      return send(res, 200, await api.decide(decodeURIComponent(m[1]!), body.data));
    }
    throw new ApiError(404, "not-found", `no such path ${path}; try /healthz, /readyz, /metrics, /v1/status, /v1/approvals`);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
