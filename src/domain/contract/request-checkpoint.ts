import { z } from "zod";
import { CloudSchema } from "../cloud.js";
import { IdempotencyKeySchema, WorkloadIdSchema } from "./inputs.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { changeHints, defineTool } from "./tool.js";

export const RequestCheckpointInputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Training workload id"),
  idempotencyKey: IdempotencyKeySchema.describe("Key for this checkpoint: the same key returns the same checkpoint, so call again with it to poll `ready`"),
});

export const CheckpointOutputSchema = z.object({
  atMs: AnswerAtMsSchema,
  uri: z.string(),
  workloadId: z.string(),
  progressHours: z.number().finite().nonnegative(),
  gb: z.number().finite().nonnegative(),
  cloud: CloudSchema,
  region: z.string(),
  requestedAtMs: z.number().int(),
  readyAtMs: z.number().int(),
  ready: z.boolean(),
});

export const REQUEST_CHECKPOINT = defineTool({
  name: "request_checkpoint",
  title: "Checkpoint a training job",
  description:
    "Asks a training job to write a checkpoint of its progress now to its region's object store. Returns the checkpoint's URI, its size in GB, " +
    "the progress it holds in hours, where it is (cloud/region) and readyAtMs (ms since epoch) when it is durable. " +
    "A job that is not running returns its newest durable checkpoint at once. Not destructive; the job keeps running. " +
    "Idempotent: call again with the same idempotencyKey to poll until ready is true, then launch the target instances and call resume_from_checkpoint with the uri.",
  inputSchema: RequestCheckpointInputSchema,
  outputSchema: CheckpointOutputSchema,
  annotations: changeHints(false),
  listing: null,
  errors: ["not-found", "invalid-argument", "conflict", "idempotency-mismatch"],
});
