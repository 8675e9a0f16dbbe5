import { z } from "zod";
import { CloudSchema, LocationKeySchema } from "./cloud.js";
import { DriftReportSchema, HealthReportSchema } from "./health.js";
import { InstanceSchema } from "./instance.js";
import { OfferSchema } from "./offer.js";
import { PricePointSchema } from "./data.js";
import { WorkloadStatusSchema } from "./workload.js";

/*
 * The tool contract's outputs (DESIGN.md, "Tool contract"): what every cloud tool server returns as
 * structuredContent. Lists are wrapped in objects (structuredContent must be an object) with `atMs`,
 * the time of the answer. Any MCP server that returns these shapes can stand in for ours.
 */


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
