import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import { UserNameSchema, isAgentPrincipal } from "../domain/index.js";

/*
 * Who is asking, for the daemon's HTTP endpoints: a bearer token mapped to a user (never a name in the
 * request body), and whether the request may come from where it says (Host against DNS rebinding, Origin
 * against cross-site requests from any web page the operator has open).
 */

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One token of `api.tokens`: the user it stands for and the SHA-256 of the token (the token itself is never stored). */
export const ApiTokenSchema = z.strictObject({
  user: UserNameSchema.refine((u) => !isAgentPrincipal(u), "that is one of skyops' own principals (builtin, llm, daemon, …), which can never approve: name a person").describe(
    "the user this token authenticates (case does not matter)",
  ),
  sha256: z
    .string({ error: (issue) => (typeof issue.input === "number" ? "write sha256 in quotes: YAML read these digits as a number" : "sha256 is the token's SHA-256 as 64 hex digits") })
    .transform((s) => s.toLowerCase())
    .pipe(z.string().regex(SHA256_HEX, "sha256 is the token's SHA-256 as 64 hex digits (skyops token create USER prints it)"))
    .describe("SHA-256 of the token, hex"),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;

/** What an API token looks like: a prefix that secret scanners and the log redaction recognise, then 32 random bytes. */
export const TOKEN_PREFIX = "skyops_";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** A new random API token and the line that configures it. */
export function newApiToken(user: string): { token: string; entry: ApiToken } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, entry: { user, sha256: sha256Hex(token) } };
}

/**
 * `SKYOPS_API_TOKENS`: `user=token` pairs separated by commas or whitespace. The tokens are hashed here and
 * the text is not kept. Throws naming the pair at fault (by position, never by its token).
 */
export function parseTokenList(text: string): ApiToken[] {
  const entries: ApiToken[] = [];
  const pairs = text.split(/[\s,]+/).filter((p) => p.length > 0);
  pairs.forEach((pair, i) => {
    const eq = pair.indexOf("=");
    const user = eq > 0 ? pair.slice(0, eq) : "";
    const token = eq > 0 ? pair.slice(eq + 1) : "";
    if (!UserNameSchema.safeParse(user).success || token.length < 16) {
      throw new Error(`pair ${i + 1} of ${pairs.length} is not user=TOKEN with a user name and a token of at least 16 characters`);
    }
    if (isAgentPrincipal(user)) throw new Error(`pair ${i + 1} of ${pairs.length} names "${user}", one of skyops' own principals, which can never approve: name a person`);
    entries.push({ user, sha256: sha256Hex(token) });
  });
  return entries;
}

/** Maps bearer tokens to users. Holds only the tokens' hashes; compares in constant time. */
export class TokenAuthenticator {
  private readonly entries: { user: string; digest: Buffer }[];

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map((t) => ({ user: t.user, digest: Buffer.from(t.sha256, "hex") }));
  }

  get configured(): boolean {
    return this.entries.length > 0;
  }

  /**
   * The user an `Authorization` header authenticates: `{user}`, or why not (`missing`: no bearer token;
   * `invalid`: a token no entry has).
   */
  authenticate(authorization: string | undefined): { user: string } | { refused: "missing" | "invalid" } {
    const m = authorization === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (m === null) return { refused: "missing" };
    const digest = createHash("sha256").update(m[1]!, "utf8").digest();
    let found: string | null = null;
    // every entry is compared, so the time taken says nothing about which one matched
    for (const e of this.entries) if (timingSafeEqual(e.digest, digest) && found === null) found = e.user;
    return found === null ? { refused: "invalid" } : { user: found };
  }
}

/** Whether a bind address is a loopback one (127.0.0.0/8, ::1, localhost). */
export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

export interface RequestOriginPolicy {
  /** Host header values accepted (`host:port`, lowercase); null: any (a non-loopback bind with none configured). */
  hosts: ReadonlySet<string> | null;
  /** Origins accepted on requests that carry one (`scheme://host:port`, lowercase). */
  origins: ReadonlySet<string>;
}

/**
 * What Host and Origin a daemon bound to `bindHost:port` accepts. On loopback: only loopback names with
 * that port (a DNS-rebinding page reaches 127.0.0.1 under its own name, which is refused). Elsewhere: the
 * configured `allowedHosts`, or any Host when none are (the token is what protects a non-loopback daemon).
 * Origins: the daemon's own (`http://` + an accepted host) and the configured ones.
 */
export function originPolicy(bindHost: string, port: number, extra: { allowedHosts?: readonly string[]; allowedOrigins?: readonly string[] } = {}): RequestOriginPolicy {
  const configured = (extra.allowedHosts ?? []).map((h) => hostWithPort(h, port));
  const hosts = isLoopbackAddress(bindHost)
    ? new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, ...configured])
    : configured.length > 0
      ? new Set([hostWithPort(bindHost, port), ...configured])
      : null;
  const origins = new Set((extra.allowedOrigins ?? []).map(normalOrigin));
  for (const h of hosts ?? []) origins.add(`http://${h}`);
  return { hosts, origins };
}

/** `host:port` as a Host header carries it, lowercase: `example.org` → `example.org:7070`, `::1` → `[::1]:7070`. */
function hostWithPort(host: string, port: number): string {
  const h = host.toLowerCase();
  if (/^\[[^\]]+\]:\d+$/.test(h) || /^[^:[\]]+:\d+$/.test(h)) return h;
  if (/^\[[^\]]+\]$/.test(h)) return `${h}:${port}`;
  return h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
}

function normalOrigin(origin: string): string {
  return origin.toLowerCase().replace(/\/+$/, "");
}

/** Why a request's Host or Origin is refused, or null when both are acceptable. */
export function checkRequestOrigin(policy: RequestOriginPolicy, headers: { host?: string | undefined; origin?: string | undefined }): string | null {
  if (policy.hosts !== null) {
    const host = (headers.host ?? "").toLowerCase();
    if (!policy.hosts.has(host)) return `Host ${JSON.stringify(headers.host ?? "")} is not one this daemon answers to`;
  }
  if (headers.origin !== undefined) {
    if (!policy.origins.has(normalOrigin(headers.origin))) return `Origin ${JSON.stringify(headers.origin)} may not send requests to this daemon`;
  }
  return null;
}
