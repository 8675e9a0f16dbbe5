import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ERROR_CODES,
  ERROR_META_KEY,
  GENERAL_ERRORS,
  ToolErrorSchema,
  type AnyContractTool,
  type Listing,
  type ToolErrorCode,
  type ToolName,
} from "../../src/domain/index.js";

/*
 * The contract suite: what every tool server of skyops must do (DESIGN.md, "Tool contract";
 * src/domain/contract), checked over a real MCP client. It is parameterised by a target — a factory of
 * connected sessions on fresh worlds, the profile of tools the server offers, and per tool the arguments of
 * a call that succeeds and of one the server refuses. Everything that is one server's own (its world, its
 * ids, how to move its clock) lives in the target; the checks know only the contract, so every cloud server
 * passes the same suite unchanged.
 *
 * Each check returns its problems, one sentence each naming the tool and what is wrong, so a server that
 * breaks the contract fails with messages that say what to mend (test/contract/incomplete.test.ts holds a
 * deliberately incomplete server to them).
 */

/** One client session on a fresh world. */
export interface Session {
  /** Connected, with the server's tools not yet listed. */
  client: Client;
  /** Moves the world's clock (a simulator; a fake cloud). Without it the suite changes the world only by calls. */
  advance?: ((ms: number) => void) | undefined;
  close(): Promise<void>;
}

/** What a sample's arguments may be built with: the session (to set the world up first) and its clock. */
export interface SampleContext {
  call(tool: string, args: Record<string, unknown>): Promise<CallToolResult>;
  advance?: ((ms: number) => void) | undefined;
}

export interface ToolSamples {
  /** Arguments of a call that succeeds (changing tools: with an idempotencyKey), after setting the world up if need be. */
  call: (ctx: SampleContext) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Changing tools: the same idempotencyKey with other arguments (the server must refuse it). */
  otherArgs?: (args: Record<string, unknown>) => Record<string, unknown>;
  /** Arguments the input schema accepts and the server refuses, and the code it must answer with. */
  refused: { args: Record<string, unknown>; code: ToolErrorCode };
}

export interface ContractTarget {
  /** The server's name in test titles. */
  name: string;
  /** The tools it offers (src/domain/contract's PROFILES). */
  profile: readonly AnyContractTool[];
  /** A fresh world and a new session on it; `readOnly`: the server in read-only mode. */
  open(options?: { readOnly?: boolean }): Promise<Session>;
  /** Per tool of the profile. */
  samples: Partial<Record<ToolName, ToolSamples>>;
}

// ------------------------------------------------------------------------------------------ the checks

const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

/** The JSON schema a server lists for a zod schema of the contract (what the MCP SDK sends for zod 4). */
export function listedJsonSchema(schema: z.ZodType, io: "input" | "output"): unknown {
  return JSON.parse(JSON.stringify(z.toJSONSchema(schema, { target: "draft-7", io }))) as unknown;
}

/** Every tool of the profile is listed with the contract's title, description, schemas and four hints. */
export async function checkToolList(target: ContractTarget): Promise<string[]> {
  return withSession(target, {}, async (session) => {
    const problems: string[] = [];
    const listed = new Map((await session.client.listTools()).tools.map((t) => [t.name, t]));
    for (const tool of target.profile) {
      const t = listed.get(tool.name);
      if (t === undefined) {
        problems.push(`${tool.name}: missing (the profile offers it)`);
        continue;
      }
      if (t.title !== tool.title) problems.push(`${tool.name}: title is ${JSON.stringify(t.title)}, the contract's is ${JSON.stringify(tool.title)}`);
      if (t.description !== tool.description) problems.push(`${tool.name}: description differs from the contract's`);
      const input = difference(t.inputSchema, listedJsonSchema(tool.inputSchema, "input"), AS_LISTED);
      if (input !== null) problems.push(`${tool.name}: inputSchema differs from the contract's at ${input}`);
      const output = t.outputSchema === undefined ? "(root) (not listed)" : difference(t.outputSchema, listedJsonSchema(tool.outputSchema, "output"), AS_LISTED);
      if (output !== null) problems.push(`${tool.name}: outputSchema differs from the contract's at ${output}`);
      for (const hint of HINTS) {
        const value = t.annotations?.[hint];
        if (value !== tool.annotations[hint]) problems.push(`${tool.name}: annotation ${hint} is ${String(value)}, the contract says ${tool.annotations[hint]}`);
      }
    }
    return problems;
  });
}

