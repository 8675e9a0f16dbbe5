import { z } from "zod";
import { CloudInputSchema, IdempotencyKeySchema, RegionInputSchema, WorkloadIdSchema } from "./inputs.js";
import { changeHints, defineTool } from "./tool.js";
import { WorkloadOutputSchema } from "./workload-output.js";

export const ScaleInputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Serving (inference) workload id"),
  cloud: CloudInputSchema,
  region: RegionInputSchema,
  replicas: z.number().int().min(0).max(1_000).describe("Replicas wanted in this cloud/region, 0 to 1000 (0 drains the deployment)"),
  spot: z.boolean().optional().describe("Capacity for new replicas: spot or on-demand (default: as the deployment already is, else on-demand)"),
  idempotencyKey: IdempotencyKeySchema,
});

export const SCALE = defineTool({
  name: "scale",
  title: "Scale a serving deployment",
  description:
    "Sets the number of replicas of a serving workload in one cloud/region: launches new replicas (provisioning until they are healthy in get_health) or drains the newest ones. " +
    "Each replica serves up to the workload's replicaRps requests/second and bills its instance's USD/hour. " +
    "Destructive: scaling down stops replicas at once (shift traffic away first with set_traffic_weights). " +
    "Idempotent with idempotencyKey. Returns the workload's new status; a new deployment gets traffic weight 0 until set_traffic_weights gives it some.",
  inputSchema: ScaleInputSchema,
  outputSchema: WorkloadOutputSchema,
  annotations: changeHints(true),
  listing: null,
  errors: ["not-found", "invalid-argument", "invalid-target", "no-capacity", "quota-exceeded", "idempotency-mismatch"],
});
