import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { WorkloadStatus } from "../../src/domain/index.js";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { count, guard, reply, usdPerHour } from "./result.js";
import { ListWorkloadsOutputSchema, SinceRevisionInputSchema, WorkloadIdSchema } from "./schemas.js";
import { workloadLine } from "./workload-text.js";

const InputSchema = z.strictObject({
  kind: z.enum(["training", "inference"]).optional().describe("Only training jobs or only serving workloads"),
  workloadId: WorkloadIdSchema.optional().describe("Only this workload"),
  sinceRevision: SinceRevisionInputSchema.optional(),
});

/** Lines of text past this many workloads are summed up in one (the structured answer has them all). */
const MAX_LINES = 200;

export function registerListWorkloads(server: McpServer, ctx: SimContext, listings: SessionListings): void {
  server.registerTool(
    "list_workloads",
    {
      title: SIM_TOOL_ANNOTATIONS.list_workloads.title,
      description:
        "Every workload with its live state: team, tier (prod/dev), residency (allowed geos or regions), frozen flag, accelerator shape, state " +
        "(running, waiting, resuming, completed, degraded, down), deployments per cloud/region with replicas, healthy replicas and traffic weight (0..100), " +
        "training progress and checkpointed progress in hours against workHours and the deadline (ms since epoch), serving demand in requests/second, " +
        "capacity per replica in requests/second, SLO p99 in ms and model version, cost so far in USD and cost rate in USD/hour. " +
        "Start here: it tells you what runs where and what each workload may use (residency, frozen) before you plan a change. " +
        "Without filters the answer carries a revision; pass it as sinceRevision next time to get only the workloads that changed (delta.removed: gone; delta.accrued: new cost and progress of the others that moved).",
      inputSchema: InputSchema,
      outputSchema: ListWorkloadsOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.list_workloads,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        if (args.kind !== undefined || args.workloadId !== undefined) {
          let workloads = args.workloadId !== undefined ? [world.getWorkload(args.workloadId)] : world.listWorkloads();
          if (args.kind !== undefined) workloads = workloads.filter((w) => w.kind === args.kind);
          return reply(ListWorkloadsOutputSchema, { atMs: world.nowMs, workloads }, text(workloads));
        }
        const changes = listings.chain("list_workloads").answer(args.sinceRevision, (since) => ctx.worldListings.listWorkloadChanges(since));
        const { workloads, revision, accrued } = changes;
        if (!changes.delta) return reply(ListWorkloadsOutputSchema, { atMs: world.nowMs, workloads, revision }, `${text(workloads)}\nRevision ${revision}.`);
        const lines = [
          `Since revision ${args.sinceRevision}: ${count(workloads.length, "workload")} new or changed, ${accrued.ids.length} only further in cost or progress. Revision ${revision}.`,
          ...workloads.slice(0, MAX_LINES).map(workloadLine),
        ];
        if (workloads.length > MAX_LINES) lines.push(`… and ${workloads.length - MAX_LINES} more.`);
        return reply(ListWorkloadsOutputSchema, { atMs: world.nowMs, workloads, revision, delta: { sinceRevision: args.sinceRevision!, removed: [], accrued } }, lines.join("\n"));
      }),
  );
}

function text(workloads: readonly WorkloadStatus[]): string {
  const rate = workloads.reduce((a, w) => a + w.usdPerHour, 0);
  const lines = [`${count(workloads.length, "workload")} costing ${usdPerHour(rate)}:`, ...workloads.slice(0, MAX_LINES).map(workloadLine)];
  if (workloads.length > MAX_LINES) lines.push(`… and ${count(workloads.length - MAX_LINES, "more workload")} (the structured answer lists them all).`);
  return lines.join("\n");
}
