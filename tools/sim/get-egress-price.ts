import { parseLocationKey, type EgressPriceTo, type GET_EGRESS_PRICE } from "../../src/domain/index.js";
import { SimError } from "../../src/sim/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { requireCloudRegion } from "./regions.js";
import { usd } from "./result.js";

export function getEgressPriceHandler(ctx: SimContext): Handler<typeof GET_EGRESS_PRICE> {
  return (args) => {
    const { world } = ctx;
    const from = parseLocationKey(args.from);
    requireCloudRegion(world, from.cloud, from.region, "from");
    if (args.to === undefined) {
      if (args.gb !== undefined) throw new SimError("invalid-argument", "gb needs to", "pass to with gb for the cost of one transfer, or omit gb for the prices to every region", "gb");
      const prices = world.listRegions().map((r) => {
        const price = world.getEgressPrice(from, r);
        return { to: `${r.cloud}/${r.region}`, usdPerGb: price.usdPerGb, basis: price.basis, transferGbPerSecond: Number.isFinite(price.transferGbPerSecond) ? price.transferGbPerSecond : null };
      });
      return { value: { atMs: world.nowMs, from: args.from, prices }, text: bulkText(args.from, prices) };
    }
    const to = parseLocationKey(args.to);
    requireCloudRegion(world, to.cloud, to.region, "to");
    const price = world.getEgressPrice(from, to);
    const rate = Number.isFinite(price.transferGbPerSecond) ? price.transferGbPerSecond : null;
    const gb = args.gb ?? null;
    const total = gb === null ? null : gb * price.usdPerGb;
    const transferMs = gb === null ? null : rate === null || gb === 0 ? 0 : Math.ceil((gb / rate) * 1000);
    const lines = [`${args.from} → ${args.to}: ${usd(price.usdPerGb)} per GB (${price.basis})${rate === null ? "" : `, ${rate} GB/s`}.`];
    if (gb !== null) lines.push(`Moving ${gb} GB costs ${usd(total!)} and takes ${Math.round(transferMs! / 1000)} s.`);
    return {
      value: { atMs: world.nowMs, from: args.from, to: args.to, usdPerGb: price.usdPerGb, basis: price.basis, transferGbPerSecond: rate, gb, usd: total, transferMs },
      text: lines.join("\n"),
    };
  };
}

/** A few lines per basis (the full list is in structuredContent.prices). */
function bulkText(from: string, prices: readonly EgressPriceTo[]): string {
  const lines = [`${from} → ${prices.length} regions, USD per GB:`];
  for (const basis of ["same-region", "inter-region", "internet"] as const) {
    const of = prices.filter((p) => p.basis === basis).map((p) => p.usdPerGb);
    if (of.length === 0) continue;
    const lo = Math.min(...of);
    const hi = Math.max(...of);
    lines.push(`${basis} (${of.length}): ${lo === hi ? usd(lo) : `${usd(lo)} to ${usd(hi)}`} per GB.`);
  }
  lines.push("Every destination is in structuredContent.prices.");
  return lines.join("\n");
}
