import { z } from "zod";
import { CloudSchema } from "./cloud.js";

/**
 * Records of the real data the simulator replays (`data/`). The loader in `src/data` validates every row
 * of the CSV files into these shapes; the simulator takes them as arguments and never reads files.
 */

/** One point of a spot (or on-demand) price series: the price in force from `atMs` until the next point. */
export const PricePointSchema = z.object({
  atMs: z.number().int(),
  usdPerHour: z.number().finite().nonnegative(),
});
export type PricePoint = z.infer<typeof PricePointSchema>;

/** A real price history for one instance type in one region (and zone where the source has one). */
export const PriceSeriesSchema = z.object({
  /** `source:cloud:region:zone:instanceType` */
  id: z.string(),
  source: z.string(),
  cloud: CloudSchema,
  region: z.string(),
  zone: z.string().nullable(),
  instanceType: z.string(),
  /** spot or on-demand prices */
  kind: z.enum(["spot", "ondemand"]),
  /** Sorted by `atMs`, at least one point. */
  points: z.array(PricePointSchema).min(1),
});
export type PriceSeries = z.infer<typeof PriceSeriesSchema>;

/** A run of equal values in an availability trace: `value` for ticks [startTick, startTick + nTicks). */
export const TraceRunSchema = z.object({
  startTick: z.number().int().nonnegative(),
  nTicks: z.number().int().positive(),
  value: z.number().int().nonnegative(),
});
export type TraceRun = z.infer<typeof TraceRunSchema>;

/**
 * A real spot availability / preemption trace (the "Can't Be Late" NSDI'24 traces): for each tick of
 * `gapSeconds`, how many of `nodes` spot instances were available (running).
 */
export const AvailabilityTraceSchema = z.object({
  id: z.string(),
  kind: z.enum(["availability", "preemption"]),
  nodes: z.number().int().positive(),
  cloud: CloudSchema,
  region: z.string(),
  zone: z.string(),
  instanceType: z.string(),
  accelerator: z.string().nullable(),
  /** Start of the trace (UTC ms); where the source has only a date, midnight UTC of that date. */
  startMs: z.number().int(),
  gapSeconds: z.number().int().positive(),
  nTicks: z.number().int().positive(),
  runs: z.array(TraceRunSchema).min(1),
  /** Spot price per tick run, where the trace carries prices. */
  prices: z.array(z.object({ startTick: z.number().int().nonnegative(), nTicks: z.number().int().positive(), usdPerHour: z.number().finite().nonnegative() })),
});
export type AvailabilityTrace = z.infer<typeof AvailabilityTraceSchema>;

/** Inter-region transfer price inside one cloud, USD per GB. */
export const InterRegionEgressSchema = z.object({
  cloud: CloudSchema,
  srcRegion: z.string(),
  dstRegion: z.string(),
  usdPerGb: z.number().finite().nonnegative(),
});
export type InterRegionEgress = z.infer<typeof InterRegionEgressSchema>;

/**
 * Internet egress tier of one cloud (used for transfers between clouds): `usdPerGb` for volume in
 * [startGb, endGb); `endGb` null for the open last tier (JSON has no Infinity).
 */
export const InternetEgressTierSchema = z.object({
  cloud: CloudSchema,
  startGb: z.number().finite().nonnegative(),
  endGb: z.number().finite().positive().nullable(),
  usdPerGb: z.number().finite().nonnegative(),
});
export type InternetEgressTier = z.infer<typeof InternetEgressTierSchema>;

/** AWS Spot Advisor interruption frequency bucket (0: <5% … 4: >20% per month). */
export const SpotAdvisorRowSchema = z.object({
  region: z.string(),
  instanceType: z.string(),
  interruptionRangeIndex: z.number().int().min(0).max(4),
  savingsOverOnDemandPct: z.number().finite(),
});
export type SpotAdvisorRow = z.infer<typeof SpotAdvisorRowSchema>;

/** Everything the simulator replays, as validated records. */
export interface WorldData {
  offers: import("./offer.js").Offer[];
  priceSeries: PriceSeries[];
  traces: AvailabilityTrace[];
  interRegionEgress: InterRegionEgress[];
  internetEgress: InternetEgressTier[];
  spotAdvisor: SpotAdvisorRow[];
}
