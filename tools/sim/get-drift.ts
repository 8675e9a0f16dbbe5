import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import { count, guard, reply } from "./result.js";
import { DriftOutputSchema, WorkloadIdSchema } from "./schemas.js";

/** PSI above this is commonly read as a significant shift. */
const PSI_ALERT = 0.2;

const InputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.optional().describe("Serving (inference) workload id; default: every serving workload"),
});

export function registerGetDrift(server: McpServer, ctx: SimContext): void {
  server.registerTool(
    "get_drift",
    {
      title: SIM_TOOL_ANNOTATIONS.get_drift.title,
      description:
        "Data and prediction drift of serving workloads over the last window (windowMs, ms): per input feature the population stability index (PSI, ≥ 0) " +
        "and Kolmogorov-Smirnov statistic (KS, 0..1) against the reference, and the PSI of the predictions, for the model version serving now. " +
        "PSI under 0.1 is stable, 0.1-0.2 a moderate shift, over 0.2 significant: consider rolling back with set_model_version to previousModelVersion (list_workloads).",
      inputSchema: InputSchema,
      outputSchema: DriftOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.get_drift,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        const ids = args.workloadId !== undefined ? [args.workloadId] : world.serviceIds();
        const reports = ids.map((id) => world.getDrift(id));
        const drifting = reports.filter((r) => r.predictionPsi > PSI_ALERT);
        const lines = [`${count(reports.length, "serving workload")}: ${drifting.length === 0 ? `none over PSI ${PSI_ALERT}` : `${drifting.length} over PSI ${PSI_ALERT}`}.`];
        for (const r of reports) lines.push(`${r.workloadId} (model ${r.modelVersion}): prediction PSI ${r.predictionPsi.toFixed(3)}, worst feature ${worst(r.features)}.`);
        return reply(DriftOutputSchema, { atMs: world.nowMs, reports }, lines.join("\n"));
      }),
  );
}

function worst(features: readonly { feature: string; psi: number }[]): string {
  const top = [...features].sort((a, b) => b.psi - a.psi)[0];
  return top ? `${top.feature} PSI ${top.psi.toFixed(3)}` : "none";
}
