import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { count, guard, iso, reply, usdPerHour } from "./result.js";
import { EpochMsInputSchema, PriceHistoryOutputSchema } from "./schemas.js";

const DEFAULT_LOOKBACK_MS = 7 * 86_400_000;

const InputSchema = z.strictObject({
  offerId: z.string().min(1).max(256).describe("Offer id from list_offers, e.g. aws:us-east-1:use1-az1:p4d.24xlarge"),
  spot: z.boolean().describe("true: the spot price series; false: the on-demand price"),
  sinceMs: EpochMsInputSchema.optional().describe("Start, ms since epoch (default: 7 days before now)"),
  untilMs: EpochMsInputSchema.optional().describe("End, ms since epoch (default and latest: now; there is no future history)"),
});

export function registerGetPriceHistory(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "get_price_history",
    {
      title: SIM_TOOL_ANNOTATIONS.get_price_history.title,
      description:
        "Price history of one offer in USD/hour between sinceMs and untilMs (ms since epoch; default the last 7 days up to now), as change points: " +
        "each point's price holds from its atMs until the next point. Spot prices replay real published histories, with this world's price events applied. " +
        "Use it to judge whether a spot price is a short spike or a trend before moving work (break-even: savings per hour × expected hours vs. egress and downtime).",
      inputSchema: InputSchema,
      outputSchema: PriceHistoryOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.get_price_history,
    },
    (args) =>
      guard(() => {
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
        return reply(PriceHistoryOutputSchema, { atMs: now, offerId: h.offerId, spot: h.spot, sinceMs, untilMs, source: h.source, truncated: h.truncated, points: h.points }, lines.join("\n"));
      }),
  );
}
