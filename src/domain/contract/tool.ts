import type { z } from "zod";
import type { ToolErrorCode } from "./errors.js";

/*
 * What one tool of the contract is (DESIGN.md, "Tool contract"): the one definition every tool server
 * registers (through tools/kit) and every client reads (observe, the executor, the contract suite).
 */

/**
 * The four MCP annotation hints, all set on every tool so no client falls back to the spec's defaults
 * (`destructiveHint` defaults to true, `idempotentHint` to false). Hints are advice (the spec tells clients
 * not to trust them); skyops' policy engine makes the real decision.
 *
 * - readOnlyHint: reads only; never changes the cloud (read-only servers offer only these tools).
 * - destructiveHint: may stop, replace or discard something that exists (instances, replicas, the model that
 *   serves, training progress). Launching, checkpointing and re-weighting traffic are not.
 * - idempotentHint: a repeat has no further effect. Changing tools take an `idempotencyKey`: the same key with
 *   the same arguments returns the first result and changes nothing.
 * - openWorldHint: every tool reaches a cloud, whose state others change too.
 */
export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** A reading tool's hints. */
export const READ_HINTS = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const satisfies ToolHints;
/** A changing tool's hints: idempotent under its `idempotencyKey`, destructive where it may discard something. */
export const changeHints = (destructive: boolean): ToolHints => ({ readOnlyHint: false, destructiveHint: destructive, idempotentHint: true, openWorldHint: true });

/**
 * A cheap test of an accruing value that accepts only values the field's schema accepts: a client may try it
 * before the schema on a hot path (observe merges tens of thousands of accrued values a tick); anything it does
 * not accept goes to the schema, which decides.
 */
export type QuickCheck = (value: unknown) => boolean;

/** One keyed list of an incremental listing (see listing.ts). */
export interface KeyedList {
  /** The field of a record that keys it. */
  key: string;
  /** Fields a delta may move on their own (`delta.accrued`), each with its quick check. */
  accruing?: Readonly<Record<string, QuickCheck>>;
  /** A record a delta leaves out is as before except its `atMs`, which is the answer's. */
  atMsOfAnswer?: boolean;
  /**
   * The order a client lists these records in (observe's snapshot), when it is not by key: these fields in
   * turn, compared by code unit (the last one the key, so no two records tie). Servers may answer in any order.
   */
  orderOf?: readonly string[];
}

/** How a listing tool answers incrementally (listing.ts): its keyed lists, and the lists it always gives whole. */
export interface Listing {
  /** The keyed lists, by their field in the output, in the order a client should read them. */
  lists: Readonly<Record<string, KeyedList>>;
  /** Lists a delta still gives in full (get_health's regions). */
  whole?: readonly string[];
  /** The answer is one report (get_health) and its lists are parts of it, not records of their own. */
  report?: boolean;
}

export interface ContractTool<N extends string = string, I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject, L extends Listing | null = Listing | null> {
  /** snake_case, verb first. */
  readonly name: N;
  readonly title: string;
  /** What it does and returns, with units, for people and models; true of every cloud (a server's own facts go in its instructions or text). */
  readonly description: string;
  /** Strict (unknown arguments are refused) and bounded. */
  readonly inputSchema: I;
  /** structuredContent of a successful answer. */
  readonly outputSchema: O;
  readonly annotations: ToolHints;
  /** Incremental listing, for tools that take `sinceRevision`; null for the others. */
  readonly listing: L;
  /** The typed error codes it may answer besides the ones any tool may (GENERAL_ERRORS). */
  readonly errors: readonly ToolErrorCode[];
}

/** Any tool of the contract, with its schemas' types kept. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyContractTool = ContractTool<string, any, any, Listing | null>;

/** The arguments a client sends (the schema's input: before defaults and transforms). */
export type ToolArgs<T extends AnyContractTool> = z.input<T["inputSchema"]>;
/** The arguments a server's handler receives (parsed by the schema). */
export type ParsedToolArgs<T extends AnyContractTool> = z.output<T["inputSchema"]>;
/** A successful answer's structuredContent. */
export type ToolOutput<T extends AnyContractTool> = z.output<T["outputSchema"]>;

/** Declares a tool of the contract, keeping its name, schemas and listing as types. */
export function defineTool<N extends string, I extends z.ZodObject, O extends z.ZodObject, const L extends Listing | null>(tool: ContractTool<N, I, O, L>): ContractTool<N, I, O, L> {
  return Object.freeze(tool);
}
