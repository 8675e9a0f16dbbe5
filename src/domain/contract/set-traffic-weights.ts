import { z } from "zod";
import { LocationKeySchema } from "../cloud.js";
import { IdempotencyKeySchema, WorkloadIdSchema } from "./inputs.js";
import { changeHints, defineTool } from "./tool.js";
import { WorkloadOutputSchema } from "./workload-output.js";

export const SetTrafficWeightsInputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Serving (inference) workload id"),
  weights: z
    .record(LocationKeySchema, z.number().min(0).max(100))
    .describe("Weight per deployment, keyed cloud/region (e.g. {\"aws/us-east-1\": 70, \"gcp/us-central1\": 30}); 0..100, normalised; deployments left out get 0"),
  idempotencyKey: IdempotencyKeySchema,
});

export const SET_TRAFFIC_WEIGHTS = defineTool({
  name: "set_traffic_weights",
  title: "Set traffic weights",
  description:
    "Sets how a serving workload's demand (requests/second) is split over its deployments, like Gateway API HTTPRoute backend weights: " +
    "each cloud/region gets weight / sum of weights of the traffic; deployments not named get 0. At least one weight must be above 0. " +
    "Use it for failover: move traffic off a deployment that is down, unhealthy or over its SLO latency, onto deployments with healthy replicas. " +
    "Not destructive: no replica is stopped, and another call restores the previous split. Idempotent with idempotencyKey.",
  inputSchema: SetTrafficWeightsInputSchema,
  outputSchema: WorkloadOutputSchema,
  annotations: changeHints(false),
  listing: null,
  errors: ["not-found", "invalid-argument", "idempotency-mismatch"],
});
