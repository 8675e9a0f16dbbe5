import { z } from "zod";
import { CloudSchema, LocationKeySchema, RegionNameSchema } from "./cloud.js";
import { GpuShapeTextSchema } from "./offer.js";
import { DurationSchema } from "./units.js";
import { ResidencySchema, TierSchema } from "./workload.js";

/**
 * A simulated world: a fleet and a timeline, in the shape of SCENARIOS.md (durations as text such as
 * `30m`, accelerators as `A100:8`). Objects are strict: an unknown key is an error that names it.
 */

const WorkloadIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "workload ids are lower-case letters, digits and dashes");

export const TrainingSpecSchema = z.strictObject({
  id: WorkloadIdSchema,
  kind: z.literal("training"),
  gpu: GpuShapeTextSchema,
  at: z.strictObject({ cloud: CloudSchema, region: RegionNameSchema, spot: z.boolean().default(false) }),
  workHours: z.number().finite().positive().max(100_000),
  deadline: DurationSchema.optional(),
  checkpointEvery: DurationSchema.default(1_800_000),
  checkpointGb: z.number().finite().nonnegative().max(1_000_000).default(50),
  residency: ResidencySchema.default([]),
  tier: TierSchema.default("dev"),
  frozen: z.boolean().default(false),
  team: z.string().min(1).max(64).default("default"),
  /** Most this workload may cost, USD/hour: an action taking it over needs a human (`workload-cost-cap`). */
  maxUsdPerHour: z.number().finite().positive().max(1_000_000).optional(),
});
export type TrainingSpec = z.infer<typeof TrainingSpecSchema>;

export const InferenceSpecSchema = z.strictObject({
  id: WorkloadIdSchema,
  kind: z.literal("inference"),
  gpu: GpuShapeTextSchema,
  replicas: z.record(LocationKeySchema, z.number().int().nonnegative().max(10_000)),
  /** Deployments on spot capacity (default on-demand). */
  spot: z.boolean().default(false),
  rps: z.number().finite().nonnegative().max(10_000_000),
  replicaRps: z.number().finite().positive().max(1_000_000).default(100),
  sloP99Ms: z.number().finite().positive().max(600_000),
  /** The model serving now; `v2` (the default) was preceded by `v1`, which a rollback returns to. */
  modelVersion: z.string().min(1).max(128).default("v2"),
  residency: ResidencySchema.default([]),
  tier: TierSchema.default("dev"),
  frozen: z.boolean().default(false),
  team: z.string().min(1).max(64).default("default"),
  /** Most this workload may cost, USD/hour: an action taking it over needs a human (`workload-cost-cap`). */
  maxUsdPerHour: z.number().finite().positive().max(1_000_000).optional(),
});
export type InferenceSpec = z.infer<typeof InferenceSpecSchema>;

export const WorkloadSpecSchema = z.discriminatedUnion("kind", [TrainingSpecSchema, InferenceSpecSchema]);
export type WorkloadSpec = z.infer<typeof WorkloadSpecSchema>;

const positiveFactor = z.number().finite().positive().max(1_000);

export const PriceEventSchema = z
  .strictObject({
    cloud: CloudSchema,
    region: RegionNameSchema,
    gpu: z.string().min(1),
    spot: z.boolean().default(true),
    factor: positiveFactor.optional(),
    usdPerHour: z.number().finite().nonnegative().max(100_000).optional(),
    for: DurationSchema,
  })
  .refine((e) => (e.factor === undefined) !== (e.usdPerHour === undefined), "a price event gives exactly one of factor or usdPerHour");

export const EventSpecSchema = z.union([
  z.strictObject({ at: DurationSchema, price: PriceEventSchema }),
  z.strictObject({ at: DurationSchema, outage: z.strictObject({ cloud: CloudSchema, region: RegionNameSchema, for: DurationSchema }) }),
  z.strictObject({
    at: DurationSchema,
    stockout: z.strictObject({ cloud: CloudSchema, region: RegionNameSchema, gpu: z.string().min(1), for: DurationSchema }),
  }),
  z.strictObject({ at: DurationSchema, preempt: z.strictObject({ workload: WorkloadIdSchema }) }),
  z.strictObject({
    at: DurationSchema,
    latency: z.strictObject({ cloud: CloudSchema, region: RegionNameSchema, addMs: z.number().finite().nonnegative().max(600_000), for: DurationSchema }),
  }),
  z.strictObject({ at: DurationSchema, drift: z.strictObject({ workload: WorkloadIdSchema, psi: z.number().finite().nonnegative().max(100) }) }),
  z.strictObject({
    at: DurationSchema,
    traffic: z.strictObject({ workload: WorkloadIdSchema, factor: z.number().finite().nonnegative().max(1_000), for: DurationSchema }),
  }),
  z.strictObject({ at: DurationSchema, note: z.strictObject({ workload: WorkloadIdSchema, text: z.string().max(10_000) }) }),
]);
export type EventSpec = z.infer<typeof EventSpecSchema>;
export type EventKind = "price" | "outage" | "stockout" | "preempt" | "latency" | "drift" | "traffic" | "note";

export function eventKind(e: EventSpec): EventKind {
  for (const k of ["price", "outage", "stockout", "preempt", "latency", "drift", "traffic", "note"] as const) {
    if (k in e) return k;
  }
  throw new Error("unknown event");
}

/** A whole simulated world: seed, start, fleet and timeline. */
export const WorldSpecSchema = z.strictObject({
  seed: z.number().int().nonnegative().max(2 ** 32 - 1),
  /** Position in the bundled price traces, ms since epoch. */
  startMs: z.number().int(),
  clouds: z.array(CloudSchema).min(1).default(["aws", "gcp", "azure"]),
  workloads: z.array(WorkloadSpecSchema),
  events: z.array(EventSpecSchema).default([]),
});
export type WorldSpec = z.infer<typeof WorldSpecSchema>;
export type WorldSpecInput = z.input<typeof WorldSpecSchema>;
