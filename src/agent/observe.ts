import { z } from "zod";
import {
  DriftReportSchema,
  HealthReportSchema,
  InstanceSchema,
  InterruptionNoticeSchema,
  LocationKeySchema,
  OfferQuoteSchema,
  RegionHealthSchema,
  ReplicaHealthSchema,
  WorkloadStatusSchema,
  type EgressMatrix,
  type HealthReport,
  type Snapshot,
  type SourceStatus,
} from "../domain/index.js";
import type { ToolCallResult, ToolPort } from "./hub.js";

/*
 * observe: one snapshot per tick from every tool server, with bulk calls (one per tool per server, never
 * one per workload), validated against the tool contract's schemas (src/domain). Telemetry is untrusted:
 * a record that fails its schema (NaN, negative, absurd values) is dropped and listed in its source's
 * `invalid`; it never reaches a detector, so it can cause no action.
 */

/** The read tools observe calls on each server that offers them, with their (bulk) arguments. */
export const OBSERVE_TOOLS = ["list_workloads", "list_instances", "get_health", "list_offers", "get_drift"] as const;
export type ObserveTool = (typeof OBSERVE_TOOLS)[number];

/** What observe needs from the hub: reading tools and server states. A `readOnlyPort(hub)` is enough. */
export type ObservePort = Pick<ToolPort, "tool" | "servers" | "call">;

export interface ObserveOptions {
  /**
   * Egress rows already known, by source location (`cloud/region` → destination → price): catalog data,
   * so observe adds each row once and never asks again. Hold one per daemon.
   */
  egressCache: EgressMatrix;
}

export interface EgressProblem {
  from: string;
  server: string | null;
  problem: string;
}

export interface Observation {
  snapshot: Snapshot;
  /** Egress rows from every location a workload is deployed in (from the cache, fetched where missing). */
  egress: EgressMatrix;
  /** Locations whose egress row is missing or partial this tick (asked again next tick). */
  egressProblems: EgressProblem[];
}

/** At most this many dropped records are listed per tool and server; the rest are counted in one entry. */
const MAX_INVALID_LISTED = 50;

/** A tool's answer, checked only for the list it must carry; records are checked one by one. */
const ENVELOPES = {
  list_workloads: z.object({ workloads: z.array(z.unknown()) }),
  list_instances: z.object({ instances: z.array(z.unknown()) }),
  get_health: z.object({
    atMs: z.unknown(),
    regions: z.array(z.unknown()),
    replicas: z.array(z.unknown()),
    interruptions: z.array(z.unknown()),
    services: z.array(z.unknown()),
  }),
  list_offers: z.object({ offers: z.array(z.unknown()), truncated: z.boolean().optional() }),
  get_drift: z.object({ reports: z.array(z.unknown()) }),
} as const satisfies Record<ObserveTool, z.ZodType>;

const ServiceHealthSchema = HealthReportSchema.shape.services.element;

/** The bulk form of `get_egress_price` (no `to`): prices from `from` to every region. */
const EgressPricesEnvelope = z.object({ from: LocationKeySchema, prices: z.array(z.unknown()) });
const EgressPriceEntrySchema = z.object({
  to: LocationKeySchema,
  usdPerGb: z.number().finite().nonnegative().max(100, "absurd egress price: over 100 USD/GB"),
  transferGbPerSecond: z.number().finite().positive(),
});

type Invalid = SourceStatus["invalid"];

interface ServerPart {
  source: SourceStatus;
  workloads: Snapshot["workloads"];
  instances: Snapshot["instances"];
  health: Snapshot["health"];
  offers: Snapshot["offers"];
  drift: Snapshot["drift"];
}

/**
 * One snapshot of `servers` at `nowMs`, plus the egress rows of every workload location. Servers are
 * observed in parallel; a server that is disconnected, errors, times out or answers outside the contract
 * is listed with `ok: false` and contributes nothing (its data is missing, not zero, and never half
 * there: instances without their workloads would look like orphans). Never throws for a server's sake.
 */
export async function observe(port: ObservePort, servers: readonly string[], nowMs: number, options: ObserveOptions): Promise<Observation> {
  const names = [...new Set(servers)].sort();
  const parts = await Promise.all(names.map((server) => observeServer(port, server, nowMs)));
  const snapshot: Snapshot = {
    atMs: nowMs,
    sources: parts.map((p) => p.source),
    workloads: parts.flatMap((p) => p.workloads).sort(by((w) => w.id, (w) => w.server)),
    instances: parts.flatMap((p) => p.instances).sort(by((i) => i.id, (i) => i.server)),
    health: parts.flatMap((p) => p.health),
    offers: parts.flatMap((p) => p.offers).sort(by((o) => o.id, (o) => o.server)),
    drift: parts.flatMap((p) => p.drift).sort(by((d) => d.workloadId, (d) => d.server)),
  };
  const { egress, problems } = await gatherEgress(port, snapshot, options.egressCache);
  return { snapshot, egress, egressProblems: problems };
}

