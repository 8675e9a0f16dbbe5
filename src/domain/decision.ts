import { z } from "zod";

export const OutcomeSchema = z.enum(["allow", "needs-approval", "deny"]);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Why: a policy's `@id` and `@reason`, or a validator's name and message. */
export const ReasonSchema = z.object({
  source: z.enum(["policy", "validator", "guardrail", "engine"]),
  id: z.string(),
  reason: z.string(),
});
export type Reason = z.infer<typeof ReasonSchema>;

/** The policy engine's verdict on one proposal. */
export const DecisionSchema = z.object({
  proposalId: z.string(),
  outcome: OutcomeSchema,
  reasons: z.array(ReasonSchema).min(1),
  atMs: z.number().int(),
  /** SHA-256 of the canonical JSON of the decision's inputs (proposal, facts, policy set). */
  inputDigest: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const ApprovalStatusSchema = z.enum(["pending", "approved", "rejected", "expired"]);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;
