import { z } from "zod";
import { DriftReportSchema } from "../health.js";
import { SinceRevisionInputSchema, WorkloadIdSchema } from "./inputs.js";
import { RevisionSchema, deltaOf, removedKeys } from "./listing.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { READ_HINTS, defineTool } from "./tool.js";

export const GetDriftInputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.optional().describe("Serving (inference) workload id; default: every serving workload"),
  sinceRevision: SinceRevisionInputSchema.optional(),
});

export const DriftOutputSchema = z.object({ atMs: AnswerAtMsSchema, reports: z.array(DriftReportSchema), revision: RevisionSchema.optional(), delta: deltaOf(removedKeys, {}).optional() });

export const GET_DRIFT = defineTool({
  name: "get_drift",
  title: "Model drift of serving workloads",
  description:
    "Data and prediction drift of serving workloads over the last window (windowMs, ms): per input feature the population stability index (PSI, ≥ 0) " +
    "and Kolmogorov-Smirnov statistic (KS, 0..1) against the reference, and the PSI of the predictions, for the model version serving now. " +
    "PSI under 0.1 is stable, 0.1-0.2 a moderate shift, over 0.2 significant: consider rolling back with set_model_version to previousModelVersion (list_workloads). " +
    "Without a workloadId the answer carries a revision; pass it as sinceRevision next time to get only the reports that changed (the others stand, as of this answer's atMs).",
  inputSchema: GetDriftInputSchema,
  outputSchema: DriftOutputSchema,
  annotations: READ_HINTS,
  listing: { lists: { reports: { key: "workloadId", atMsOfAnswer: true } } },
  errors: ["not-found", "invalid-argument"],
});
