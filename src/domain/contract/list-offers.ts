import { z } from "zod";
import { OfferQuoteSchema } from "../offer.js";
import { CloudInputSchema, RegionInputSchema, SinceRevisionInputSchema } from "./inputs.js";
import { RevisionSchema, deltaOf, removedKeys } from "./listing.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { READ_HINTS, defineTool } from "./tool.js";

export const ListOffersInputSchema = z.strictObject({
  cloud: CloudInputSchema.optional(),
  region: RegionInputSchema.optional(),
  accelerator: z.string().min(1).max(40).optional().describe("Accelerator name, case-insensitive: A100, H100, L4, T4, V100…"),
  spot: z.boolean().optional().describe("true: only offers sold as spot now; false: only offers sold on demand"),
  minAcceleratorCount: z.number().int().min(0).max(64).optional().describe("Fewest accelerators per instance"),
  limit: z.number().int().min(1).max(10_000).optional().describe("Return at most this many offers (cheapest first); default: all"),
  sinceRevision: SinceRevisionInputSchema.optional(),
});

export const ListOffersOutputSchema = z.object({
  atMs: AnswerAtMsSchema,
  /** Offers matching the filter, before `limit`. */
  total: z.number().int().nonnegative(),
  truncated: z.boolean(),
  offers: z.array(OfferQuoteSchema),
  revision: RevisionSchema.optional(),
  delta: deltaOf(removedKeys, {}).optional(),
});

export const LIST_OFFERS = defineTool({
  name: "list_offers",
  title: "List instance offers with prices now",
  description:
    "Instance types × regions (and zones) you can launch, with the prices in force now in USD/hour (spot and on-demand), " +
    "the accelerator and its count, vCPUs, memory and GPU memory in GB, spot availability now (0..1) and whether a launch can succeed now. " +
    "Filter by cloud, region, accelerator, spot and minimum accelerator count. Use it to choose where to place or move work: " +
    "compare spotUsdPerHourNow/onDemandUsdPerHourNow, prefer launchable offers with spotAvailability > 0 for spot, then pass the offer's " +
    "cloud, region, zone and instanceType to launch, or its id to get_price_history. " +
    "Without filters the answer carries a revision; pass it as sinceRevision next time to get only the offers whose price, capacity or availability changed.",
  inputSchema: ListOffersInputSchema,
  outputSchema: ListOffersOutputSchema,
  annotations: READ_HINTS,
  listing: { lists: { offers: { key: "id" } } },
  errors: ["invalid-target"],
});
