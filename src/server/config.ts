import { z } from "zod";
import { HubServerEntrySchema, HubServersSchema } from "../agent/hub-config.js";
import { DurationSchema } from "../domain/index.js";
import { ApiTokenSchema, isLoopbackAddress, parseTokenList } from "./auth.js";
import { InputError, parseYaml, readYamlFile, type InputProblem, type YamlInput } from "./yaml-input.js";

/**
 * The daemon's configuration: one schema, read once at start from a file (`--config skyops.yaml`) and
 * the environment (`SKYOPS_*`), flags last. Every option has a default and a one-line description
 * (`skyops daemon --help-config` prints them); every problem is reported at once, with file and line.
 */
// A tool server entry is the MCP hub's own (src/agent/hub-config.ts): what the file accepts is what the hub
// connects with (env, cwd, headers, readOnly included), checked by one schema.

const ConfigObjectSchema = z.strictObject({
  autonomy: z.enum(["observe", "approve-all", "auto"]).default("auto").describe("observe: findings and proposals only; approve-all: every allowed action asks a human; auto: the policy decides"),
  tick: DurationSchema.default(60_000).describe("control-loop period in simulated (or real) time"),
  speed: z.number().finite().min(0).max(100_000).default(1).describe("embedded simulator: simulated ms per wall ms (60 runs a simulated minute per second; 0 runs ticks back to back)"),
  stopAfter: DurationSchema.optional().describe("stop after this much (simulated) time; default: run until stopped"),
  dryRun: z.boolean().default(false).describe("decide but never execute (executions are recorded as skipped)"),
  state: z.string().min(1).default(".skyops").describe("state folder: the SQLite database and the simulator's journal"),
  policies: z.string().min(1).default("policies").describe("policy folder (Cedar schema, policies, guardrails.yaml)"),
  http: z
    .string()
    .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "write HOST:PORT, e.g. 127.0.0.1:7070")
    .refine((v) => Number(/:(\d{1,5})$/.exec(v)?.[1] ?? 0) <= 65_535, {
      error: (issue) => `port ${String(issue.input).slice(String(issue.input).lastIndexOf(":") + 1)} is over 65535: write HOST:PORT with a port from 0 (any free one) to 65535, e.g. 127.0.0.1:7070`,
    })
    .default("127.0.0.1:7070")
    .describe("daemon HTTP address: /healthz, /readyz, /metrics, /v1/status, /v1/approvals"),
  servers: HubServersSchema.default([{ name: "sim", transport: "in-memory", timeoutMs: 10_000, readOnly: false }]).describe(
    "tool servers to manage (each: name, transport, and command/args/env/cwd for stdio or url/headers for http, timeoutMs, readOnly); default: the embedded simulator",
  ),
  maxNewProposalsPerTick: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(16)
    .describe("at most this many new proposals start in one tick, the most urgent first; the rest are planned again next tick (0: no limit)"),
  approvalWallWindow: DurationSchema.default(300_000).describe(
    "an approval request stays open at least this much wall time, whatever the simulator's speed (at 60x the policy's 30-minute approvalExpiry would be 30 wall seconds)",
  ),
  idleGcAfterMs: DurationSchema.default(5_000).describe("between two ticks at least this far apart (wall time), collect garbage so memory shrinks back to what is live"),
  cedarTier: z
    .enum(["baseline", "optimizing"])
    .default("baseline")
    .describe("how V8 compiles Cedar's WebAssembly: baseline holds ~70 MB less memory, optimizing decides about twice as fast (fixed at the first policy load of the process)"),
  watchPolicies: z.boolean().default(true).describe("reload the policy folder when a file in it changes (an invalid set is refused and the one in force stays); SIGHUP reloads either way"),
  sim: z
    .strictObject({
      seed: z.number().int().nonnegative().max(2 ** 32 - 1).default(42).describe("seed of the embedded simulator's world"),
      timeline: z.enum(["default", "none"]).default("default").describe("default: a spot surge, a preemption, an outage and a drift in the first simulated hours; none: a quiet world"),
    })
    .default({ seed: 42, timeline: "default" })
    .describe("the embedded simulator"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info").describe("pino log level"),
  api: z
    .strictObject({
      tokens: z
        .array(ApiTokenSchema)
        .max(1_000)
        .default([])
        .describe("bearer tokens of the HTTP API, each {user, sha256}: the user a request acts as (skyops token create USER makes one); SKYOPS_API_TOKENS=user=TOKEN,… adds more"),
      allowedHosts: z
        .array(z.string().min(1).max(255).regex(/^[A-Za-z0-9.:[\]-]+$/, "a host name or address, optionally :port"))
        .max(100)
        .default([])
        .describe("Host header values the HTTP API answers to besides loopback names (a daemon bound elsewhere with none answers any Host)"),
      allowedOrigins: z
        .array(z.string().regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+\/?$/, "an origin, scheme://host[:port]"))
        .max(100)
        .default([])
        .describe("web origins besides the daemon's own that may send it requests (any other Origin is refused with 403)"),
    })
    .default({ tokens: [], allowedHosts: [], allowedOrigins: [] })
    .describe("who may use the HTTP API: changing requests need a token; reading ones too when the daemon listens beyond loopback"),
});

