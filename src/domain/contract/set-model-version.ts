import { z } from "zod";
import { IdempotencyKeySchema, WorkloadIdSchema } from "./inputs.js";
import { changeHints, defineTool } from "./tool.js";
import { WorkloadOutputSchema } from "./workload-output.js";

export const SetModelVersionInputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Serving (inference) workload id"),
  version: z.string().min(1).max(128).describe("Model version to serve, e.g. v1 (list_workloads shows modelVersion and previousModelVersion)"),
  idempotencyKey: IdempotencyKeySchema,
});

export const SET_MODEL_VERSION = defineTool({
  name: "set_model_version",
  title: "Roll a serving workload to a model version",
  description:
    "Rolls every replica of a serving workload to a model version (a Deployment rollout). " +
    "Destructive: the version now serving is replaced on all replicas at once; roll back by calling it again with previousModelVersion from list_workloads. " +
    "Use it to roll back when get_drift shows drift over threshold after a release. Drift statistics restart from the baseline for the new version. " +
    "Idempotent with idempotencyKey; setting the version already serving changes nothing.",
  inputSchema: SetModelVersionInputSchema,
  outputSchema: WorkloadOutputSchema,
  annotations: changeHints(true),
  listing: null,
  errors: ["not-found", "invalid-argument", "idempotency-mismatch"],
});
