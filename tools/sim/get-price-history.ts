import type { GET_PRICE_HISTORY } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { count, iso, usdPerHour } from "./result.js";

const DEFAULT_LOOKBACK_MS = 7 * 86_400_000;

export function getPriceHistoryHandler(ctx: SimContext): Handler<typeof GET_PRICE_HISTORY> {
  return (args) => {
    const { world } = ctx;
    const now = world.nowMs;
    const sinceMs = args.sinceMs ?? Math.max(0, Math.min(now, args.untilMs ?? now) - DEFAULT_LOOKBACK_MS);
    const h = world.getPriceHistory({ offerId: args.offerId, spot: args.spot, sinceMs, untilMs: args.untilMs });
    const untilMs = Math.min(args.untilMs ?? now, now);
    const prices = h.points.map((p) => p.usdPerHour);
    const last = h.points[h.points.length - 1];
    const lines = [
      `${h.offerId} ${h.spot ? "spot" : "on-demand"}: ${count(h.points.length, "price change point")} from ${iso(sinceMs)} to ${iso(untilMs)} (source ${h.source}).`,
    ];
    if (last) lines.push(`Now ${usdPerHour(last.usdPerHour)}; min ${usdPerHour(Math.min(...prices))}, max ${usdPerHour(Math.max(...prices))} over the window.`);
    if (h.truncated) lines.push("Truncated at 10,000 points: ask for a shorter window.");
    return { value: { atMs: now, offerId: h.offerId, spot: h.spot, sinceMs, untilMs, source: h.source, truncated: h.truncated, points: h.points }, text: lines.join("\n") };
  };
}
