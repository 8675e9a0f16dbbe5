import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { guard, iso, reply, usd } from "./result.js";
import { IdempotencyKeySchema, InstanceIdsSchema, ResumeOutputSchema, WorkloadIdSchema } from "./schemas.js";

const InputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Training workload id"),
  instanceIds: InstanceIdsSchema.describe("Instances launched for this job (with its workloadId), all in one region, with enough accelerators for the job"),
  checkpointUri: z.string().min(1).max(512).optional().describe("Checkpoint to resume from (from request_checkpoint); default: the newest durable one"),
  idempotencyKey: IdempotencyKeySchema,
});

export function registerResumeFromCheckpoint(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "resume_from_checkpoint",
    {
      title: SIM_TOOL_ANNOTATIONS.resume_from_checkpoint.title,
      description:
        "Moves a training job onto the given instances: they pull the checkpoint from its region (egress is charged: checkpoint GB × get_egress_price's USD per GB, " +
        "free within one region) and the job continues from the checkpoint's progress once the transfer (GB ÷ GB/s) and a 60 s restart are done (resumesAtMs, ms since epoch). " +
        "Destructive: progress made after the checkpoint is discarded, and the job's old instances stop doing its work (terminate them after verifying the move). " +
        "Idempotent with idempotencyKey. Returns the egress in GB and USD, the transfer time in ms and when the job resumes.",
      inputSchema: InputSchema,
      outputSchema: ResumeOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.resume_from_checkpoint,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const r = ctx.ops.resumeFromCheckpoint(args);
        const text =
          `${r.workloadId} resumes from ${r.checkpointUri} (${Math.round(r.progressHours * 100) / 100} h) on ${r.instanceIds.join(", ")} in ${r.toRegion}; ` +
          `egress ${r.egressGb} GB from ${r.fromRegion} cost ${usd(r.egressUsd)}, transfer ${Math.round(r.transferMs / 1000)} s; running again at ${iso(r.resumesAtMs)}.`;
        return reply(ResumeOutputSchema, { atMs: world.nowMs, ...r }, text);
      }),
  );
}
