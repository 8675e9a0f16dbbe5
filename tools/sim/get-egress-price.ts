import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { LocationKeySchema, parseLocationKey } from "../../src/domain/index.js";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { requireCloudRegion } from "./regions.js";
import { guard, reply, usd } from "./result.js";
import { EgressPriceOutputSchema } from "./schemas.js";

const InputSchema = z.strictObject({
  from: LocationKeySchema.describe("Where the data is, written cloud/region, e.g. aws/us-east-1"),
  to: LocationKeySchema.describe("Where it goes, written cloud/region, e.g. gcp/us-central1"),
  gb: z.number().min(0).max(1_000_000).optional().describe("Amount to move, GB: adds the total USD and the transfer time"),
});

export function registerGetEgressPrice(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "get_egress_price",
    {
      title: SIM_TOOL_ANNOTATIONS.get_egress_price.title,
      description:
        "Price in USD per GB to move data (a checkpoint, a dataset) from one region to another, the basis (same-region: free; inter-region: the cloud's " +
        "published inter-region rate; internet: between clouds, the source cloud's internet egress rate) and the transfer bandwidth in GB/s. " +
        "With gb, also the total in USD and the transfer time in ms. Use it to cost a migration: egress is a one-off cost to weigh against the hourly savings.",
      inputSchema: InputSchema,
      outputSchema: EgressPriceOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.get_egress_price,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const from = parseLocationKey(args.from);
        const to = parseLocationKey(args.to);
        requireCloudRegion(world, from.cloud, from.region, "from");
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