async function observeServer(port: ObservePort, server: string, nowMs: number): Promise<ServerPart> {
  const started = performance.now();
  const part: ServerPart = {
    source: { server, ok: true, error: null, invalid: [], ms: 0 },
    workloads: [],
    instances: [],
    health: [],
    offers: [],
    drift: [],
  };
  const fail = (error: string): ServerPart => {
    part.source.ok = false;
    part.source.error = error;
    part.workloads = [];
    part.instances = [];
    part.health = [];
    part.offers = [];
    part.drift = [];
    part.source.ms = elapsed(started);
    return part;
  };

  const status = port.servers().find((s) => s.name === server);
  if (status === undefined) return fail(`no tool server named "${server}"`);
  if (status.tools === null) return fail(`server ${server} disconnected${status.error ? ` (${status.error})` : ""}`);

  // A server offers the tools of its part of the contract (a cloud has no list_workloads, the drift server only get_drift).
  const offered = OBSERVE_TOOLS.filter((tool) => port.tool(server, tool) !== undefined);
  const answers = await Promise.all(offered.map(async (tool) => [tool, await safeCall(port, server, tool, {})] as const));

  const failures = answers.filter(([, r]) => !r.ok).map(([tool, r]) => `${tool}: ${(r as Extract<ToolCallResult, { ok: false }>).error}`);
  if (failures.length > 0) return fail(failures.join("; "));

  const invalid = part.source.invalid;
  for (const [tool, answer] of answers) {
    const structured = (answer as Extract<ToolCallResult, { ok: true }>).structured;
    const envelope = ENVELOPES[tool].safeParse(structured);
    if (!envelope.success) {
      invalid.push({ tool, problem: `whole response rejected: ${issuesText(envelope.error)}` });
      return fail(`${tool}: the response does not match the tool contract (${issuesText(envelope.error)})`);
    }
    switch (tool) {
      case "list_workloads":
        part.workloads = tagged(records(envelope.data as z.infer<(typeof ENVELOPES)["list_workloads"]>, "workloads", WorkloadStatusSchema, tool, invalid), server);
        break;
      case "list_instances":
        part.instances = tagged(records(envelope.data as z.infer<(typeof ENVELOPES)["list_instances"]>, "instances", InstanceSchema, tool, invalid), server);
        break;
      case "list_offers":
        part.offers = tagged(records(envelope.data as z.infer<(typeof ENVELOPES)["list_offers"]>, "offers", OfferQuoteSchema, tool, invalid), server);
        if ((envelope.data as { truncated?: boolean }).truncated === true) invalid.push({ tool, problem: "the offer list is truncated: some offers are missing" });
        break;
      case "get_drift":
        part.drift = tagged(records(envelope.data as z.infer<(typeof ENVELOPES)["get_drift"]>, "reports", DriftReportSchema, tool, invalid), server);
        break;
      case "get_health":
        part.health = [{ ...health(envelope.data as z.infer<(typeof ENVELOPES)["get_health"]>, nowMs, invalid), server }];
        break;
    }
  }
  part.source.ms = elapsed(started);
  return part;
}

/** Adds the server to each record in place: the records are zod's fresh copies, so nothing else holds them (and 20k spreads per tick cost GC time). */
function tagged<T extends object>(items: T[], server: string): (T & { server: string })[] {
  for (const item of items) (item as T & { server: string }).server = server;
  return items as (T & { server: string })[];
}

function health(data: z.infer<(typeof ENVELOPES)["get_health"]>, nowMs: number, invalid: Invalid): HealthReport {
  const tool = "get_health";
  const atMs = z.number().int().safeParse(data.atMs);
  if (!atMs.success) invalid.push({ tool, problem: `atMs: ${issuesText(atMs.error)}; using the snapshot's time` });
  return {
    atMs: atMs.success ? atMs.data : nowMs,
    regions: records(data, "regions", RegionHealthSchema, tool, invalid).sort(by((r) => `${r.cloud}/${r.region}`)),
    replicas: records(data, "replicas", ReplicaHealthSchema, tool, invalid).sort(by((r) => r.workloadId, (r) => r.location, (r) => r.instanceId)),
    interruptions: records(data, "interruptions", InterruptionNoticeSchema, tool, invalid).sort(by((n) => n.instanceId)),
    services: records(data, "services", ServiceHealthSchema, tool, invalid).sort(by((s) => s.workloadId)),
  };
}

/** The records of `data[key]` that pass `schema`; each one that fails is listed in `invalid` (up to a cap). */
function records<K extends string, S extends z.ZodType>(data: { [k in K]: unknown[] }, key: K, schema: S, tool: string, invalid: Invalid): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  let dropped = 0;
  data[key].forEach((record, index) => {
    const parsed = schema.safeParse(record);
    if (parsed.success) {
      out.push(parsed.data);
      return;
    }
    dropped++;
    if (dropped <= MAX_INVALID_LISTED) invalid.push({ tool, problem: `${key} ${recordName(record, index)} dropped: ${issuesText(parsed.error)}` });
  });
  if (dropped > MAX_INVALID_LISTED) invalid.push({ tool, problem: `${dropped - MAX_INVALID_LISTED} more ${key} dropped (${dropped} in all)` });
  return out;
}

