import { z } from "zod";
import { WorkloadStatusSchema } from "../workload.js";
import { SinceRevisionInputSchema, WorkloadIdSchema } from "./inputs.js";
import { QUICK, RevisionSchema, deltaOf, removedKeys } from "./listing.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { READ_HINTS, defineTool } from "./tool.js";

export const ListWorkloadsInputSchema = z.strictObject({
  kind: z.enum(["training", "inference"]).optional().describe("Only training jobs or only serving workloads"),
  workloadId: WorkloadIdSchema.optional().describe("Only this workload"),
  sinceRevision: SinceRevisionInputSchema.optional(),
});

export const ListWorkloadsOutputSchema = z.object({
  atMs: AnswerAtMsSchema,
  workloads: z.array(WorkloadStatusSchema),
  revision: RevisionSchema.optional(),
  delta: deltaOf(removedKeys, {
    /** New `costUsd` and `progressHours` of workloads that changed in nothing else, as parallel lists. */
    accrued: z.object({
      ids: z.array(z.string()),
      costUsd: z.array(z.number().finite().nonnegative()),
      progressHours: z.array(z.number().finite().nonnegative().nullable()),
    }),
  }).optional(),
});

export const LIST_WORKLOADS = defineTool({
  name: "list_workloads",
  title: "List workloads",
  description:
    "Every workload with its live state: team, tier (prod/dev), residency (allowed geos or regions), frozen flag, accelerator shape, state " +
    "(running, waiting, resuming, completed, degraded, down), deployments per cloud/region with replicas, healthy replicas and traffic weight (0..100), " +
    "training progress and checkpointed progress in hours against workHours and the deadline (ms since epoch), serving demand in requests/second, " +
    "capacity per replica in requests/second, SLO p99 in ms and model version, cost so far in USD and cost rate in USD/hour. " +
    "Start here: it tells you what runs where and what each workload may use (residency, frozen) before you plan a change. " +
    "Without filters the answer carries a revision; pass it as sinceRevision next time to get only the workloads that changed (delta.removed: gone; delta.accrued: new cost and progress of the others that moved).",
  inputSchema: ListWorkloadsInputSchema,
  outputSchema: ListWorkloadsOutputSchema,
  annotations: READ_HINTS,
  listing: { lists: { workloads: { key: "id", accruing: { costUsd: QUICK.nonNegative, progressHours: QUICK.nonNegativeOrNull } } } },
  errors: ["not-found"],
});
