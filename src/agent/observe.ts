import { z } from "zod";
import {
  CONTRACT,
  EgressPriceToSchema,
  LocationKeySchema,
  RegionHealthSchema,
  RevisionSchema,
  type EgressMatrix,
  type HealthReport,
  type Listing,
  type ListingToolName,
  type QuickCheck,
  type Snapshot,
  type SourceStatus,
} from "../domain/index.js";
import type { ToolCallResult, ToolPort } from "./hub.js";

/*
 * observe: one snapshot per tick from every tool server, with bulk calls (one per tool per server, never
 * one per workload), validated against the tool contract's schemas (src/domain/contract). Telemetry is
 * untrusted: a record that fails its schema (NaN, negative, absurd values) is dropped and listed in its
 * source's `invalid`; it never reaches a detector, so it can cause no action.
 *
 * With an `ObserveMemory`, observe uses incremental listing where a server offers it (src/domain/contract/
 * listing.ts): it keeps the records of each answer and, next tick, asks only for what changed
 * since, so a quiet tick transfers and validates the changes, not the fleet. The snapshot is the same as
 * a full listing's. Only the records that come in are validated (changed ones in full, accrued values
 * field by field); a record dropped as invalid stays listed in `invalid` each tick until it changes. A
 * delta that does not fit what observe holds (unknown keys, another base) is thrown away and the tool is
 * asked again in full, in the same tick.
 */

/**
 * The listing tools observe calls on each server that offers them, without arguments (the bulk form), in
 * the order their problems are listed. Which lists each answers, and how, is the contract's (`LISTS` below).
 */
export const OBSERVE_TOOLS = ["list_workloads", "list_instances", "get_health", "list_offers", "get_drift"] as const satisfies readonly ListingToolName[];
export type ObserveTool = (typeof OBSERVE_TOOLS)[number];

/** What observe needs from the hub: reading tools and server states. A `readOnlyPort(hub)` is enough. */
export type ObservePort = Pick<ToolPort, "tool" | "servers" | "call">;

export interface ObserveOptions {
  /**
   * Egress rows already known, by source location (`cloud/region` → destination → price): catalog data,
   * so observe adds each row once and never asks again. Hold one per daemon.
   */
  egressCache: EgressMatrix;
  /** The records of the previous answers, for incremental listing. Hold one per daemon; without it every call is a full listing. */
  memory?: ObserveMemory | undefined;
}

/** A record of an incrementally listed tool that failed its schema, as observe holds it. */
class Dropped {
  constructor(
    /** The record as it came, to check it again when its accruing fields move (null when it is not an object). */
    readonly raw: Record<string, unknown> | null,
    readonly problem: string,
  ) {}
}

/**
 * One record of an incrementally listed tool, as observe holds it: validated and tagged with its server
 * (the snapshot's own object, held as is), or Dropped.
 */
type Held = Record<string, unknown> | Dropped;

/**
 * Where observe holds one key's record, found by key once and then reached through the order: a tick's
 * merge touches each of 10,000s of records once instead of looking each up three or four times.
 */
interface Slot {
  readonly key: string;
  held: Held;
  /** The merge that last received this record in full (its number), to refuse a key sent twice. */
  received: number;
}

interface ToolMemory {
  revision: string;
  lists: Record<string, Map<string, Slot>>;
  /** Each list's slots in the snapshot's order (by code unit, of the key or the list's `orderOf`), kept from tick to tick and patched where keys come, go or move: no sort of 10,000s of records a tick. */
  order: Record<string, Slot[] | null>;
}

/** Numbers each merge (see `Slot.received`). */
let merges = 0;

/**
 * What observe keeps between ticks for incremental listing: per server and tool, the revision of the last
 * answer and its records. Hold one per daemon (like the egress cache) and pass it to every `observe`.
 */
export class ObserveMemory {
  private readonly tools = new Map<string, ToolMemory>();

  get(server: string, tool: IncrementalTool): ToolMemory | undefined {
    return this.tools.get(`${server}\u0000${tool}`);
  }

  set(server: string, tool: IncrementalTool, memory: ToolMemory | null): void {
    if (memory === null) this.tools.delete(`${server}\u0000${tool}`);
    else this.tools.set(`${server}\u0000${tool}`, memory);
  }

