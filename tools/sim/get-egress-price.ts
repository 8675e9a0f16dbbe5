import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { LocationKeySchema, parseLocationKey } from "../../src/domain/index.js";
import { SimError } from "../../src/sim/index.js";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { requireCloudRegion } from "./regions.js";
import { guard, reply, usd } from "./result.js";
import { EgressPriceOutputSchema } from "./schemas.js";

const InputSchema = z.strictObject({
  from: LocationKeySchema.describe("Where the data is, written cloud/region, e.g. aws/us-east-1"),
  to: LocationKeySchema.optional().describe("Where it goes, written cloud/region, e.g. gcp/us-central1; omit it for the prices to every region"),
  gb: z.number().min(0).max(1_000_000).optional().describe("Amount to move, GB (with to): adds the total USD and the transfer time"),
});

/** One destination of the bulk form. */
const EgressPriceToSchema = EgressPriceOutputSchema.pick({ to: true, usdPerGb: true, basis: true, transferGbPerSecond: true });

/**
 * The tool's output: the contract's single-pair answer (with `to`), or the bulk answer (without `to`):
 * `{atMs, from, prices: [{to, usdPerGb, basis, transferGbPerSecond}]}`. One object schema with the
 * pair's fields optional, since MCP output schemas must be objects; a pair answer still parses with
 * the contract's EgressPriceOutputSchema.
 */
export const EgressPriceToolOutputSchema = EgressPriceOutputSchema.partial({ to: true, usdPerGb: true, basis: true, transferGbPerSecond: true, gb: true, usd: true, transferMs: true }).extend({
  prices: z.array(EgressPriceToSchema).optional().describe("Without to: the price from `from` to every region of the world"),
});

export function registerGetEgressPrice(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "get_egress_price",
    {
      title: SIM_TOOL_ANNOTATIONS.get_egress_price.title,
      description:
        "Price in USD per GB to move data (a checkpoint, a dataset) from one region to another, the basis (same-region: free; inter-region: the cloud's " +
        "published inter-region rate; internet: between clouds, the source cloud's internet egress rate) and the transfer bandwidth in GB/s. " +
        "With gb, also the total in USD and the transfer time in ms. Without to, the prices from `from` to every region at once (in prices). " +
        "Use it to cost a migration: egress is a one-off cost to weigh against the hourly savings.",
      inputSchema: InputSchema,
      outputSchema: EgressPriceToolOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.get_egress_price,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const from = parseLocationKey(args.from);
        requireCloudRegion(world, from.cloud, from.region, "from");
        if (args.to === undefined) {
          if (args.gb !== undefined) throw new SimError("invalid-argument", "gb needs to", "pass to with gb for the cost of one transfer, or omit gb for the prices to every region", "gb");
          const prices = world.listRegions().map((r) => {
            const price = world.getEgressPrice(from, r);
            return { to: `${r.cloud}/${r.region}`, usdPerGb: price.usdPerGb, basis: price.basis, transferGbPerSecond: Number.isFinite(price.transferGbPerSecond) ? price.transferGbPerSecond : null };
          });
          return reply(EgressPriceToolOutputSchema, { atMs: world.nowMs, from: args.from, prices }, bulkText(args.from, prices));
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
        return reply(
          EgressPriceOutputSchema,
          { atMs: world.nowMs, from: args.from, to: args.to, usdPerGb: price.usdPerGb, basis: price.basis, transferGbPerSecond: rate, gb, usd: total, transferMs },
          lines.join("\n"),
        );
      }),
  );
}

/** A few lines per basis (the full list is in structuredContent.prices). */
function bulkText(from: string, prices: readonly z.infer<typeof EgressPriceToSchema>[]): string {
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
