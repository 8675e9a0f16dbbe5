import { z } from "zod";
import { PricePointSchema } from "../data.js";
import { EpochMsInputSchema } from "./inputs.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { READ_HINTS, defineTool } from "./tool.js";

export const GetPriceHistoryInputSchema = z.strictObject({
  offerId: z.string().min(1).max(256).describe("Offer id from list_offers, e.g. aws:us-east-1:use1-az1:p4d.24xlarge"),
  spot: z.boolean().describe("true: the spot price series; false: the on-demand price"),
  sinceMs: EpochMsInputSchema.optional().describe("Start, ms since epoch (default: 7 days before now)"),
  untilMs: EpochMsInputSchema.optional().describe("End, ms since epoch (default and latest: now; there is no future history)"),
});

export const PriceHistoryOutputSchema = z.object({
  atMs: AnswerAtMsSchema,
  offerId: z.string(),
  spot: z.boolean(),
  sinceMs: z.number().int(),
  untilMs: z.number().int(),
  source: z.string(),
  truncated: z.boolean(),
  points: z.array(PricePointSchema),
});

export const GET_PRICE_HISTORY = defineTool({
  name: "get_price_history",
  title: "Price history of one offer",
  description:
    "Price history of one offer in USD/hour between sinceMs and untilMs (ms since epoch; default the last 7 days up to now), as change points: " +
    "each point's price holds from its atMs until the next point; source names where the series comes from. " +
    "Use it to judge whether a spot price is a short spike or a trend before moving work (break-even: savings per hour × expected hours vs. egress and downtime).",
  inputSchema: GetPriceHistoryInputSchema,
  outputSchema: PriceHistoryOutputSchema,
  annotations: READ_HINTS,
  listing: null,
  errors: ["not-found", "invalid-target", "invalid-argument"],
});
