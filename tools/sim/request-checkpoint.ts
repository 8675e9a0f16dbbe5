import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { guard, iso, reply } from "./result.js";
import { CheckpointOutputSchema, IdempotencyKeySchema, WorkloadIdSchema } from "./schemas.js";

const InputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Training workload id"),
  idempotencyKey: IdempotencyKeySchema.describe("Key for this checkpoint: the same key returns the same checkpoint, so call again with it to poll `ready`"),
});

export function registerRequestCheckpoint(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "request_checkpoint",
    {
      title: SIM_TOOL_ANNOTATIONS.request_checkpoint.title,
      description:
        "Asks a training job to write a checkpoint of its progress now to its region's object store. Returns the checkpoint's URI, its size in GB, " +
        "the progress it holds in hours, where it is (cloud/region) and readyAtMs (ms since epoch) when it is durable (writing takes size ÷ 2 GB/s). " +
        "A job that is not running returns its newest durable checkpoint at once. Not destructive; the job keeps running. " +
        "Idempotent: call again with the same idempotencyKey to poll until ready is true, then launch the target instances and call resume_from_checkpoint with the uri.",
      inputSchema: InputSchema,
      outputSchema: CheckpointOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.request_checkpoint,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const c = ctx.ops.requestCheckpoint(args);
        const text =
          `Checkpoint ${c.uri} of ${c.workloadId}: ${c.gb} GB holding ${Math.round(c.progressHours * 100) / 100} h of progress in ${c.cloud}/${c.region}; ` +
          (c.ready ? "ready now." : `being written, ready at ${iso(c.readyAtMs)} (poll with the same idempotencyKey).`);
        return reply(CheckpointOutputSchema, { atMs: world.nowMs, ...c }, text);
      }),
  );
}
