import { z } from "zod";
import { LocationKeySchema } from "../cloud.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { READ_HINTS, defineTool } from "./tool.js";

export const GetEgressPriceInputSchema = z.strictObject({
  from: LocationKeySchema.describe("Where the data is, written cloud/region, e.g. aws/us-east-1"),
  to: LocationKeySchema.optional().describe("Where it goes, written cloud/region, e.g. gcp/us-central1; omit it for the prices to every region"),
  gb: z.number().min(0).max(1_000_000).optional().describe("Amount to move, GB (with to): adds the total USD and the transfer time"),
});

/** The answer for one pair of regions (with `to`). */
export const EgressPriceOutputSchema = z.object({
  atMs: AnswerAtMsSchema,
  from: LocationKeySchema,
  to: LocationKeySchema,
  usdPerGb: z.number().finite().nonnegative(),
  basis: z.enum(["same-region", "inter-region", "internet"]),
  /** Transfer bandwidth, GB/s; null where the server gives no finite bandwidth. */
  transferGbPerSecond: z.number().finite().positive().nullable(),
  /** With `gb`: what moving that much costs and takes. */
  gb: z.number().finite().nonnegative().nullable(),
  usd: z.number().finite().nonnegative().nullable(),
  transferMs: z.number().int().nonnegative().nullable(),
});

/** One destination of the bulk answer (without `to`). */
export const EgressPriceToSchema = EgressPriceOutputSchema.pick({ to: true, usdPerGb: true, basis: true, transferGbPerSecond: true });
export type EgressPriceTo = z.infer<typeof EgressPriceToSchema>;

/**
 * The tool's output: the single-pair answer (with `to`), or the bulk answer (without `to`):
 * `{atMs, from, prices: [{to, usdPerGb, basis, transferGbPerSecond}]}`. One object schema with the pair's
 * fields optional, since MCP output schemas must be objects; a pair answer still parses with
 * EgressPriceOutputSchema.
 */
export const GetEgressPriceOutputSchema = EgressPriceOutputSchema.partial({ to: true, usdPerGb: true, basis: true, transferGbPerSecond: true, gb: true, usd: true, transferMs: true }).extend({
  prices: z.array(EgressPriceToSchema).optional().describe("Without to: the price from `from` to every region the server knows"),
});

export const GET_EGRESS_PRICE = defineTool({
  name: "get_egress_price",
  title: "Egress price between two regions",
  description:
    "Price in USD per GB to move data (a checkpoint, a dataset) from one region to another, the basis (same-region: free; inter-region: the cloud's " +
    "published inter-region rate; internet: between clouds, the source cloud's internet egress rate) and the transfer bandwidth in GB/s. " +
    "With gb, also the total in USD and the transfer time in ms. Without to, the prices from `from` to every region at once (in prices). " +
    "Use it to cost a migration: egress is a one-off cost to weigh against the hourly savings.",
  inputSchema: GetEgressPriceInputSchema,
  outputSchema: GetEgressPriceOutputSchema,
  annotations: READ_HINTS,
  listing: null,
  errors: ["invalid-target", "invalid-argument"],
});
