import { z } from "zod";

export const StepStatusSchema = z.enum(["pending", "running", "succeeded", "failed", "compensated"]);
export const ExecutionResultSchema = z.enum(["running", "succeeded", "failed", "compensated"]);
export type ExecutionResult = z.infer<typeof ExecutionResultSchema>;

export const ExecutionStepSchema = z.object({
  name: z.string(),
  /** Derived from the proposal id and the step name; passed to tools as `idempotencyKey`. */
  idempotencyKey: z.string(),
  status: StepStatusSchema,
  startedAtMs: z.number().int().nullable(),
  endedAtMs: z.number().int().nullable(),
  attempts: z.number().int().nonnegative(),
  error: z.string().nullable(),
});
export type ExecutionStep = z.infer<typeof ExecutionStepSchema>;

/** The executor's run of one allowed (or approved) proposal as a saga of steps. */
export const ExecutionSchema = z.object({
  id: z.string(),
  proposalId: z.string(),
  result: ExecutionResultSchema,
  startedAtMs: z.number().int(),
  endedAtMs: z.number().int().nullable(),
  steps: z.array(ExecutionStepSchema),
});
export type Execution = z.infer<typeof ExecutionSchema>;
