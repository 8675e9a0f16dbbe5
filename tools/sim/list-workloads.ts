import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { count, guard, reply, usdPerHour } from "./result.js";
import { ListWorkloadsOutputSchema, WorkloadIdSchema } from "./schemas.js";
import { workloadLine } from "./workload-text.js";

const InputSchema = z.strictObject({
  kind: z.enum(["training", "inference"]).optional().describe("Only training jobs or only serving workloads"),
  workloadId: WorkloadIdSchema.optional().describe("Only this workload"),
});

export function registerListWorkloads(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "list_workloads",
    {
      title: SIM_TOOL_ANNOTATIONS.list_workloads.title,
      description:
        "Every workload with its live state: team, tier (prod/dev), residency (allowed geos or regions), frozen flag, accelerator shape, state " +
        "(running, waiting, resuming, completed, degraded, down), deployments per cloud/region with replicas, healthy replicas and traffic weight (0..100), " +
        "training progress and checkpointed progress in hours against workHours and the deadline (ms since epoch), serving demand in requests/second, " +
        "capacity per replica in requests/second, SLO p99 in ms and model version, cost so far in USD and cost rate in USD/hour. " +
        "Start here: it tells you what runs where and what each workload may use (residency, frozen) before you plan a change.",
      inputSchema: InputSchema,
      outputSchema: ListWorkloadsOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.list_workloads,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        let workloads = args.workloadId !== undefined ? [world.getWorkload(args.workloadId)] : world.listWorkloads();
        if (args.kind !== undefined) workloads = workloads.filter((w) => w.kind === args.kind);
        const rate = workloads.reduce((a, w) => a + w.usdPerHour, 0);
        const lines = [`${count(workloads.length, "workload")} costing ${usdPerHour(rate)}:`, ...workloads.map(workloadLine)];
        return reply(ListWorkloadsOutputSchema, { atMs: world.nowMs, workloads }, lines.join("\n"));
      }),
  );
}