/** In read-only mode the server lists exactly the profile's tools whose readOnlyHint is true. */
export async function checkReadOnlyMode(target: ContractTarget): Promise<string[]> {
  return withSession(target, { readOnly: true }, async (session) => {
    const listed = new Set((await session.client.listTools()).tools.map((t) => t.name));
    const problems: string[] = [];
    for (const tool of target.profile) {
      if (tool.annotations.readOnlyHint && !listed.has(tool.name)) problems.push(`read-only mode: ${tool.name} is missing, though it only reads`);
      if (!tool.annotations.readOnlyHint && listed.has(tool.name)) problems.push(`read-only mode: ${tool.name} is listed, though it changes the world`);
    }
    return problems;
  });
}

/** Arguments the input schema refuses (an unknown one; none where some are required) are a protocol error, -32602, and change nothing. */
export async function checkMalformedArguments(target: ContractTarget): Promise<string[]> {
  return withSession(target, {}, async (session) => {
    const problems: string[] = [];
    const before = await listings(session, target);
    for (const tool of target.profile) {
      const required = (listedJsonSchema(tool.inputSchema, "input") as { required?: string[] }).required ?? [];
      const cases: [string, Record<string, unknown>][] = [["an unknown argument", { "not-an-argument": true }]];
      if (required.length > 0) cases.push(["no arguments", {}]);
      for (const [what, args] of cases) {
        const answer = await rawCall(session.client, tool.name, args);
        if (!isProtocolError(answer, -32602)) problems.push(`${tool.name}: ${what} is not refused with a protocol error -32602 (${describeAnswer(answer)})`);
      }
    }
    const after = await listings(session, target);
    for (const changed of changedListings(before, after)) problems.push(`malformed calls changed the world (${changed} answers differently)`);
    return problems;
  });
}

/** A call the server refuses answers isError with a typed code the tool may answer, and changes nothing. */
export async function checkRefusals(target: ContractTarget): Promise<string[]> {
  return withSession(target, {}, async (session) => {
    const problems: string[] = [];
    for (const tool of target.profile) {
      const sample = target.samples[tool.name as ToolName];
      if (sample === undefined) {
        problems.push(`${tool.name}: the target gives no sample to refuse`);
        continue;
      }
      const before = await listings(session, target);
      const answer = await rawCall(session.client, tool.name, sample.refused.args);
      if (!("isError" in answer) || answer.isError !== true) {
        problems.push(`${tool.name}: a call it should refuse (${JSON.stringify(sample.refused.args)}) answered ${describeAnswer(answer)}`);
        continue;
      }
      const typed = ToolErrorSchema.safeParse(answer._meta?.[ERROR_META_KEY]);
      if (!typed.success) {
        const why = answer._meta?.[ERROR_META_KEY] === undefined ? "is missing" : `is not one: ${issues(typed.error)}`;
        problems.push(`${tool.name}: its error result carries no typed error (_meta["${ERROR_META_KEY}"] ${why})`);
      }
      else {
        const { code, retryable } = typed.data;
        if (code !== sample.refused.code) problems.push(`${tool.name}: refused with code ${code}, expected ${sample.refused.code}`);
        if (!tool.errors.includes(code) && !(GENERAL_ERRORS as readonly string[]).includes(code)) problems.push(`${tool.name}: answered code ${code}, which its definition does not list`);
        if (retryable !== ERROR_CODES[code].retryable) problems.push(`${tool.name}: says ${code} is ${retryable ? "" : "not "}retryable; the contract says it is ${ERROR_CODES[code].retryable ? "" : "not "}`);
      }
      if (textOf(answer).length === 0) problems.push(`${tool.name}: its error result has no text for people`);
      const after = await listings(session, target);
      for (const changed of changedListings(before, after)) problems.push(`${tool.name}: a refused call changed the world (${changed} answers differently)`);
    }
    return problems;
  });
}

/** A call that succeeds answers structuredContent that parses with the tool's output schema, and a text. */
export async function checkAnswers(target: ContractTarget): Promise<string[]> {
  const problems: string[] = [];
  for (const tool of target.profile) {
    const sample = target.samples[tool.name as ToolName];
    if (sample === undefined) {
      problems.push(`${tool.name}: the target gives no sample call`);
      continue;
    }
    problems.push(
      ...(await withSession(target, {}, async (session) => {
        const args = await sample.call(sampleContext(session));
        const answer = await rawCall(session.client, tool.name, args);
        const failed = answerProblem(tool, answer);
        return failed === null ? [] : [failed];
      })),
    );
  }
  return problems;
}

