import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { DriftReport } from "../../src/domain/index.js";
import { SIM_TOOL_ANNOTATIONS } from "./annotations.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { count, guard, reply } from "./result.js";
import { DriftOutputSchema, SinceRevisionInputSchema, WorkloadIdSchema } from "./schemas.js";

/** PSI above this is commonly read as a significant shift. */
const PSI_ALERT = 0.2;

const InputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.optional().describe("Serving (inference) workload id; default: every serving workload"),
  sinceRevision: SinceRevisionInputSchema.optional(),
});

/** Reports past this many are summed up in one line of text (the structured answer has them all). */
const MAX_LINES = 200;

export function registerGetDrift(server: McpServer, ctx: SimContext, listings: SessionListings): void {
  server.registerTool(
    "get_drift",
    {
      title: SIM_TOOL_ANNOTATIONS.get_drift.title,
      description:
        "Data and prediction drift of serving workloads over the last window (windowMs, ms): per input feature the population stability index (PSI, ≥ 0) " +
        "and Kolmogorov-Smirnov statistic (KS, 0..1) against the reference, and the PSI of the predictions, for the model version serving now. " +
        "PSI under 0.1 is stable, 0.1-0.2 a moderate shift, over 0.2 significant: consider rolling back with set_model_version to previousModelVersion (list_workloads). " +
        "Without a workloadId the answer carries a revision; pass it as sinceRevision next time to get only the reports that changed (the others stand, as of this answer's atMs).",
      inputSchema: InputSchema,
      outputSchema: DriftOutputSchema,
      annotations: SIM_TOOL_ANNOTATIONS.get_drift,
    },
    (args) =>
      guard(() => {
        const { world } = ctx;
        if (args.workloadId !== undefined) {
          const reports = [world.getDrift(args.workloadId)];
          return reply(DriftOutputSchema, { atMs: world.nowMs, reports }, text(reports));
        }
        const { reports, revision, delta } = listings.chain("get_drift").answer(args.sinceRevision, (since) => ctx.worldListings.getDriftChanges(since));
        if (!delta) return reply(DriftOutputSchema, { atMs: world.nowMs, reports, revision }, `${text(reports)}\nRevision ${revision}.`);
        return reply(
          DriftOutputSchema,
          { atMs: world.nowMs, reports, revision, delta: { sinceRevision: args.sinceRevision!, removed: [] } },
          `Since revision ${args.sinceRevision}: ${count(reports.length, "report")} changed. Revision ${revision}.\n${text(reports)}`,
        );
      }),
  );
}

function text(reports: readonly DriftReport[]): string {
  const drifting = reports.filter((r) => r.predictionPsi > PSI_ALERT);
  const lines = [`${count(reports.length, "serving workload")}: ${drifting.length === 0 ? `none over PSI ${PSI_ALERT}` : `${drifting.length} over PSI ${PSI_ALERT}`}.`];
  // the drifting first: with many reports, the lines that matter must not be the ones cut
  const ordered = [...drifting, ...reports.filter((r) => r.predictionPsi <= PSI_ALERT)];
  for (const r of ordered.slice(0, MAX_LINES)) lines.push(`${r.workloadId} (model ${r.modelVersion}): prediction PSI ${r.predictionPsi.toFixed(3)}, worst feature ${worst(r.features)}.`);
  if (ordered.length > MAX_LINES) lines.push(`… and ${count(ordered.length - MAX_LINES, "more report")}.`);
  return lines.join("\n");
}

function worst(features: readonly { feature: string; psi: number }[]): string {
  const top = [...features].sort((a, b) => b.psi - a.psi)[0];
  return top ? `${top.feature} PSI ${top.psi.toFixed(3)}` : "none";
}
