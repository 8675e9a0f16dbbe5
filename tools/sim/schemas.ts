import { z } from "zod";
import {
  CloudSchema,
  DriftReportSchema,
  GpuShapeSchema,
  GpuShapeTextSchema,
  HealthReportSchema,
  InstanceSchema,
  LocationKeySchema,
  OfferSchema,
  PricePointSchema,
  RegionNameSchema,
  WorkloadStatusSchema,
} from "../../src/domain/index.js";

/*
 * Input pieces and output objects of the sim tool server. Records come from src/domain; outputs wrap lists
 * in an object (MCP's structuredContent must be an object) and carry `atMs`, the simulated time of the
 * answer. Inputs are strict and bounded: NaN, ±Infinity, fractions where a count is meant and absurd sizes
 * are refused by the schema, so the SDK answers with the field's name before the world is touched.
 */

// ------------------------------------------------------------------------------------------ inputs

export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(256)
  .describe("Key that makes this change happen once: the same key with the same arguments returns the first result and changes nothing; the same key with other arguments is refused. Derive it from the action and step, e.g. proposal-42/launch.");

export const WorkloadIdSchema = z.string().min(1).max(128).describe("Workload id, as list_workloads reports it");
export const InstanceIdSchema = z.string().min(1).max(128).describe("Instance id, as list_instances reports it");
export const InstanceIdsSchema = z.array(InstanceIdSchema).min(1).max(1_000);
export const CloudInputSchema = CloudSchema.describe("Cloud: aws, gcp or azure");
export const RegionInputSchema = RegionNameSchema.describe("Region name in that cloud, e.g. us-east-1, us-central1, eastus");
/** A moment in simulated time, ms since the Unix epoch (bounded by what a JavaScript Date can hold). */
export const EpochMsInputSchema = z.number().int().min(0).max(8_640_000_000_000_000);
/** An accelerator shape, as `{name, count}` or as text `A100:8`. */
export const GpuInputSchema = z
  .union([GpuShapeSchema, GpuShapeTextSchema])
  .describe("Accelerator shape per instance, as {name, count} or text NAME:COUNT such as A100:8 or L4:1");

// ------------------------------------------------------------------------------------------ outputs

const usdPerHourNow = z.number().finite().nonnegative();
const atMs = z.number().int().describe("Simulated time of this answer, ms since epoch");

/** An offer with the prices and spot availability in force now (the world's OfferQuote). */
export const OfferQuoteSchema = OfferSchema.extend({
  spotUsdPerHourNow: usdPerHourNow.nullable(),
  onDemandUsdPerHourNow: usdPerHourNow.nullable(),
  spotAvailability: z.number().min(0).max(1),
  launchable: z.boolean(),
  spotPriceSource: z.string().nullable(),
  spotAvailabilitySource: z.string().nullable(),
});

export const ListOffersOutputSchema = z.object({
  atMs,
  /** Offers matching the filter, before `limit`. */
  total: z.number().int().nonnegative(),
  truncated: z.boolean(),
  offers: z.array(OfferQuoteSchema),
});

export const PriceHistoryOutputSchema = z.object({
  atMs,
  offerId: z.string(),
  spot: z.boolean(),
  sinceMs: z.number().int(),
  untilMs: z.number().int(),
  source: z.string(),
  truncated: z.boolean(),
  points: z.array(PricePointSchema),
});

export const ListInstancesOutputSchema = z.object({
  atMs,
  /** Sum of `usdPerHour` over the instances listed (ended ones cost 0). */
  usdPerHour: z.number().finite().nonnegative(),
  instances: z.array(InstanceSchema),
});

export const HealthOutputSchema = HealthReportSchema;

export const EgressPriceOutputSchema = z.object({
  atMs,
  from: LocationKeySchema,
  to: LocationKeySchema,
  usdPerGb: z.number().finite().nonnegative(),
  basis: z.enum(["same-region", "inter-region", "internet"]),
  /** Transfer bandwidth, GB/s; null where the world gives no finite bandwidth. */
  transferGbPerSecond: z.number().finite().positive().nullable(),
  /** With `gb`: what moving that much costs and takes. */
  gb: z.number().finite().nonnegative().nullable(),
  usd: z.number().finite().nonnegative().nullable(),
  transferMs: z.number().int().nonnegative().nullable(),
});

export const LaunchOutputSchema = z.object({
  atMs,
  usdPerHour: z.number().finite().nonnegative(),
  instances: z.array(InstanceSchema),
});

export const TerminateOutputSchema = z.object({ atMs, instances: z.array(InstanceSchema) });

export const ListWorkloadsOutputSchema = z.object({ atMs, workloads: z.array(WorkloadStatusSchema) });

export const WorkloadOutputSchema = z.object({ atMs, workload: WorkloadStatusSchema });

export const CheckpointOutputSchema = z.object({
  atMs,
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

export const ResumeOutputSchema = z.object({
  atMs,
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

export const DriftOutputSchema = z.object({ atMs, reports: z.array(DriftReportSchema) });
