import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { count, guard, iso, reply, usdPerHour } from "./result.js";
import { CloudInputSchema, GpuInputSchema, IdempotencyKeySchema, LaunchOutputSchema, RegionInputSchema, WorkloadIdSchema } from "./schemas.js";

const InputSchema = z.strictObject({
  cloud: CloudInputSchema,
  region: RegionInputSchema,
  zone: z.string().min(1).max(64).optional().describe("Availability zone; default: the cheapest zone with capacity"),
  instanceType: z.string().min(1).max(128).optional().describe("Instance type from list_offers (give this or gpu)"),
  gpu: GpuInputSchema.optional().describe("Accelerator shape per instance, e.g. A100:8: the cheapest offer with exactly it is chosen (give this or instanceType)"),
  spot: z.boolean().describe("true: spot (cheaper, can be reclaimed with a 2-minute notice); false: on-demand"),
  count: z.number().int().min(1).max(1_000).describe("Number of instances, 1 to 1000"),
  workloadId: WorkloadIdSchema.nullable().optional().describe("Workload the instances are for (labels them; serving replicas join its deployment in this region); omit for none"),
  idempotencyKey: IdempotencyKeySchema,
});

export function registerLaunch(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "launch",
    {
      title: SIM_TOOL_ANNOTATIONS.launch.title,
      description:
        "Launches count instances of one offer in a cloud region, spot or on-demand, by instanceType or by accelerator shape (gpu). " +
        "They start provisioning (60-120 s depending on the cloud) and bill at the offer's price in USD/hour from now. " +
        "Not destructive: it only adds instances. Idempotent: the same idempotencyKey with the same arguments returns the same instances and launches nothing more. " +
        "For a training job, launch with its workloadId and then call resume_from_checkpoint with the returned instance ids; for a serving workload, prefer scale.",
      inputSchema: InputSchema,
      outputSchema: LaunchOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.launch,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const instances = ctx.ops.launch(args);
        const rate = instances.reduce((a, i) => a + i.usdPerHour, 0);
        const first = instances[0]!;
        const lines = [
          `Launched ${count(instances.length, "instance")} of ${first.instanceType} ${first.spot ? "spot" : "on-demand"} in ${first.cloud}/${first.region}${first.zone ? ` (${first.zone})` : ""}` +
            `${first.workloadId ? ` for ${first.workloadId}` : ""}: ${instances.map((i) => i.id).join(", ")}.`,
          `Ready at ${first.readyAtMs === null ? "unknown" : iso(first.readyAtMs)}; ${usdPerHour(rate)} in all.`,
        ];
        return reply(LaunchOutputSchema, { atMs: world.nowMs, usdPerHour: rate, instances }, lines.join("\n"));
      }),
  );
}
