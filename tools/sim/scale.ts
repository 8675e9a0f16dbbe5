import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { guard, reply } from "./result.js";
import { CloudInputSchema, IdempotencyKeySchema, RegionInputSchema, WorkloadIdSchema, WorkloadOutputSchema } from "./schemas.js";
import { workloadLine } from "./workload-text.js";

const InputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Serving (inference) workload id"),
  cloud: CloudInputSchema,
  region: RegionInputSchema,
  replicas: z.number().int().min(0).max(1_000).describe("Replicas wanted in this cloud/region, 0 to 1000 (0 drains the deployment)"),
  spot: z.boolean().optional().describe("Capacity for new replicas: spot or on-demand (default: as the deployment already is, else on-demand)"),
  idempotencyKey: IdempotencyKeySchema,
});

export function registerScale(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "scale",
    {
      title: SIM_TOOL_ANNOTATIONS.scale.title,
      description:
        "Sets the number of replicas of a serving workload in one cloud/region: launches new replicas (ready after 60-120 s) or drains the newest ones. " +
        "Each replica serves up to the workload's replicaRps requests/second and bills its instance's USD/hour. " +
        "Destructive: scaling down stops replicas at once (shift traffic away first with set_traffic_weights). " +
        "Idempotent with idempotencyKey. Returns the workload's new status; a new deployment gets traffic weight 0 until set_traffic_weights gives it some.",
      inputSchema: InputSchema,
      outputSchema: WorkloadOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.scale,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const workload = ctx.ops.scale(args);
        return reply(WorkloadOutputSchema, { atMs: world.nowMs, workload }, `Scaled ${args.cloud}/${args.region} to ${args.replicas} replicas.\n${workloadLine(workload)}`);
      }),
  );
}
