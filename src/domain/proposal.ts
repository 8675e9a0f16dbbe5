import { z } from "zod";
import { LocationKeySchema } from "./cloud.js";
import { PlacementSchema } from "./workload.js";

export const ActionTypeSchema = z.enum(["place", "scale", "failover", "migrate", "rollback", "terminate"]);
export type ActionType = z.infer<typeof ActionTypeSchema>;

/**
 * Who proposed: one of skyops' planners (`builtin`, `llm`), or a person who asked for the action
 * (`user:alice`, through a chat client). Policies see `Agent::"builtin"`, `Agent::"llm"` or `User::"alice"`;
 * a proposer can never approve its own proposal.
 */
export const ProposerSchema = z.union([
  z.enum(["builtin", "llm"]),
  z.custom<`user:${string}`>((v) => typeof v === "string" && /^user:[A-Za-z0-9._@+-]{1,128}$/.test(v), "a proposer is builtin, llm or user:NAME"),
]);
export type Proposer = z.infer<typeof ProposerSchema>;

const finite = z.number().finite();

/** What every proposal carries, whatever its action. */
const ProposalCommon = {
  id: z.string().min(1).max(128),
  workloadId: z.string().min(1),
  proposer: ProposerSchema,
  createdAtMs: z.number().int().nonnegative(),
  /** Change in the workload's cost rate if executed, USD/hour (negative: saves money). */
  costDeltaUsdPerHour: finite.min(-100_000).max(100_000),
  /** One-off cost (egress, double-running during the move), USD. */
  oneOffCostUsd: finite.min(0).max(10_000_000),
  /** Expected downtime of the workload, ms. */
  expectedDowntimeMs: z.number().int().min(0).max(30 * 86_400_000),
  /** Share of the workload's replicas or nodes touched, 0..1. */
  blastRadius: finite.min(0).max(1),
  /** Why, in plain words. */
  rationale: z.string().max(4_000),
  /** Ids of the findings this proposal answers. */
  findingIds: z.array(z.string()).default([]),
  /** True when the only reason for the action is cost (used by change windows). */
  costOnly: z.boolean().default(false),
};

export const PlaceProposalSchema = z.object({ ...ProposalCommon, type: z.literal("place"), target: PlacementSchema, count: z.number().int().positive().max(1_000) });
export const ScaleProposalSchema = z.object({
  ...ProposalCommon,
  type: z.literal("scale"),
  target: PlacementSchema,
  fromReplicas: z.number().int().nonnegative().max(10_000),
  toReplicas: z.number().int().nonnegative().max(10_000),
});
export const FailoverProposalSchema = z.object({
  ...ProposalCommon,
  type: z.literal("failover"),
  source: PlacementSchema,
  target: PlacementSchema,
  /** New traffic weights per deployment (`cloud/region` → 0..100). */
  weights: z.record(LocationKeySchema, finite.min(0).max(100)),
});
export const MigrateProposalSchema = z.object({
  ...ProposalCommon,
  type: z.literal("migrate"),
  source: PlacementSchema,
  target: PlacementSchema,
  checkpointGb: finite.min(0).max(1_000_000),
});
export const RollbackProposalSchema = z.object({
  ...ProposalCommon,
  type: z.literal("rollback"),
  fromVersion: z.string().min(1),
  toVersion: z.string().min(1),
});
export const TerminateProposalSchema = z.object({
  ...ProposalCommon,
  type: z.literal("terminate"),
  instanceIds: z.array(z.string().min(1)).min(1).max(10_000),
});

/** A typed action a planner proposes; only the executor ever carries one out, and only once allowed. */
export const ProposalSchema = z.discriminatedUnion("type", [
  PlaceProposalSchema,
  ScaleProposalSchema,
  FailoverProposalSchema,
  MigrateProposalSchema,
  RollbackProposalSchema,
  TerminateProposalSchema,
]);
export type Proposal = z.infer<typeof ProposalSchema>;
export type ProposalOf<T extends ActionType> = Extract<Proposal, { type: T }>;

/** The placement an action moves work to, if it has one (used by `expect` matching and policy). */
export function proposalTarget(p: Proposal): z.infer<typeof PlacementSchema> | null {
  return "target" in p ? p.target : null;
}
