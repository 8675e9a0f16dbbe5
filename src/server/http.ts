import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { Registry } from "prom-client";
import { UserNameSchema, foldName } from "../domain/index.js";
import { checkRequestOrigin, originPolicy, type RequestOriginPolicy, type TokenAuthenticator } from "./auth.js";

/** What the daemon's HTTP API reads and does; the daemon implements it. */
export interface DaemonApi {
  /** Alive: the process answers. */
  live(): boolean;
  /** Ready: policies loaded, state open, first tick done. */
  ready(): { ready: boolean; why: string[] };
  status(): Promise<unknown>;
  approvals(): Promise<unknown[]>;
  /** Decide a pending approval as `user` (whom the request's token authenticated); throws ApiError for a refusal. */
  decide(id: string, body: ApprovalBody, user: string): Promise<unknown>;
  /** A changing request refused before it reached the approvals service (no or a bad token, a foreign Host or Origin): to audit. */
  refused(refusal: HttpRefusal): void | Promise<void>;
}

/** A request the HTTP layer refused, as the audit trail records it (never with the token). */
export interface HttpRefusal {
  method: string;
  path: string;
  status: 401 | 403;
  /** The authenticated user, when the token was good (a foreign Origin with a good token, say). */
  user: string | null;
  why: string;
}

export const ApprovalBodySchema = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  /**
   * Optional, and only an assertion: who answers is whom the token authenticates. A body naming someone
   * else is refused (403), never believed.
   */
  approver: UserNameSchema.optional(),
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

/** The paths that only read: GET (and HEAD) only, anything else 405 with `Allow`. */
const READING_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/v1/status", "/v1/approvals"]);

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

export interface DaemonHttpOptions {
  host: string;
  port: number;
  api: DaemonApi;
  registry: Registry;
  /** Bearer tokens → users. */
  auth: TokenAuthenticator;
  /** Host and Origin values accepted besides the daemon's own (`originPolicy`): a foreign one is refused with 403 before anything else. */
  allowed: { allowedHosts?: readonly string[]; allowedOrigins?: readonly string[] };
  /** Reading `/v1/…` needs a token too (a daemon listening beyond loopback). */
  readsNeedToken: boolean;
}

/** The proposal id of `/v1/approvals/{id}`, decoded; a 400 when it is not valid percent-encoding or not an id. */
function proposalIdOf(segment: string): string {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, "bad-path", "the proposal id in the path is not valid percent-encoding; skyops approvals lists the ids");
  }
  if (id.length === 0 || id.length > 128) throw new ApiError(400, "bad-path", "a proposal id is 1 to 128 characters; skyops approvals lists the ids");
  return id;
}

/** What a 401 says about how to authenticate (RFC 6750). */
const CHALLENGE = 'Bearer realm="skyops"';

/**
 * The daemon's HTTP server: `/healthz`, `/readyz`, `/metrics` (Prometheus), `/v1/status`,
 * `GET /v1/approvals`, `POST /v1/approvals/{id}` with `{decision, reason?}` and a bearer token, which says
 * who answers. Every request's Host and Origin are checked first (403). JSON errors say what was wrong:
 * 400 bad JSON or body, 401 no or an unknown token, 403 refused (foreign Host or Origin, an approver
 * the token does not authenticate, self-approval, not an approver), 404 unknown path or approval, 405
 * method, 409 not pending, 413 too large.
 */
export async function startDaemonHttp(options: DaemonHttpOptions): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const { api, registry, auth } = options;
  // set once the port is bound (a port of 0 is chosen then); no request arrives before
  let origins: RequestOriginPolicy = { hosts: new Set(), origins: new Set() };
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (error instanceof ApiError) {
        if (error.status === 401) res.setHeader("www-authenticate", CHALLENGE);
        send(res, error.status, { error: error.code, message: error.message });
      } else send(res, 500, { error: "internal", message: "the daemon failed to answer; see its log" });
    });
  });
  /** Refuses a request (audited), answering `status` with `code` and `message`. */
  const refuse = async (req: IncomingMessage, path: string, status: 401 | 403, code: string, message: string, user: string | null): Promise<never> => {
    await api.refused({ method: req.method ?? "GET", path, status, user, why: message });
    throw new ApiError(status, code, message);
  };
  /** The user the request's token authenticates, or a 401. */
  const userOf = async (req: IncomingMessage, path: string): Promise<string> => {
    const who = auth.authenticate(req.headers.authorization);
    if ("user" in who) return who.user;
    const message = !auth.configured
      ? "this daemon has no API tokens configured, so nothing can be changed over HTTP: configure api.tokens or SKYOPS_API_TOKENS (skyops token create USER), or use the CLI"
      : who.refused === "missing"
        ? "send your API token: Authorization: Bearer TOKEN"
        : "that API token is not one this daemon knows";
    return refuse(req, path, 401, who.refused === "missing" || !auth.configured ? "unauthenticated" : "bad-token", message, null);
  };
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://daemon");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const changing = method !== "GET" && method !== "HEAD";
    const foreign = checkRequestOrigin(origins, { host: req.headers.host, origin: req.headers.origin });
    if (foreign !== null) {
      // no cross-site or DNS-rebinding request may decide, or read, anything
      if (changing) await refuse(req, path, 403, "forbidden-origin", foreign, null);
      throw new ApiError(403, "forbidden-origin", foreign);
    }
    if (READING_PATHS.has(path) && method !== "GET" && method !== "HEAD") {
      // before any token check: a method that cannot read must not reach the reading code (a PUT once served the status unauthenticated)
      res.setHeader("allow", "GET, HEAD");
      throw new ApiError(405, "method-not-allowed", `${path} is read with GET; ${path === "/v1/approvals" ? "POST /v1/approvals/{id} decides one" : "nothing here changes"}`);
    }
    if (path === "/healthz") return send(res, api.live() ? 200 : 503, { ok: api.live() });
    if (path === "/readyz") {
      const r = api.ready();
      return send(res, r.ready ? 200 : 503, r);
    }
    if (path === "/metrics") return send(res, 200, await registry.metrics(), registry.contentType);
    if (options.readsNeedToken && path.startsWith("/v1/") && !changing) await userOf(req, path);
    if (path === "/v1/status") return send(res, 200, await api.status());
    if (path === "/v1/approvals") return send(res, 200, { approvals: await api.approvals() });
    const m = /^\/v1\/approvals\/([^/]+)$/.exec(path);
    if (m) {
      if (method !== "POST") {
        res.setHeader("allow", "POST");
        throw new ApiError(405, "method-not-allowed", `POST {"decision": "approve"|"reject"} with your token to decide ${proposalIdOf(m[1]!)}`);
      }
      // who asks first: an anonymous request learns nothing more, not even whether its body was good
      const user = await userOf(req, path);
      const id = proposalIdOf(m[1]!);
      const text = await readBody(req);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ApiError(400, "bad-json", 'the body is not JSON; send {"decision": "approve"} or {"decision": "reject", "reason": "…"}');
      }
      const body = ApprovalBodySchema.safeParse(json);
      if (!body.success) throw new ApiError(400, "bad-body", body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
      if (body.data.approver !== undefined && foldName(body.data.approver) !== foldName(user)) {
        await refuse(req, path, 403, "not-you", `your token authenticates ${user}; you cannot answer as ${body.data.approver}`, user);
      }
      return send(res, 200, await api.decide(id, body.data, user));
    }
    throw new ApiError(404, "not-found", `no such path ${path}; try /healthz, /readyz, /metrics, /v1/status, /v1/approvals`);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  origins = originPolicy(options.host, address.port, options.allowed);
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
