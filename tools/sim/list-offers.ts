import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { OfferQuote } from "../../src/sim/index.js";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { checkRegionFilter } from "./regions.js";
import { count, guard, reply, usdPerHour, byCloud } from "./result.js";
import { CloudInputSchema, ListOffersOutputSchema, RegionInputSchema, SinceRevisionInputSchema } from "./schemas.js";

const InputSchema = z.strictObject({
  cloud: CloudInputSchema.optional(),
  region: RegionInputSchema.optional(),
  accelerator: z.string().min(1).max(40).optional().describe("Accelerator name, case-insensitive: A100, H100, L4, T4, V100…"),
  spot: z.boolean().optional().describe("true: only offers sold as spot now; false: only offers sold on demand"),
  minAcceleratorCount: z.number().int().min(0).max(64).optional().describe("Fewest accelerators per instance"),
  limit: z.number().int().min(1).max(10_000).optional().describe("Return at most this many offers (cheapest first); default: all"),
  sinceRevision: SinceRevisionInputSchema.optional(),
});

function cheapest(offers: readonly OfferQuote[], spot: boolean): OfferQuote | undefined {
  let best: OfferQuote | undefined;
  let bestPrice = Infinity;
  for (const o of offers) {
    const price = spot ? o.spotUsdPerHourNow : o.onDemandUsdPerHourNow;
    if (price !== null && o.launchable && (!spot || o.spotAvailability > 0) && price < bestPrice) {
      best = o;
      bestPrice = price;
    }
  }
  return best;
}

function describe(o: OfferQuote, spot: boolean): string {
  const shape = o.accelerator === null ? "CPU" : `${o.accelerator}:${o.acceleratorCount}`;
  const price = spot ? o.spotUsdPerHourNow! : o.onDemandUsdPerHourNow!;
  const where = `${o.cloud}/${o.region}${o.zone ? ` (${o.zone})` : ""}`;
  return `${shape} ${o.instanceType} in ${where} at ${usdPerHour(price)}${spot ? `, spot availability ${Math.round(o.spotAvailability * 100)}%` : ""}`;
}

/** Price of an offer for sorting: the cheaper of spot and on-demand now. */
function sortPrice(o: OfferQuote): number {
  return Math.min(o.spotUsdPerHourNow ?? Infinity, o.onDemandUsdPerHourNow ?? Infinity);
}

export function registerListOffers(server: McpServer, ctx: SimContext, listings: SessionListings): void {
  server.registerTool(
    "list_offers",
    {
      title: SIM_TOOL_ANNOTATIONS.list_offers.title,
      description:
        "Instance types × regions (and zones) you can launch, with the prices in force now in USD/hour (spot and on-demand), " +
        "the accelerator and its count, vCPUs, memory and GPU memory in GB, spot availability now (0..1) and whether a launch can succeed now. " +
        "Filter by cloud, region, accelerator, spot and minimum accelerator count. Use it to choose where to place or move work: " +
        "compare spotUsdPerHourNow/onDemandUsdPerHourNow, prefer launchable offers with spotAvailability > 0 for spot, then pass the offer's " +
        "cloud, region, zone and instanceType to launch, or its id to get_price_history. " +
        "Without filters the answer carries a revision; pass it as sinceRevision next time to get only the offers whose price, capacity or availability changed.",
      inputSchema: InputSchema,
      outputSchema: ListOffersOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.list_offers,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        checkRegionFilter(world, args);
        const { sinceRevision, ...filter } = args;
        const unfiltered = Object.values(filter).every((v) => v === undefined);
        let revision: string | undefined;
        if (unfiltered) {
          const changes = listings.chain("list_offers").answer(sinceRevision, (since) => ctx.worldListings.listOfferChanges(since));
          revision = changes.revision;
          if (changes.delta) {
            const text = `Since revision ${sinceRevision}: ${count(changes.offers.length, "offer")} changed in price, capacity or availability. Revision ${revision}.`;
            return reply(ListOffersOutputSchema, { atMs: world.nowMs, total: world.offerCount(), truncated: false, offers: changes.offers, revision, delta: { sinceRevision: sinceRevision!, removed: [] } }, text);
          }
        }
        const all = world.listOffers(filter);
        let offers = all;
        if (args.limit !== undefined && all.length > args.limit) {
          offers = [...all].sort((a, b) => sortPrice(a) - sortPrice(b) || (a.id < b.id ? -1 : 1)).slice(0, args.limit);
        }
        const lines = [`${count(all.length, "offer")}${all.length > 0 ? ` (${byCloud(all)})` : ""} at ${new Date(world.nowMs).toISOString()}.`];
        if (offers.length < all.length) lines.push(`Showing the ${count(offers.length, "cheapest offer")}.`);
        const spot = cheapest(all, true);
        const od = cheapest(all, false);
        if (spot) lines.push(`Cheapest spot with capacity now: ${describe(spot, true)}.`);
        if (od) lines.push(`Cheapest on-demand: ${describe(od, false)}.`);
        if (all.length === 0) lines.push("Nothing matches: widen the filter (drop region or spot), or check the accelerator name.");
        else lines.push("Every offer is in structuredContent.offers.");
        if (revision !== undefined) lines.push(`Revision ${revision}.`);
        return reply(ListOffersOutputSchema, { atMs: world.nowMs, total: all.length, truncated: offers.length < all.length, offers, ...(revision !== undefined ? { revision } : {}) }, lines.join("\n"));
      }),
  );
}