/** The configuration, with the rules that tie options together (checked once file, environment and flags are merged). */
export const ConfigSchema = ConfigObjectSchema.superRefine((config, ctx) => {
  const host = config.http.slice(0, config.http.lastIndexOf(":"));
  if (!isLoopbackAddress(host) && config.api.tokens.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["http"],
      message: `${config.http} is not a loopback address and no API token is configured, so anyone who reaches it could approve actions: set api.tokens or SKYOPS_API_TOKENS (skyops token create USER), or bind 127.0.0.1`,
    });
  }
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** The environment variables the configuration reads, and the option each sets. */
const ENV: Record<string, (value: string) => [string[], unknown]> = {
  SKYOPS_AUTONOMY: (v) => [["autonomy"], v],
  SKYOPS_TICK: (v) => [["tick"], v],
  SKYOPS_SPEED: (v) => [["speed"], Number(v)],
  SKYOPS_STATE: (v) => [["state"], v],
  SKYOPS_POLICIES: (v) => [["policies"], v],
  SKYOPS_HTTP: (v) => [["http"], v],
  SKYOPS_LOG_LEVEL: (v) => [["logLevel"], v],
  SKYOPS_CEDAR_TIER: (v) => [["cedarTier"], v],
  SKYOPS_MAX_NEW_PROPOSALS_PER_TICK: (v) => [["maxNewProposalsPerTick"], Number(v)],
  SKYOPS_API_TOKENS: (v) => [["api", "tokens"], parseTokenList(v)],
};
/** Variables whose values are secrets: named in errors, never shown; list-valued ones add to the file's list. */
const SECRET_ENV = new Set(["SKYOPS_API_TOKENS"]);
const APPENDING_ENV = new Set(["SKYOPS_API_TOKENS"]);

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * Reads the configuration: file (optional), then environment, then flags (`overrides`, already typed).
 * Throws InputError listing every problem, located in the file where it came from.
 */
export function loadConfig(options: { file?: string; env?: Record<string, string | undefined>; overrides?: Record<string, unknown> } = {}): Config {
  const problems: InputProblem[] = [];
  let fromFile: Record<string, unknown> = {};
  /** The file as parsed, to locate problems found once everything is merged. */
  let input: YamlInput | null = null;
  if (options.file !== undefined) {
    try {
      input = parseYaml(options.file, readYamlFile(options.file, "the configuration"));
      // validate the file on its own first so problems point at its lines; an empty file (or one of comments only) is a configuration of defaults
      input.validate(z.preprocess((v) => v ?? {}, ConfigObjectSchema));
      fromFile = input.validate(z.preprocess((v) => v ?? {}, z.record(z.string(), z.unknown())));
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  const merged: Record<string, unknown> = structuredClone(fromFile);
  /** Where each option set outside the file came from, to name it in errors. */
  const origin = new Map<string, string>();
  for (const [name, apply] of Object.entries(ENV)) {
    const value = options.env?.[name];
    if (value === undefined || value === "") continue;
    const shown = SECRET_ENV.has(name) ? `environment ${name}` : `environment ${name}="${value}"`;
    let path: string[];
    let parsed: unknown;
    try {
      [path, parsed] = apply(value);
    } catch (error) {
      problems.push({ file: shown, line: 0, column: 0, problem: (error as Error).message });
      continue;
    }
    if (APPENDING_ENV.has(name)) {
      const before = path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), merged);
      if (Array.isArray(before) && Array.isArray(parsed)) parsed = [...(before as unknown[]), ...parsed];
    }
    setPath(merged, path, parsed);
    origin.set(path.join("."), shown);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) continue;
    merged[key] = value;
    origin.set(key, `flag --${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  if (problems.length > 0) throw new InputError(problems);
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new InputError(
      result.error.issues.map((i) => {
        const path = i.path.join(".");
        const from = [...origin.entries()].find(([k]) => path === k || path.startsWith(`${k}.`))?.[1];
        const problem = `${path || "config"}: ${i.message}`;
        if (from === undefined && input !== null && options.file !== undefined) return { file: options.file, ...input.at(i.path), problem };
        return { file: from ?? options.file ?? "configuration", line: 0, column: 0, problem };
      }),
    );
  }
  return result.data;
}

/** Every option with its default and description, for `skyops daemon --help-config` and the README. */
export function describeConfig(): { option: string; default: string; description: string }[] {
  const out: { option: string; default: string; description: string }[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string): void => {
    for (const [key, schema] of Object.entries(shape)) {
      const description = schema.description ?? "";
      const inner = (schema as unknown as { def?: { innerType?: z.ZodType; defaultValue?: unknown } }).def;
      const def = inner?.defaultValue;
      out.push({ option: `${prefix}${key}`, default: def === undefined ? "—" : JSON.stringify(def), description });
      const unwrapped = inner?.innerType as unknown as { shape?: Record<string, z.ZodType> } | undefined;
      if (key === "servers") walk(HubServerEntrySchema.shape as unknown as Record<string, z.ZodType>, `${prefix}servers[].`);
      else if (unwrapped?.shape) walk(unwrapped.shape, `${prefix}${key}.`);
    }
  };
  walk(ConfigObjectSchema.shape as unknown as Record<string, z.ZodType>, "");
  return out;
}
