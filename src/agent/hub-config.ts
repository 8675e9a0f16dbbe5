import { z } from "zod";

/*
 * The tool servers the MCP hub connects to: one entry per server, read once at start with every
 * problem reported together. Built-in servers run in this process over the in-memory transport and are
 * handed to the hub as factories in code (src/agent imports no tool server); external ones are a stdio
 * command or a Streamable HTTP URL. `env` and `headers` carry secrets: they are never logged.
 */

/** A server name: kebab-case, so `${server}.${tool}` names a tool unambiguously. */
export const ServerNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, "server names are kebab-case: lower-case letters and digits joined by single dashes, e.g. sim or aws-prod")
  .max(64);

export const TransportKindSchema = z.enum(["in-memory", "stdio", "http"]);
export type TransportKind = z.infer<typeof TransportKindSchema>;

export const DEFAULT_TIMEOUT_MS = 10_000;

const FIELDS_OF: Record<TransportKind, readonly string[]> = {
  "in-memory": [],
  stdio: ["command", "args", "env", "cwd"],
  http: ["url", "headers"],
};

export const HubServerEntrySchema = z
  .strictObject({
    name: ServerNameSchema.describe("Name of the server; its tools are called `${name}.${tool}`"),
    transport: TransportKindSchema.describe("in-memory: a built-in server (its factory is supplied in code); stdio: a command to spawn; http: a Streamable HTTP endpoint"),
    command: z.string().min(1).optional().describe("stdio: the executable to spawn (no shell)"),
    args: z.array(z.string()).optional().describe("stdio: its arguments"),
    env: z.record(z.string(), z.string()).optional().describe("stdio: environment added to a minimal safe one (PATH, HOME…); never logged"),
    cwd: z.string().min(1).optional().describe("stdio: working directory; default: the daemon's"),
    url: z.string().optional().describe("http: the MCP endpoint, http:// or https://, e.g. http://127.0.0.1:7071/mcp"),
    headers: z.record(z.string(), z.string()).optional().describe("http: headers sent with every request (e.g. Authorization); never logged"),
    timeoutMs: z.number().int().min(1).max(600_000).default(DEFAULT_TIMEOUT_MS).describe("Most ms one call (or the connection handshake) may take"),
    readOnly: z.boolean().default(false).describe("Refuse every tool of this server whose annotations do not say readOnlyHint: true"),
  })
  .superRefine((entry, ctx) => {
    for (const field of ["command", "args", "env", "cwd", "url", "headers"] as const) {
      if (given(entry[field]) && !FIELDS_OF[entry.transport].includes(field)) {
        const owner = (Object.keys(FIELDS_OF) as TransportKind[]).find((k) => FIELDS_OF[k].includes(field))!;
        ctx.addIssue({ code: "custom", path: [field], message: `${field} is only for transport ${owner}; this server's transport is ${entry.transport}` });
      }
    }
    if (entry.transport === "stdio" && entry.command === undefined) {
      ctx.addIssue({ code: "custom", path: ["command"], message: "a stdio server needs command: the executable to spawn, e.g. node (with args [dist/src/cli.js, tool, sim])" });
    }
    if (entry.transport === "http") {
      const problem = httpUrlProblem(entry.url);
      if (problem !== null) ctx.addIssue({ code: "custom", path: ["url"], message: problem });
    }
  });
export type HubServerEntry = z.infer<typeof HubServerEntrySchema>;
export type HubServerEntryInput = z.input<typeof HubServerEntrySchema>;

export const HubServersSchema = z.array(HubServerEntrySchema).superRefine((entries, ctx) => {
  for (const { index, message } of duplicateNames(entries)) ctx.addIssue({ code: "custom", path: [index, "name"], message });
});

/** Entries whose name an earlier entry already uses (read from raw input too, so they are reported beside other problems). */
function duplicateNames(entries: readonly unknown[]): { index: number; message: string }[] {
  const seen = new Map<string, number>();
  const found: { index: number; message: string }[] = [];
  entries.forEach((entry, index) => {
    const name = entry !== null && typeof entry === "object" ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== "string") return;
    const first = seen.get(name);
    if (first !== undefined) found.push({ index, message: `server name "${name}" is already used by entry ${first}: names must be unique` });
    else seen.set(name, index);
  });
  return found;
}

/** Whether a field says something: an empty list or map (a default filled in by a caller's config) does not. */
function given(value: unknown): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

function httpUrlProblem(url: string | undefined): string | null {
  if (url === undefined) return "an http server needs url: its Streamable HTTP endpoint, e.g. http://127.0.0.1:7071/mcp";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "url is not a valid URL: write it as http(s)://HOST[:PORT]/PATH, e.g. http://127.0.0.1:7071/mcp";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `url must be http:// or https://, not ${parsed.protocol}//`;
  if (parsed.username !== "" || parsed.password !== "") return "url must not carry credentials: put them in headers (e.g. Authorization), which are never logged";
  return null;
}

/** Every problem of a server list, each as `path: message`. */
export class HubConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid tool server configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "HubConfigError";
  }
}

/**
 * Validates a server list, reporting every problem together (never the value of `env` or `headers`).
 * With `inMemory`, also checks each in-memory entry has a factory of that name.
 */
export function parseHubServers(input: unknown, options: { inMemory?: readonly string[] } = {}): HubServerEntry[] {
  const parsed = HubServersSchema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (!parsed.success && Array.isArray(input)) {
    // the list's own check runs only once every entry is valid: report duplicate names now too
    for (const { index, message } of duplicateNames(input)) {
      const line = `${formatPath([index, "name"])}: ${message}`;
      if (!problems.includes(line)) problems.push(line);
    }
  }
  if (parsed.success && options.inMemory !== undefined) {
    parsed.data.forEach((entry, i) => {
      if (entry.transport === "in-memory" && !options.inMemory!.includes(entry.name)) {
        const known = options.inMemory!.length > 0 ? options.inMemory!.join(", ") : "none";
        problems.push(`${formatPath([i, "name"])}: in-memory server "${entry.name}" has no factory: built-in servers are supplied in code (known: ${known})`);
      }
    });
  }
  if (problems.length > 0 || !parsed.success) throw new HubConfigError(problems);
  return parsed.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "servers";
  return `servers${path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;
}
