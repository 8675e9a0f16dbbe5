import { z } from "zod";
import { InstanceSchema } from "../instance.js";
import { IdempotencyKeySchema, InstanceIdsSchema } from "./inputs.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { changeHints, defineTool } from "./tool.js";

export const TerminateInputSchema = z.strictObject({
  instanceIds: InstanceIdsSchema.describe("Ids of the instances to end (1 to 1000), from list_instances"),
  idempotencyKey: IdempotencyKeySchema,
});

export const TerminateOutputSchema = z.object({ atMs: AnswerAtMsSchema, instances: z.array(InstanceSchema) });

export const TERMINATE = defineTool({
  name: "terminate",
  title: "Terminate instances",
  description:
    "Terminates instances: they stop at once and stop billing (their USD/hour drops to 0). " +
    "Destructive: a training job loses progress since its last checkpoint if one of its nodes ends, and a serving replica stops serving. " +
    "Instances already ended are left as they are. Idempotent with idempotencyKey. " +
    "Use it for orphans (workloadId null in list_instances) and to drain a source after a verified migration.",
  inputSchema: TerminateInputSchema,
  outputSchema: TerminateOutputSchema,
  annotations: changeHints(true),
  listing: null,
  errors: ["not-found", "invalid-argument", "idempotency-mismatch"],
});
