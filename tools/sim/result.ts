import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { SimError } from "../../src/sim/index.js";

/**
 * A tool's answer: `structuredContent` (checked against the tool's output schema by the SDK, and by the
 * client) beside a short text for people and models. The type ties the value to the schema at compile time.
 */
export function reply<S extends z.ZodType<Record<string, unknown>>>(_schema: S, value: z.infer<S>, text: string): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: value };
}

/** A domain failure as a tool result the model can act on: what went wrong, on which field, what to do instead. */
export function domainError(error: SimError): CallToolResult {
  const field = error.field !== undefined ? `${error.field}: ` : "";
  return { isError: true, content: [{ type: "text", text: `${field}${error.message}. ${error.hint}` }] };
}

/**
 * Runs a tool body; a SimError (the world refused, unchanged) becomes an `isError` result, anything else
 * is a bug and propagates (the SDK reports it as an error result too, but we don't dress it up).
 */
export function guard(body: () => CallToolResult): CallToolResult {
  try {
    return body();
  } catch (error) {
    if (error instanceof SimError) return domainError(error);
    throw error;
  }
}

// ------------------------------------------------------------------------------------------ text

const usdFormat = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 });
const intFormat = new Intl.NumberFormat("en-US");

/** `$1,234.5678`: up to four decimals, enough for sub-cent per-GB prices. */
export function usd(x: number): string {
  return usdFormat.format(x);
}

export function usdPerHour(x: number): string {
  return `${usd(x)}/hour`;
}

/** `2,134` */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${intFormat.format(n)} ${n === 1 ? noun : plural}`;
}

/** Simulated time as ISO text (UTC). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `aws 3, gcp 2` for a list of things with a cloud. */
export function byCloud(items: readonly { cloud: string }[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.cloud, (counts.get(i.cloud) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([c, n]) => `${c} ${intFormat.format(n)}`)
    .join(", ");
}