/** Changing tools: the same idempotencyKey twice answers the same and has one effect; with other arguments it is refused with idempotency-mismatch. */
export async function checkIdempotency(target: ContractTarget): Promise<string[]> {
  const problems: string[] = [];
  for (const tool of target.profile.filter((t) => !t.annotations.readOnlyHint)) {
    const sample = target.samples[tool.name as ToolName];
    if (sample?.otherArgs === undefined) {
      problems.push(`${tool.name}: the target gives no sample call with other arguments`);
      continue;
    }
    problems.push(
      ...(await withSession(target, {}, async (session) => {
        const found: string[] = [];
        const args = await sample.call(sampleContext(session));
        const first = await rawCall(session.client, tool.name, args);
        const failed = answerProblem(tool, first);
        if (failed !== null) return [failed];
        const once = await listings(session, target);
        const again = await rawCall(session.client, tool.name, args);
        if (answerProblem(tool, again) !== null || !same(withoutTime((again as CallToolResult).structuredContent), withoutTime((first as CallToolResult).structuredContent))) {
          found.push(`${tool.name}: the same idempotencyKey twice answered differently`);
        }
        const twice = await listings(session, target);
        for (const changed of changedListings(once, twice)) found.push(`${tool.name}: the same idempotencyKey twice had two effects (${changed} answers differently after the repeat)`);
        const other = await rawCall(session.client, tool.name, sample.otherArgs!(args));
        const code = "isError" in other && other.isError === true ? ToolErrorSchema.safeParse(other._meta?.[ERROR_META_KEY]).data?.code : undefined;
        if (code !== "idempotency-mismatch") found.push(`${tool.name}: the same idempotencyKey with other arguments answered ${code ?? describeAnswer(other)}, not idempotency-mismatch`);
        for (const changed of changedListings(twice, await listings(session, target))) found.push(`${tool.name}: the same idempotencyKey with other arguments changed the world (${changed} answers differently)`);
        return found;
      })),
    );
  }
  return problems;
}

/**
 * Listing tools: a full answer carries a revision; deltas asked with `sinceRevision`, applied in turn to the
 * full answer as the contract says (src/domain/contract/listing.ts), give what a fresh full listing gives,
 * after the world changed (every changing sample, and the clock where the target can move it).
 */
export async function checkIncrementalListing(target: ContractTarget): Promise<string[]> {
  const tools = target.profile.filter((t): t is AnyContractTool & { listing: Listing } => t.listing !== null);
  return withSession(target, {}, async (session) => {
    const problems: string[] = [];
    const held = new Map<string, Record<string, unknown>>();
    for (const tool of tools) {
      const answer = await rawCall(session.client, tool.name, {});
      const failed = answerProblem(tool, answer);
      if (failed !== null) problems.push(failed);
      else if (typeof (answer as CallToolResult).structuredContent?.["revision"] !== "string") problems.push(`${tool.name}: a full listing carries no revision`);
      else held.set(tool.name, (answer as CallToolResult).structuredContent!);
    }
    const ctx = sampleContext(session);
    const rounds: (() => Promise<void>)[] = [
      async () => {
        for (const tool of target.profile.filter((t) => !t.annotations.readOnlyHint)) {
          const sample = target.samples[tool.name as ToolName];
          if (sample !== undefined) await ctx.call(tool.name, await sample.call(ctx));
        }
        session.advance?.(10 * 60_000);
      },
      async () => session.advance?.(30 * 60_000),
    ];
    for (const [round, change] of rounds.entries()) {
      await change();
      for (const tool of tools) {
        const previous = held.get(tool.name);
        if (previous === undefined) continue;
        const answer = await rawCall(session.client, tool.name, { sinceRevision: previous["revision"] });
        const failed = answerProblem(tool, answer);
        if (failed !== null) {
          problems.push(failed);
          held.delete(tool.name);
          continue;
        }
        const applied = applyAnswer(tool.listing, previous, (answer as CallToolResult).structuredContent!);
        if (typeof applied === "string") {
          problems.push(`${tool.name}: delta ${round + 1} does not fit the answer before it: ${applied}`);
          held.delete(tool.name);
        } else held.set(tool.name, applied);
      }
    }
    for (const tool of tools) {
      const merged = held.get(tool.name);
      if (merged === undefined) continue;
      const full = await rawCall(session.client, tool.name, {});
      if (answerProblem(tool, full) !== null) continue;
      const differs = listingDifference(tool.listing, merged, (full as CallToolResult).structuredContent!);
      if (differs !== null) problems.push(`${tool.name}: deltas applied to the full answer differ from a full listing: ${differs}`);
    }
    return problems;
  });
}

