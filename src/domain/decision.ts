import { z } from "zod";
import { ResidencySchema, TierSchema } from "./workload.js";

export const OutcomeSchema = z.enum(["allow", "needs-approval", "deny"]);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Why: a policy's `@id` and `@reason`, or a validator's name and message. */
export const ReasonSchema = z.object({
  source: z.enum(["policy", "validator", "guardrail", "engine"]),
  id: z.string(),
  reason: z.string(),
});
export type Reason = z.infer<typeof ReasonSchema>;

/**
 * The workload a decision was made on, as the policy saw it: the attributes of the Cedar `Workload` entity
 * (policies/skyops.cedarschema). Kept with the decision, so that whoever decides an approval later — the CLI,
 * Slack, MCP chat — asks the policy's `approve` action about the same workload.
 */
export const DecisionWorkloadSchema = z.object({
  id: z.string().min(1),
  team: z.string().min(1),
  tier: TierSchema,
  residency: ResidencySchema,
  frozen: z.boolean(),
  maxUsdPerHour: z.number().finite().positive().nullable(),
});
export type DecisionWorkload = z.infer<typeof DecisionWorkloadSchema>;

/** The policy engine's verdict on one proposal. */
export const DecisionSchema = z.object({
  proposalId: z.string(),
  outcome: OutcomeSchema,
  reasons: z.array(ReasonSchema).min(1),
  atMs: z.number().int(),
  /** SHA-256 of the canonical JSON of the decision's inputs (proposal, facts, policy set). */
  inputDigest: z.string().regex(/^[0-9a-f]{64}$/),
  /** The workload as the policy saw it; null when a validator decided before there was one. */
  workload: DecisionWorkloadSchema.nullable().optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const ApprovalStatusSchema = z.enum(["pending", "approved", "rejected", "expired"]);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;