/** A record's id for a problem text: its id, instanceId or workloadId when it has one, else its index. */
function recordName(record: unknown, index: number): string {
  if (record !== null && typeof record === "object") {
    for (const key of ["id", "instanceId", "workloadId", "to"] as const) {
      const value = (record as Record<string, unknown>)[key];
      if (typeof value === "string" && value.length > 0) return JSON.stringify(value.slice(0, 80));
    }
    const cloud = (record as Record<string, unknown>).cloud;
    const region = (record as Record<string, unknown>).region;
    if (typeof cloud === "string" && typeof region === "string") return JSON.stringify(`${cloud}/${region}`.slice(0, 80));
  }
  return `#${index}`;
}

function issuesText(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`);
  if (error.issues.length > 3) shown.push(`and ${error.issues.length - 3} more`);
  return shown.join("; ");
}

// ------------------------------------------------------------------------------------------ egress

/**
 * Egress rows for every location a workload is deployed in: from the cache, or with one bulk
 * `get_egress_price` call (no `to`) per missing location, asked of the server that reported the
 * workload (else the first server that offers the tool). Complete rows are cached for good.
 */
async function gatherEgress(port: ObservePort, snapshot: Snapshot, cache: EgressMatrix): Promise<{ egress: EgressMatrix; problems: EgressProblem[] }> {
  const reporters = new Map<string, string[]>();
  for (const w of snapshot.workloads) {
    for (const d of w.deployments) {
      const list = reporters.get(d.location) ?? [];
      if (!list.includes(w.server)) list.push(w.server);
      reporters.set(d.location, list);
    }
  }
  const locations = [...reporters.keys()].sort();
  const pricing = snapshot.sources.filter((s) => s.ok && port.tool(s.server, "get_egress_price") !== undefined).map((s) => s.server);
  const problems: EgressProblem[] = [];
  const fetched = await Promise.all(
    locations
      .filter((from) => cache[from] === undefined)
      .map(async (from) => {
        const server = [...reporters.get(from)!, ...pricing].find((s) => pricing.includes(s)) ?? null;
        if (server === null) {
          problems.push({ from, server: null, problem: "no connected server offers get_egress_price" });
          return null;
        }
        const row = await egressRow(port, server, from, problems);
        return row === null ? null : ([from, row] as const);
      }),
  );
  for (const entry of fetched) {
    if (entry !== null && entry[1].complete) cache[entry[0]] = entry[1].row;
  }
  const egress: EgressMatrix = {};
  for (const from of locations) {
    const row = cache[from] ?? fetched.find((e) => e !== null && e[0] === from)?.[1].row;
    if (row !== undefined) egress[from] = row;
  }
  problems.sort(by((p) => p.from));
  return { egress, problems };
}

async function egressRow(port: ObservePort, server: string, from: string, problems: EgressProblem[]): Promise<{ row: EgressMatrix[string]; complete: boolean } | null> {
  const answer = await safeCall(port, server, "get_egress_price", { from });
  if (!answer.ok) {
    problems.push({ from, server, problem: answer.error });
    return null;
  }
  const envelope = EgressPricesEnvelope.safeParse(answer.structured);
  if (!envelope.success || envelope.data.from !== from) {
    const why = envelope.success ? `it answered for ${envelope.data.from}` : issuesText(envelope.error);
    problems.push({ from, server, problem: `not a bulk get_egress_price answer (${why}): the server must return prices to every region when \`to\` is omitted` });
    return null;
  }
  const row: EgressMatrix[string] = {};
  let complete = true;
  envelope.data.prices.forEach((entry, index) => {
    const parsed = EgressPriceEntrySchema.safeParse(entry);
    if (parsed.success) {
      row[parsed.data.to] = { usdPerGb: parsed.data.usdPerGb, transferGbPerSecond: parsed.data.transferGbPerSecond };
    } else {
      complete = false;
      problems.push({ from, server, problem: `price ${recordName(entry, index)} dropped: ${issuesText(parsed.error)}` });
    }
  });
  return { row, complete };
}

// ------------------------------------------------------------------------------------------ helpers

/** A port call that cannot throw: the hub never does, but a port is an interface and one cloud must not stop the tick. */
async function safeCall(port: ObservePort, server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
  try {
    return await port.call(server, tool, args);
  } catch (error) {
    return { ok: false, retryable: true, error: `${tool} threw: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function elapsed(started: number): number {
  return Math.max(0, Math.round((performance.now() - started) * 1000) / 1000);
}

/** A comparator over string keys, compared in order by code unit (not locale), for a deterministic order. */
function by<T>(...keys: ((item: T) => string)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const x = key(a);
      const y = key(b);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}