/** The checks, by what each shows, for `describeContract` and the meta-test. */
export const CHECKS = {
  "lists every tool of its profile with the contract's schemas and all four annotations": checkToolList,
  "lists only the read-only tools in read-only mode": checkReadOnlyMode,
  "answers malformed arguments with a protocol error and changes nothing": checkMalformedArguments,
  "answers a refused call with a typed error code and leaves the world unchanged": checkRefusals,
  "answers every tool with structuredContent that parses with its output schema": checkAnswers,
  "has one effect for the same idempotencyKey twice and refuses it with other arguments": checkIdempotency,
  "gives deltas that, applied to the previous answer, equal a fresh full listing": checkIncrementalListing,
} as const satisfies Record<string, (target: ContractTarget) => Promise<string[]>>;

/** The suite as vitest tests: one per check, failing with the list of problems. */
export function describeContract(target: ContractTarget): void {
  describe(`${target.name} keeps the tool contract`, () => {
    for (const [shows, check] of Object.entries(CHECKS)) {
      it(shows, async () => {
        const problems = await check(target);
        expect(problems, problems.join("\n")).toEqual([]);
      }, 60_000);
    }
  });
}

// ------------------------------------------------------------------------------------------ calls

type Answer = CallToolResult | { protocolError: number; message: string };

