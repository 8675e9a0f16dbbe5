import type { LIST_OFFERS } from "../../src/domain/index.js";
import type { OfferQuote } from "../../src/sim/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { checkRegionFilter } from "./regions.js";
import { count, usdPerHour, byCloud } from "./result.js";

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

export function listOffersHandler(ctx: SimContext, listings: SessionListings): Handler<typeof LIST_OFFERS> {
  return (args) => {
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
        return { value: { atMs: world.nowMs, total: world.offerCount(), truncated: false, offers: changes.offers, revision, delta: { sinceRevision: sinceRevision!, removed: [] } }, text };
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
    return { value: { atMs: world.nowMs, total: all.length, truncated: offers.length < all.length, offers, ...(revision !== undefined ? { revision } : {}) }, text: lines.join("\n") };
  };
}
