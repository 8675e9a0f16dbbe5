import { z } from "zod";
import { ActionTypeSchema, CloudSchema, GpuShapeSchema, LocationKeySchema, ResidencySchema, TierSchema } from "../domain/index.js";

const Instant = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not an ISO 8601 time such as 2025-06-02T10:00:00Z` });
    return z.NEVER;
  }
  return ms;
});

/** What the policy engine knows of the workload a proposal touches. */
export const WorkloadFactsSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(["training", "inference"]).optional(),
  team: z.string().min(1).default("default"),
  tier: TierSchema.default("dev"),
  residency: ResidencySchema.default([]),
  frozen: z.boolean().default(false),
  gpu: GpuShapeSchema.optional(),
  /** The workload's own cost cap, USD/hour; null: none. */
  maxUsdPerHour: z.number().finite().positive().nullable().default(null),
  /** Its cost rate now, USD/hour. */
  usdPerHour: z.number().finite().nonnegative().max(1_000_000).default(0),
});
export type WorkloadFacts = z.infer<typeof WorkloadFactsSchema>;

/** An offer as the tool servers quote it now: used to check that a target exists and has capacity. */
export const OfferFactSchema = z.strictObject({
  cloud: CloudSchema,
  region: z.string().min(1),
  instanceType: z.string().min(1),
  accelerator: z.string().nullable().default(null),
  acceleratorCount: z.number().int().nonnegative().default(0),
  spot: z.boolean().default(false),
  launchable: z.boolean().default(true),
  spotAvailability: z.number().finite().min(0).max(1).default(1),
});
export type OfferFact = z.infer<typeof OfferFactSchema>;

/**
 * The facts a decision is made on, all passed in: the engine reads no clock, no file, no network.
 * Counters (actions in the last hour, in-flight actions, failed executions) come from the store.
 */
export const PolicyFactsSchema = z.strictObject({
  /** Now, ms since epoch or ISO 8601. */
  now: Instant,
  /** The workload the proposal touches; null when the caller found none (the proposal is then denied). */
  workload: WorkloadFactsSchema.nullable(),
  /**
   * Offers quoted now. When given, a target must match one that is launchable (capacity). When absent,
   * only the engine's catalog (if it has one) is checked.
   */
  offers: z.array(OfferFactSchema).optional(),
  /** Health per location (`cloud/region`); a location not listed is unknown, which is not healthy. */
  health: z.record(LocationKeySchema, z.enum(["healthy", "unhealthy"])).default({}),
  /** Spent today (UTC day) so far across the fleet, USD. */
  spendTodayUsd: z.number().finite().nonnegative().max(1e9).default(0),
  /** The fleet's cost rate now, USD/hour (projects today's spend to midnight). */
  fleetUsdPerHour: z.number().finite().nonnegative().max(1e9).default(0),
  /** Actions executed (or started) in the last hour: on this workload, and in the fleet. */
  actionsLastHourWorkload: z.number().int().nonnegative().default(0),
  actionsLastHour: z.number().int().nonnegative().default(0),
  /** Actions executing now. */
  inFlight: z
    .array(z.strictObject({ proposalId: z.string(), workloadId: z.string(), type: ActionTypeSchema }))
    .default([]),
  /** When recent executions failed, ms since epoch (or ISO 8601). */
  failures: z.array(Instant).default([]),
});
export type PolicyFacts = z.infer<typeof PolicyFactsSchema>;
export type PolicyFactsInput = z.input<typeof PolicyFactsSchema>;

/** What `skyops policy check` reads: a proposal and its facts (JSON or YAML). */
export const PolicyCheckInputSchema = z.strictObject({
  proposal: z.unknown(),
  facts: PolicyFactsSchema,
});

/** An example case of `policies/tests/*.yaml`, run by `skyops policy test`. */
export const PolicyTestCaseSchema = z.strictObject({
  name: z.string().min(1),
  about: z.string().optional(),
  proposal: z.unknown(),
  facts: PolicyFactsSchema,
  /** Guardrail overrides for this case. */
  guardrails: z.record(z.string(), z.unknown()).optional(),
  expect: z.strictObject({
    outcome: z.enum(["allow", "needs-approval", "deny"]),
    /** Ids that must be among the decision's reasons. */
    reasons: z.array(z.string()).optional(),
  }),
});
export type PolicyTestCase = z.infer<typeof PolicyTestCaseSchema>;
