import { z } from "zod";
import { LocationKeySchema } from "../cloud.js";
import { IdempotencyKeySchema, InstanceIdsSchema, WorkloadIdSchema } from "./inputs.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { changeHints, defineTool } from "./tool.js";

export const ResumeFromCheckpointInputSchema = z.strictObject({
  workloadId: WorkloadIdSchema.describe("Training workload id"),
  instanceIds: InstanceIdsSchema.describe("Instances launched for this job (with its workloadId), all in one region, with enough accelerators for the job"),
  checkpointUri: z.string().min(1).max(512).optional().describe("Checkpoint to resume from (from request_checkpoint); default: the newest durable one"),
  idempotencyKey: IdempotencyKeySchema,
});

export const ResumeOutputSchema = z.object({
  atMs: AnswerAtMsSchema,
  workloadId: z.string(),
  checkpointUri: z.string(),
  progressHours: z.number().finite().nonnegative(),
  fromRegion: LocationKeySchema,
  toRegion: LocationKeySchema,
  egressGb: z.number().finite().nonnegative(),
  egressUsd: z.number().finite().nonnegative(),
  transferMs: z.number().int().nonnegative(),
  resumesAtMs: z.number().int(),
  instanceIds: z.array(z.string()),
});

export const RESUME_FROM_CHECKPOINT = defineTool({
  name: "resume_from_checkpoint",
  title: "Resume a training job from a checkpoint",
  description:
    "Moves a training job onto the given instances: they pull the checkpoint from its region (egress is charged: checkpoint GB × get_egress_price's USD per GB, " +
    "free within one region) and the job continues from the checkpoint's progress once the transfer (GB ÷ GB/s) and a restart are done (resumesAtMs, ms since epoch). " +
    "Destructive: progress made after the checkpoint is discarded, and the job's old instances stop doing its work (terminate them after verifying the move). " +
    "Idempotent with idempotencyKey. Returns the egress in GB and USD, the transfer time in ms and when the job resumes.",
  inputSchema: ResumeFromCheckpointInputSchema,
  outputSchema: ResumeOutputSchema,
  annotations: changeHints(true),
  listing: null,
  errors: ["not-found", "invalid-argument", "invalid-target", "conflict", "idempotency-mismatch"],
});
