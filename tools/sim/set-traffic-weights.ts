import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { LocationKeySchema } from "../../src/domain/index.js";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { guard, reply } from "./result.js";
import { IdempotencyKeySchema, WorkloadIdSchema, WorkloadOutputSchema } from "./schemas.js";
import { workloadLine } from "./workload-text.js";

const InputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Serving (inference) workload id"),
  weights: z
    .record(LocationKeySchema, z.number().min(0).max(100))
    .describe("Weight per deployment, keyed cloud/region (e.g. {\"aws/us-east-1\": 70, \"gcp/us-central1\": 30}); 0..100, normalised; deployments left out get 0"),
  idempotencyKey: IdempotencyKeySchema,
});

export function registerSetTrafficWeights(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "set_traffic_weights",
    {
      title: SIM_TOOL_ANNOTATIONS.set_traffic_weights.title,
      description:
        "Sets how a serving workload's demand (requests/second) is split over its deployments, like Gateway API HTTPRoute backend weights: " +
        "each cloud/region gets weight / sum of weights of the traffic; deployments not named get 0. At least one weight must be above 0. " +
        "Use it for failover: move traffic off a deployment that is down, unhealthy or over its SLO latency, onto deployments with healthy replicas. " +
        "Not destructive: no replica is stopped, and another call restores the previous split. Idempotent with idempotencyKey.",
      inputSchema: InputSchema,
      outputSchema: WorkloadOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.set_traffic_weights,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const workload = ctx.ops.setTrafficWeights(args);
        return reply(WorkloadOutputSchema, { atMs: world.nowMs, workload }, `Traffic weights set.\n${workloadLine(workload)}`);
      }),
  );
}