  /** Forgets everything (the next observe lists in full). */
  clear(): void {
    this.tools.clear();
  }
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

/**
 * An accruing field: its schema, and the contract's quick check that accepts only values the schema accepts
 * (most values of a tick, checked without zod; anything it does not accept goes to the schema).
 */
interface Accruing {
  schema: z.ZodType;
  quick: QuickCheck;
}

/** How each incrementally listed tool's keyed lists are read, derived once from its `listing` in the contract. */
interface ListDef {
  schema: z.ZodType<Record<string, unknown>>;
  /** The field that keys a record. */
  key: string;
  /** Fields a delta may move on their own (`delta.accrued`), with the schema of each. */
  accruing?: Record<string, Accruing>;
  /** The record's `atMs` is the answer's for records a delta leaves out. */
  atMsOfAnswer?: boolean;
  /** Records are parts of a report (health) rather than records of the snapshot: not tagged with their server. */
  untagged?: boolean;
  /**
   * The order the snapshot lists records in, as a string compared by code unit, when it is not the key's:
   * observe keeps its keys in that order between ticks, so the snapshot need not sort 10,000s of records a tick.
   */
  orderOf?: (record: Record<string, unknown>) => string;
}

/** Fields as one string that compares by code unit as the fields do in turn (ids hold no NUL). */
const orderOfFields =
  (fields: readonly string[]) =>
  (record: Record<string, unknown>): string =>
    fields.map((f) => String(record[f] ?? "")).join("\u0000");

/** The record schema of a keyed list: the element of that array in the tool's output schema. */
function recordSchema(output: z.ZodObject, list: string): z.ZodObject {
  const field = output.shape[list];
  if (!(field instanceof z.ZodArray) || !(field.element instanceof z.ZodObject)) throw new Error(`the contract's ${list} is not a list of records`);
  return field.element as z.ZodObject;
}

function listDefs(tool: ObserveTool): Record<string, ListDef> {
  const listing: Listing = CONTRACT[tool].listing;
  const outputSchema: z.ZodObject = CONTRACT[tool].outputSchema;
  const defs: Record<string, ListDef> = {};
  for (const [list, spec] of Object.entries(listing.lists)) {
    const schema = recordSchema(outputSchema, list);
    defs[list] = {
      schema: schema as z.ZodType<Record<string, unknown>>,
      key: spec.key,
      ...(spec.accruing === undefined
        ? {}
        : { accruing: Object.fromEntries(Object.entries(spec.accruing).map(([field, quick]) => [field, { schema: schema.shape[field] as z.ZodType, quick }])) }),
      ...(spec.atMsOfAnswer === true ? { atMsOfAnswer: true } : {}),
      ...(listing.report === true ? { untagged: true } : {}),
      ...(spec.orderOf !== undefined ? { orderOf: orderOfFields(spec.orderOf) } : {}),
    };
  }
  return defs;
}

/** Each listing tool's keyed lists, from the contract (once, at load: the merge reads them per record). */
const LISTS = Object.fromEntries(OBSERVE_TOOLS.map((tool) => [tool, listDefs(tool)])) as Record<ObserveTool, Record<string, ListDef>>;
type IncrementalTool = ObserveTool;
const isIncremental = (tool: ObserveTool): tool is IncrementalTool => tool in LISTS;

/**
 * A tool's answer, checked only for the lists it must carry (its keyed lists and those it gives whole, in the
 * output schema's order); records are checked one by one.
 */
function envelopeOf(tool: ObserveTool): z.ZodObject<Record<string, z.ZodArray<z.ZodUnknown>>> {
  const listing: Listing = CONTRACT[tool].listing;
  const outputSchema: z.ZodObject = CONTRACT[tool].outputSchema;
  const lists = new Set([...Object.keys(listing.lists), ...(listing.whole ?? [])]);
  return z.object(Object.fromEntries(Object.keys(outputSchema.shape).filter((f) => lists.has(f)).map((f) => [f, z.array(z.unknown())])));
}
const ENVELOPES = {
  list_workloads: envelopeOf("list_workloads"),
  list_instances: envelopeOf("list_instances"),
  // observe reads the report's time besides its lists (checked in `health`)
  get_health: z.object({ atMs: z.unknown() }).extend(envelopeOf("get_health").shape),
  // and whether the offer list is whole
  list_offers: envelopeOf("list_offers").extend({ truncated: z.boolean().optional() }),
  get_drift: envelopeOf("get_drift"),
} as const satisfies Record<ObserveTool, z.ZodType>;

/**
 * What a delta answer carries besides its records: its revision and `delta` (the base it answers, the keys
 * removed, the accrued columns). Checked by hand, not with zod: the accrued columns hold a value per record
 * of the fleet, each checked while merging; zod would copy them all once more.
 */
interface DeltaOf {
  revision: string;
  sinceRevision: string;
  removed: unknown;
  accrued: Record<string, unknown[]> | undefined;
}
function deltaOf(structured: Record<string, unknown>): DeltaOf | null {
  const { revision, delta } = structured;
  if (typeof revision !== "string" || revision.length === 0 || revision.length > 128 || delta === null || typeof delta !== "object") return null;
  const { sinceRevision, removed, accrued } = delta as Record<string, unknown>;
  if (typeof sinceRevision !== "string") return null;
  if (accrued !== undefined && (accrued === null || typeof accrued !== "object" || Object.values(accrued).some((column) => !Array.isArray(column)))) return null;
  return { revision, sinceRevision, removed, accrued: accrued as Record<string, unknown[]> | undefined };
}
const RevisionOf = z.object({ revision: RevisionSchema });
const AnswerAtMs = z.object({ atMs: z.number().int() });

/** The bulk form of `get_egress_price` (no `to`): prices from `from` to every region. */
const EgressPricesEnvelope = z.object({ from: LocationKeySchema, prices: z.array(z.unknown()) });
/** What observe needs of one row: the contract's, with a bound on the price and a finite bandwidth (the egress matrix has no null). */
const EgressPriceEntrySchema = EgressPriceToSchema.pick({ to: true }).extend({
  usdPerGb: EgressPriceToSchema.shape.usdPerGb.max(100, "absurd egress price: over 100 USD/GB"),
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
  const parts = await Promise.all(names.map((server) => observeServer(port, server, nowMs, options.memory)));
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

async function observeServer(port: ObservePort, server: string, nowMs: number, memory: ObserveMemory | undefined): Promise<ServerPart> {
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
  // incremental listing where the server takes sinceRevision and observe holds a previous answer
  const sinceOf = (tool: ObserveTool): string | undefined => {
    if (memory === undefined || !isIncremental(tool)) return undefined;
    const properties = (port.tool(server, tool)?.inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
    return properties !== undefined && "sinceRevision" in properties ? memory.get(server, tool)?.revision : undefined;
  };
  const answers = await Promise.all(
    offered.map(async (tool) => {
      const since = sinceOf(tool);
      return [tool, await safeCall(port, server, tool, since === undefined ? {} : { sinceRevision: since }), since] as const;
    }),
  );

  const failures = answers.filter(([, r]) => !r.ok).map(([tool, r]) => `${tool}: ${(r as Extract<ToolCallResult, { ok: false }>).error}`);
  if (failures.length > 0) return fail(failures.join("; "));

  const invalid = part.source.invalid;
  for (const [tool, first, since] of answers) {
    let answer = first as Extract<ToolCallResult, { ok: true }>;
    let envelope = ENVELOPES[tool].safeParse(answer.structured);
    let lists: Record<string, Record<string, unknown>[]> | null = null;
    let problems: Invalid = [];
    if (envelope.success && isIncremental(tool) && memory !== undefined && answer.structured["delta"] !== undefined) {
      lists = merge(tool, server, answer.structured, since, memory, problems);
      if (lists === null) {
        // a delta that does not fit what observe holds: ask again in full
        memory.set(server, tool, null);
        problems = [];
        const again = await safeCall(port, server, tool, {});
        if (!again.ok) return fail(`${tool}: ${again.error}`);
        answer = again;
        envelope = ENVELOPES[tool].safeParse(answer.structured);
      }
    }
    if (!envelope.success) {
      if (isIncremental(tool)) memory?.set(server, tool, null);
      invalid.push({ tool, problem: `whole response rejected: ${issuesText(envelope.error)}` });
      return fail(`${tool}: the response does not match the tool contract (${issuesText(envelope.error)})`);
    }
    if (lists === null && isIncremental(tool)) lists = full(tool, server, answer.structured, memory, problems);
    switch (tool) {
      case "list_workloads":
        invalid.push(...problems);
        part.workloads = lists!["workloads"] as ServerPart["workloads"];
        break;
      case "list_instances":
        invalid.push(...problems);
        part.instances = lists!["instances"] as ServerPart["instances"];
        break;
      case "list_offers":
        invalid.push(...problems);
        part.offers = lists!["offers"] as ServerPart["offers"];
        if ((envelope.data as { truncated?: boolean }).truncated === true) invalid.push({ tool, problem: "the offer list is truncated: some offers are missing" });
        break;
      case "get_drift":
        invalid.push(...problems);
        part.drift = lists!["reports"] as ServerPart["drift"];
        break;
      case "get_health":
        part.health = [{ ...health(envelope.data as { atMs: unknown; regions: unknown[] }, lists!, problems, nowMs, invalid), server }];
        break;
    }
  }
  part.source.ms = elapsed(started);
  return part;
}

// ------------------------------------------------------------------------------------------ keyed lists

/**
 * A full answer's keyed lists: every record validated (the invalid ones listed in `invalid`), in the
 * server's order. With `memory`, the records are kept for the next tick's delta when the answer carries a
 * revision and every record has a key of its own; otherwise that tool's memory is cleared.
 */
function full(tool: IncrementalTool, server: string, structured: Record<string, unknown>, memory: ObserveMemory | undefined, invalid: Invalid): Record<string, Record<string, unknown>[]> {
  const defs = LISTS[tool] as Record<string, ListDef>;
  const out: Record<string, Record<string, unknown>[]> = {};
  const kept: Record<string, Map<string, Slot>> = {};
  let keyed = memory !== undefined;
  for (const [list, def] of Object.entries(defs)) {
    const items = structured[list] as unknown[];
    const valid: Record<string, unknown>[] = [];
    const entries = new Map<string, Slot>();
    const dropped = { count: 0 };
    items.forEach((item, index) => {
      const held = check(def, item, server, () => `${list} ${recordName(item, index)}`);
      if (held instanceof Dropped) note(dropped, invalid, tool, held.problem);
      else valid.push(held);
      if (!keyed) return;
      const key = keyOf(item, def);
      if (key === null || entries.has(key)) keyed = false;
      else entries.set(key, { key, held, received: 0 });
    });
    summed(dropped, invalid, tool, list);
    out[list] = valid;
    kept[list] = entries;
  }
  if (memory !== undefined) {
    const revision = RevisionOf.safeParse(structured);
    memory.set(server, tool, keyed && revision.success ? { revision: revision.data.revision, lists: kept, order: {} } : null);
  }
  return out;
}

/**
 * A delta answer merged into what observe holds: its lists, or null when the delta does not fit (another
 * base, keys observe does not hold, values that do not line up); what observe holds is then unusable.
 */
function merge(
  tool: IncrementalTool,
  server: string,
  structured: Record<string, unknown>,
  since: string | undefined,
  memory: ObserveMemory,
  invalid: Invalid,
): Record<string, Record<string, unknown>[]> | null {
  const held = memory.get(server, tool);
  const delta = deltaOf(structured);
  if (held === undefined || since === undefined || delta === null || delta.sinceRevision !== since || held.revision !== since) return null;
  const defs = LISTS[tool] as Record<string, ListDef>;
  const { removed, accrued } = delta;
  const atMs = AnswerAtMs.safeParse(structured);
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [list, def] of Object.entries(defs)) {
    const entries = held.lists[list];
    if (entries === undefined) return null;
    const gone = Object.keys(defs).length === 1 ? removed : (removed as Record<string, unknown> | null)?.[list];
    if (!Array.isArray(gone)) return null;
    // slots that leave their place in the order (gone, or moved by a change of `orderOf`) and slots that take one
    const leaving = new Set<Slot>();
    const placed: Slot[] = [];
    for (const key of gone) {
      const slot = typeof key === "string" ? entries.get(key) : undefined;
      if (slot === undefined) return null;
      entries.delete(slot.key);
      leaving.add(slot);
    }
    const merge = ++merges;
    const items = structured[list] as unknown[];
    for (const [index, item] of items.entries()) {
      const key = keyOf(item, def);
      if (key === null) return null;
      const next = check(def, item, server, () => `${list} ${recordName(item, index)}`);
      let slot = entries.get(key);
      if (slot === undefined) {
        slot = { key, held: next, received: merge };
        entries.set(key, slot);
        placed.push(slot);
        continue;
      }
      if (slot.received === merge) return null;
      slot.received = merge;
      if (def.orderOf !== undefined && orderOfHeld(def, slot.held) !== orderOfHeld(def, next)) {
        // the same key at another place: a slot of its own, so the old one can leave the order
        leaving.add(slot);
        slot = { key, held: next, received: merge };
        entries.set(key, slot);
        placed.push(slot);
      } else slot.held = next;
    }
    if (def.accruing !== undefined && accrued !== undefined) {
      const ids = accrued["ids"];
      const columns = Object.entries(def.accruing).map(([field, check]) => ({ field, check, values: accrued[field] }));
      if (ids === undefined || columns.some((c) => c.values === undefined || c.values.length !== ids.length)) return null;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        const slot = typeof id === "string" ? entries.get(id) : undefined;
        if (slot === undefined || slot.received === merge) return null;
        slot.held = accrue(def, slot.held, columns, i, server, () => `${list} ${JSON.stringify((id as string).slice(0, 80))}`);
      }
    }
    if (def.atMsOfAnswer === true) {
      if (!atMs.success) return null;
      for (const slot of entries.values()) {
        const entry = slot.held;
        if (slot.received === merge || entry instanceof Dropped || entry["atMs"] === atMs.data.atMs) continue;
        slot.held = { ...entry, atMs: atMs.data.atMs };
      }
    }
    const before = held.order[list];
    const order = (held.order[list] = before == null ? orderedSlots(entries, def) : leaving.size + placed.length === 0 ? before : reordered(before, leaving, placed, entries, def));
    const valid: Record<string, unknown>[] = [];
    const dropped = { count: 0 };
    for (const slot of order) {
      const entry = slot.held;
      if (entry instanceof Dropped) note(dropped, invalid, tool, entry.problem);
      else valid.push(entry);
    }
    summed(dropped, invalid, tool, list);
    out[list] = valid;
  }
  held.revision = delta.revision;
  return out;
}

/**
 * A record checked against its list's schema: tagged with its server, or its problem as `invalid` lists it
 * (`name` names the record there; only built for a record that fails).
 */
function check(def: ListDef, item: unknown, server: string, name: () => string): Held {
  const parsed = def.schema.safeParse(item);
  if (parsed.success) {
    const record = parsed.data;
    if (def.untagged !== true) record["server"] = server; // zod's fresh copy: nothing else holds it
    return record;
  }
  return new Dropped(item !== null && typeof item === "object" ? (item as Record<string, unknown>) : null, `${name()} dropped: ${issuesText(parsed.error)}`);
}

/**
 * A held record with the new values of its accruing fields (row `i` of `columns`): checked field by field on
 * a valid record, the whole record again on an invalid one. The same object when nothing changed.
 */
function accrue(def: ListDef, entry: Held, columns: readonly { field: string; check: Accruing; values: unknown[] | undefined }[], i: number, server: string, name: () => string): Held {
  if (!(entry instanceof Dropped)) {
    const record = entry;
    let next: Record<string, unknown> | null = null;
    for (const { field, check, values } of columns) {
      const value = values![i];
      if (record[field] === value) continue;
      if (!check.quick(value)) {
        const parsed = check.schema.safeParse(value);
        if (!parsed.success) {
          const { server: _server, ...raw } = record;
          for (const c of columns) raw[c.field] = c.values![i];
          return new Dropped(raw, `${name()} dropped: ${issuesText(parsed.error, field)}`);
        }
      }
      next ??= { ...record };
      next[field] = value;
    }
    // a new object, not the old one changed: earlier snapshots keep what they saw
    return next ?? record;
  }
  if (entry.raw === null) return entry;
  const raw = { ...entry.raw };
  for (const c of columns) raw[c.field] = c.values![i];
  return check(def, raw, server, name);
}

/** Where a held record goes in the snapshot's order (a dropped one by what it came with). */
function orderOfHeld(def: ListDef, held: Held): string {
  return def.orderOf!(held instanceof Dropped ? (held.raw ?? {}) : held);
}

/** Where a slot goes in the snapshot's order: by the list's `orderOf`, else by its key. */
function placeOf(def: ListDef, slot: Slot): string {
  return def.orderOf === undefined ? slot.key : orderOfHeld(def, slot.held);
}

/** The slots of `entries` in the snapshot's order, by code unit. */
function orderedSlots(entries: Map<string, Slot>, def: ListDef): Slot[] {
  const slots = [...entries.values()];
  if (def.orderOf === undefined) return slots.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const at = new Map<Slot, string>();
  for (const slot of slots) at.set(slot, orderOfHeld(def, slot.held));
  return slots.sort((a, b) => {
    const x = at.get(a)!;
    const y = at.get(b)!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * `order` with the slots in `out` taken away and those in `placed` put in their places: the same slots in
 * the same order as `orderedSlots` would give (keys are unique and `orderOf` ends with the key, so a tie is
 * rare and sorted afresh), without sorting the fleet again for a few launches and ends a tick. Many
 * changes at once are sorted afresh too.
 */
function reordered(order: Slot[], out: ReadonlySet<Slot>, placed: readonly Slot[], entries: Map<string, Slot>, def: ListDef): Slot[] {
  if (out.size + placed.length > 64 + order.length / 16) return orderedSlots(entries, def);
  const slots = out.size === 0 ? order : order.filter((slot) => !out.has(slot));
  for (const slot of placed) {
    const value = placeOf(def, slot);
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (placeOf(def, slots[mid]!) < value) lo = mid + 1;
      else hi = mid;
    }
    // a tie (records that carry no fields to order by) is ordered as the full sort has it
    if ((lo < slots.length && placeOf(def, slots[lo]!) === value) || (lo > 0 && placeOf(def, slots[lo - 1]!) === value)) return orderedSlots(entries, def);
    slots.splice(lo, 0, slot);
  }
  return slots;
}

function keyOf(item: unknown, def: ListDef): string | null {
  const key = item !== null && typeof item === "object" ? (item as Record<string, unknown>)[def.key] : undefined;
  return typeof key === "string" ? key : null;
}

/** Lists one dropped record (up to the cap). */
function note(dropped: { count: number }, invalid: Invalid, tool: string, problem: string): void {
  dropped.count++;
  if (dropped.count <= MAX_INVALID_LISTED) invalid.push({ tool, problem });
}

/** Counts the dropped records past the cap in one entry. */
function summed(dropped: { count: number }, invalid: Invalid, tool: string, key: string): void {
  if (dropped.count > MAX_INVALID_LISTED) invalid.push({ tool, problem: `${dropped.count - MAX_INVALID_LISTED} more ${key} dropped (${dropped.count} in all)` });
}

/**
 * A health report from its answer (time, regions) and its keyed lists (replicas, notices, services),
 * already validated, whose problems (`listProblems`) are listed after the regions', as the answer has them.
 */
function health(data: { atMs: unknown; regions: unknown[] }, lists: Record<string, Record<string, unknown>[]>, listProblems: Invalid, nowMs: number, invalid: Invalid): HealthReport {
  const tool = "get_health";
  const atMs = z.number().int().safeParse(data.atMs);
  if (!atMs.success) invalid.push({ tool, problem: `atMs: ${issuesText(atMs.error)}; using the snapshot's time` });
  const regions = records(data, "regions", RegionHealthSchema, tool, invalid).sort(by((r) => `${r.cloud}/${r.region}`));
  invalid.push(...listProblems);
  // the lists are sorted copies: what observe holds for the next delta keeps its own order
  return {
    atMs: atMs.success ? atMs.data : nowMs,
    regions,
    replicas: sorted(lists["replicas"] as HealthReport["replicas"], by((r) => r.workloadId, (r) => r.location, (r) => r.instanceId)),
    interruptions: sorted(lists["interruptions"] as HealthReport["interruptions"], by((n) => n.instanceId)),
    services: sorted(lists["services"] as HealthReport["services"], by((s) => s.workloadId)),
  };
}

/** `xs` in `compare`'s order: as they are when they already are (a delta's lists come in order), else sorted in place. */
function sorted<T>(xs: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < xs.length; i++) if (compare(xs[i - 1]!, xs[i]!) > 0) return xs.sort(compare);
  return xs;
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

function issuesText(error: z.ZodError, field?: string): string {
  const shown = error.issues.slice(0, 3).map((i) => {
    const path = field !== undefined ? [field, ...i.path] : i.path;
    return `${path.length > 0 ? `${path.join(".")}: ` : ""}${i.message}`;
  });
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
    return { ok: false, code: "unavailable", error: `${tool} threw: ${error instanceof Error ? error.message : String(error)}` };
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
