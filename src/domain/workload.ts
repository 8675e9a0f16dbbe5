import { z } from "zod";
import { CloudSchema, GeoSchema, LocationKeySchema, RegionNameSchema } from "./cloud.js";
import { GpuShapeSchema } from "./offer.js";

export const TierSchema = z.enum(["prod", "dev"]);
export type Tier = z.infer<typeof TierSchema>;

/** A residency entry: a geography (`us`, `eu`, `asia`) or an exact region name. Empty list: anywhere. */
export const ResidencySchema = z.array(z.union([GeoSchema, RegionNameSchema])).max(64);
export type Residency = z.infer<typeof ResidencySchema>;

/** Where something runs: a cloud, a region, and whether it is spot. */
export const PlacementSchema = z.object({
  cloud: CloudSchema,
  region: RegionNameSchema,
  spot: z.boolean(),
  /** Instance type, when pinned; otherwise the cheapest offer with the workload's accelerator. */
  instanceType: z.string().min(1).optional(),
  zone: z.string().min(1).optional(),
});
export type Placement = z.infer<typeof PlacementSchema>;

const WorkloadCommon = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "workload ids are lower-case letters, digits and dashes"),
  team: z.string().min(1).max(64).default("default"),
  tier: TierSchema.default("dev"),
  residency: ResidencySchema.default([]),
  frozen: z.boolean().default(false),
  gpu: GpuShapeSchema,
  /** Most this workload may cost, USD/hour (policy input); null: no cap of its own. */
  maxUsdPerHour: z.number().finite().positive().nullable().default(null),
};

/**
 * The checkpoint a move of a training job carries, GB: the size its tool server reports (`reportedGb`, the
 * workload's own telemetry), else its size in `sizes` (configuration, by workload id), else `fallbackGb`.
 * Own keys only: a workload named like an Object method is no exception.
 */
export function checkpointGbOf(reportedGb: number | null | undefined, sizes: Readonly<Record<string, number>>, fallbackGb: number, workloadId: string): number {
  if (reportedGb !== null && reportedGb !== undefined) return reportedGb;
  return Object.hasOwn(sizes, workloadId) ? sizes[workloadId]! : fallbackGb;
}

/** A training job: needs `workHours` of progress on its accelerator shape, checkpoints as it goes. */
export const TrainingWorkloadSchema = z.object({
  ...WorkloadCommon,
  kind: z.literal("training"),
  workHours: z.number().finite().positive().max(100_000),
  /** Deadline, ms since epoch; null: none. */
  deadlineMs: z.number().int().nullable().default(null),
  checkpointEveryMs: z.number().int().positive(),
  checkpointGb: z.number().finite().nonnegative().max(1_000_000),
});
export type TrainingWorkload = z.infer<typeof TrainingWorkloadSchema>;

/** A model-serving service: replicas per deployment (`cloud/region`), demand in requests per second. */
export const InferenceWorkloadSchema = z.object({
  ...WorkloadCommon,
  kind: z.literal("inference"),
  rps: z.number().finite().nonnegative().max(10_000_000),
  replicaRps: z.number().finite().positive().max(1_000_000).default(100),
  sloP99Ms: z.number().finite().positive().max(600_000),
  modelVersion: z.string().min(1).default("v1"),
});
export type InferenceWorkload = z.infer<typeof InferenceWorkloadSchema>;

export const WorkloadSchema = z.discriminatedUnion("kind", [TrainingWorkloadSchema, InferenceWorkloadSchema]);
export type Workload = z.infer<typeof WorkloadSchema>;
export type WorkloadKind = Workload["kind"];

/** Live state of a workload as the cluster tools report it (`list_workloads`). */
export const WorkloadStatusSchema = z.object({
  id: z.string(),
  kind: z.enum(["training", "inference"]),
  team: z.string(),
  tier: TierSchema,
  residency: ResidencySchema,
  frozen: z.boolean(),
  /** The workload's own cost cap, USD/hour (the policy's `workload-cost-cap`); null: none. */
  maxUsdPerHour: z.number().finite().positive().nullable().default(null),
  gpu: GpuShapeSchema,
  state: z.enum(["running", "waiting", "resuming", "completed", "degraded", "down"]),
  /** Training: hours of work done, and checkpointed. */
  progressHours: z.number().finite().nonnegative().nullable(),
  checkpointedHours: z.number().finite().nonnegative().nullable(),
  workHours: z.number().finite().nonnegative().nullable(),
  /**
   * Training: the size of its checkpoint, GB — what moving it carries, so what its egress costs (null for a
   * serving workload, or where the server cannot say; the planner then assumes its configured size).
   */
  checkpointGb: z.number().finite().nonnegative().nullable().default(null),
  deadlineMs: z.number().int().nullable(),
  /** Where it runs now: for training the active placement; for inference one entry per deployment. */
  deployments: z.array(
    z.object({
      location: LocationKeySchema,
      spot: z.boolean(),
      instanceType: z.string(),
      replicas: z.number().int().nonnegative(),
      healthyReplicas: z.number().int().nonnegative(),
      /** Inference: share of traffic sent here, 0..100. */
      trafficWeight: z.number().finite().min(0).max(100),
    }),
  ),
  /** Inference. */
  rps: z.number().finite().nonnegative().nullable(),
  replicaRps: z.number().finite().positive().nullable(),
  sloP99Ms: z.number().finite().positive().nullable(),
  modelVersion: z.string().nullable(),
  previousModelVersion: z.string().nullable(),
  /** Cost so far, USD. */
  costUsd: z.number().finite().nonnegative(),
  /** Current cost rate, USD/hour. */
  usdPerHour: z.number().finite().nonnegative(),
});
export type WorkloadStatus = z.infer<typeof WorkloadStatusSchema>;
