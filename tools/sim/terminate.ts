import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { count, guard, reply } from "./result.js";
import { IdempotencyKeySchema, InstanceIdsSchema, TerminateOutputSchema } from "./schemas.js";

const InputSchema = z.strictObject({
  instanceIds: InstanceIdsSchema.describe("Ids of the instances to end (1 to 1000), from list_instances"),
  idempotencyKey: IdempotencyKeySchema,
});

export function registerTerminate(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "terminate",
    {
      title: SIM_TOOL_ANNOTATIONS.terminate.title,
      description:
        "Terminates instances: they stop at once and stop billing (their USD/hour drops to 0). " +
        "Destructive: a training job loses progress since its last checkpoint if one of its nodes ends, and a serving replica stops serving. " +
        "Instances already ended are left as they are. Idempotent with idempotencyKey. " +
        "Use it for orphans (workloadId null in list_instances) and to drain a source after a verified migration.",
      inputSchema: InputSchema,
      outputSchema: TerminateOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.terminate,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const instances = ctx.ops.terminate(args);
        const text = `${count(instances.length, "instance")} ended: ${instances.map((i) => `${i.id} (${i.state})`).join(", ")}.`;
        return reply(TerminateOutputSchema, { atMs: world.nowMs, instances }, text);
      }),
  );
}