async function withSession<T>(target: ContractTarget, options: { readOnly?: boolean }, body: (session: Session) => Promise<T>): Promise<T> {
  const session = await target.open(options);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

/** A call as sent: no client-side validation of structuredContent (the suite validates against the contract itself). */
async function rawCall(client: Client, name: string, args: Record<string, unknown>): Promise<Answer> {
  try {
    return await client.request({ method: "tools/call", params: { name, arguments: args } }, CallToolResultSchema);
  } catch (error) {
    if (error instanceof McpError) return { protocolError: error.code, message: error.message };
    throw error;
  }
}

function sampleContext(session: Session): SampleContext {
  return { call: async (tool, args) => (await session.client.request({ method: "tools/call", params: { name: tool, arguments: args } }, CallToolResultSchema)) as CallToolResult, advance: session.advance };
}

/** A protocol error with `code`: a JSON-RPC error, or the SDK's error result for one (`MCP error -32602: …`, no typed code). */
function isProtocolError(answer: Answer, code: number): boolean {
  if ("protocolError" in answer) return answer.protocolError === code;
  return answer.isError === true && textOf(answer).startsWith(`MCP error ${code}:`) && answer._meta?.[ERROR_META_KEY] === undefined;
}

function textOf(answer: CallToolResult): string {
  const first = answer.content[0];
  return first?.type === "text" ? first.text : "";
}

function describeAnswer(answer: Answer): string {
  if ("protocolError" in answer) return `protocol error ${answer.protocolError}`;
  if (answer.isError === true) return `an error result: ${JSON.stringify(textOf(answer).slice(0, 120))}`;
  return "a success";
}

/** What is wrong with an answer to a call that should succeed, or null. */
function answerProblem(tool: AnyContractTool, answer: Answer): string | null {
  if ("protocolError" in answer || answer.isError === true) return `${tool.name}: a call that should succeed answered ${describeAnswer(answer)}`;
  const parsed = (tool.outputSchema as z.ZodType).safeParse(answer.structuredContent);
  if (!parsed.success) return `${tool.name}: structuredContent breaks its output schema: ${issues(parsed.error)}`;
  if (textOf(answer).length === 0) return `${tool.name}: its answer has no text for people`;
  return null;
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 2)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

// ------------------------------------------------------------------------------------------ the world, seen through listings

/** What the profile's listing tools answer in full now: the world as a client sees it. */
async function listings(session: Session, target: ContractTarget): Promise<Map<string, unknown>> {
  const seen = new Map<string, unknown>();
  for (const tool of target.profile.filter((t) => t.listing !== null)) {
    const answer = await rawCall(session.client, tool.name, {});
    seen.set(tool.name, "structuredContent" in answer ? withoutRevision(answer.structuredContent) : describeAnswer(answer));
  }
  return seen;
}

function changedListings(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  return [...before.keys()].filter((tool) => !same(before.get(tool), after.get(tool)));
}

function withoutRevision(value: Record<string, unknown> | undefined): unknown {
  if (value === undefined) return undefined;
  const { revision: _revision, ...rest } = value;
  return rest;
}

function withoutTime(value: Record<string, unknown> | undefined): unknown {
  if (value === undefined) return undefined;
  const { atMs: _atMs, ...rest } = value;
  return rest;
}

/**
 * An answer applied to the one before it, as the contract says: a full answer stands alone; a delta's keyed
 * lists replace or add records by key, `delta.removed` drops keys, `delta.accrued` moves the accruing fields,
 * and records left out keep their fields (their `atMs` becomes the answer's where the list says so). Returns
 * the listing it stands for, or what does not fit.
 */
function applyAnswer(listing: Listing, previous: Record<string, unknown>, answer: Record<string, unknown>): Record<string, unknown> | string {
  const delta = answer["delta"] as { sinceRevision?: unknown; removed?: unknown; accrued?: Record<string, unknown[]> } | undefined;
  const { delta: _delta, ...out } = answer;
  if (delta === undefined) return out;
  if (delta.sinceRevision !== previous["revision"]) return `delta.sinceRevision is ${JSON.stringify(delta.sinceRevision)}, not the previous answer's revision`;
  const lists = Object.entries(listing.lists);
  for (const [list, spec] of lists) {
    const held = new Map((previous[list] as Record<string, unknown>[]).map((r) => [r[spec.key] as string, r]));
    const removed = lists.length === 1 ? delta.removed : (delta.removed as Record<string, unknown> | undefined)?.[list];
    if (!Array.isArray(removed)) return `delta.removed${lists.length === 1 ? "" : `.${list}`} is not a list of keys`;
    for (const key of removed) {
      if (!held.delete(key as string)) return `delta.removed names ${JSON.stringify(key)}, which ${list} did not hold`;
    }
    const changed = answer[list] as Record<string, unknown>[];
    const changedKeys = new Set(changed.map((r) => r[spec.key] as string));
    if (spec.accruing !== undefined && delta.accrued !== undefined) {
      const ids = delta.accrued["ids"] ?? [];
      for (const [i, id] of ids.entries()) {
        const record = held.get(id as string);
        if (record === undefined || changedKeys.has(id as string)) return `delta.accrued names ${JSON.stringify(id)}, which ${list} did not hold or also changed`;
        const next = { ...record };
        for (const field of Object.keys(spec.accruing)) next[field] = delta.accrued[field]?.[i];
        held.set(id as string, next);
      }
    }
    if (spec.atMsOfAnswer === true) for (const [key, record] of held) if (!changedKeys.has(key)) held.set(key, { ...record, atMs: answer["atMs"] });
    for (const record of changed) held.set(record[spec.key] as string, record);
    out[list] = [...held.values()];
  }
  return out;
}

/** Where a listing applied from deltas differs from a full one (lists compared by key, numbers to 1e-9), or null. */
function listingDifference(listing: Listing, merged: Record<string, unknown>, full: Record<string, unknown>): string | null {
  const found: string[] = [];
  for (const [list, spec] of Object.entries(listing.lists)) {
    const a = new Map((merged[list] as Record<string, unknown>[]).map((r) => [r[spec.key] as string, r]));
    const b = new Map((full[list] as Record<string, unknown>[]).map((r) => [r[spec.key] as string, r]));
    const missing = [...b.keys()].filter((k) => !a.has(k));
    const extra = [...a.keys()].filter((k) => !b.has(k));
    const differ = [...b.keys()].filter((k) => a.has(k) && !same(a.get(k), b.get(k)));
    if (missing.length > 0) found.push(`${list} misses ${missing.length} (${JSON.stringify(missing[0])}…)`);
    if (extra.length > 0) found.push(`${list} still holds ${extra.length} gone (${JSON.stringify(extra[0])}…)`);
    if (differ.length > 0) found.push(`${list} has ${differ.length} that differ (${JSON.stringify(differ[0])} at ${difference(a.get(differ[0]!), b.get(differ[0]!), AS_MERGED)})`);
  }
  for (const field of Object.keys(full)) {
    if (field === "revision" || field in listing.lists) continue;
    if (!same(merged[field], full[field])) found.push(`${field} is ${short(merged[field])}, a full listing says ${short(full[field])}`);
  }
  return found.length > 0 ? found.join("; ") : null;
}

/** Deep equality, numbers equal to a relative 1e-9 (sums kept as they go vs. summed afresh). */
function same(a: unknown, b: unknown): boolean {
  return difference(a, b, ["", ""]) === null;
}

/** How `difference` names its two sides. */
const AS_LISTED: [string, string] = ["listed", "the contract's"];
const AS_MERGED: [string, string] = ["from deltas", "in full"];

/** The first path where `a` and `b` differ, with both values, or null. */
function difference(a: unknown, b: unknown, sides: [string, string], path = ""): string | null {
  const here = path === "" ? "(root)" : path;
  const values = `${here} (${sides[0]} ${short(a)}, ${sides[1]} ${short(b)})`;
  if (typeof a === "number" && typeof b === "number") return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) ? null : values;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return Object.is(a, b) ? null : values;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const d = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], sides, path === "" ? key : `${path}.${key}`);
    if (d !== null) return d;
  }
  return null;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
