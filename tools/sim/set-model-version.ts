import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { guard, reply } from "./result.js";
import { IdempotencyKeySchema, WorkloadIdSchema, WorkloadOutputSchema } from "./schemas.js";
import { workloadLine } from "./workload-text.js";

const InputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Serving (inference) workload id"),
  version: z.string().min(1).max(128).describe("Model version to serve, e.g. v1 (list_workloads shows modelVersion and previousModelVersion)"),
  idempotencyKey: IdempotencyKeySchema,
});

export function registerSetModelVersion(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "set_model_version",
    {
      title: SIM_TOOL_ANNOTATIONS.set_model_version.title,
      description:
        "Rolls every replica of a serving workload to a model version (a Deployment rollout). " +
        "Destructive: the version now serving is replaced on all replicas at once; roll back by calling it again with previousModelVersion from list_workloads. " +
        "Use it to roll back when get_drift shows drift over threshold after a release. Drift statistics restart from the baseline for the new version. " +
        "Idempotent with idempotencyKey; setting the version already serving changes nothing.",
      inputSchema: InputSchema,
      outputSchema: WorkloadOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.set_model_version,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const workload = ctx.ops.setModelVersion(args);
        return reply(WorkloadOutputSchema, { atMs: world.nowMs, workload }, `Serving model ${workload.modelVersion} (previous ${workload.previousModelVersion ?? "none"}).\n${workloadLine(workload)}`);
      }),
  );
}
