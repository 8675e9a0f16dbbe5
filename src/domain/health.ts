import { z } from "zod";
import { CloudSchema, LocationKeySchema, RegionNameSchema } from "./cloud.js";

export const RegionHealthSchema = z.object({
  cloud: CloudSchema,
  region: RegionNameSchema,
  state: z.enum(["up", "down"]),
  /** Added network latency in force, ms. */
  addedLatencyMs: z.number().finite().nonnegative(),
  /** Accelerators out of stock here (launches fail). */
  stockouts: z.array(z.string()),
});
export type RegionHealth = z.infer<typeof RegionHealthSchema>;

export const ReplicaHealthSchema = z.object({
  workloadId: z.string(),
  location: LocationKeySchema,
  instanceId: z.string(),
  state: z.enum(["provisioning", "healthy", "unhealthy"]),
  latencyP99Ms: z.number().finite().nonnegative(),
  servedRps: z.number().finite().nonnegative(),
});
export type ReplicaHealth = z.infer<typeof ReplicaHealthSchema>;

export const InterruptionNoticeSchema = z.object({
  instanceId: z.string(),
  workloadId: z.string().nullable(),
  cloud: CloudSchema,
  region: RegionNameSchema,
  /** When the instance will be reclaimed, ms since epoch. */
  atMs: z.number().int(),
});
export type InterruptionNotice = z.infer<typeof InterruptionNoticeSchema>;

/** `get_health`: regions, serving replicas and spot interruption notices at one moment. */
export const HealthReportSchema = z.object({
  atMs: z.number().int(),
  regions: z.array(RegionHealthSchema),
  replicas: z.array(ReplicaHealthSchema),
  interruptions: z.array(InterruptionNoticeSchema),
  /** Per inference workload: demand and served-within-SLO now, requests/second. */
  services: z.array(
    z.object({
      workloadId: z.string(),
      demandRps: z.number().finite().nonnegative(),
      servedWithinSloRps: z.number().finite().nonnegative(),
      latencyP99Ms: z.number().finite().nonnegative(),
    }),
  ),
});
export type HealthReport = z.infer<typeof HealthReportSchema>;

export const FeatureDriftSchema = z.object({
  feature: z.string(),
  psi: z.number().finite().nonnegative(),
  ks: z.number().finite().min(0).max(1),
});

/** `get_drift`: per-feature PSI/KS and prediction drift of one serving workload over a window. */
export const DriftReportSchema = z.object({
  workloadId: z.string(),
  modelVersion: z.string(),
  atMs: z.number().int(),
  windowMs: z.number().int().positive(),
  features: z.array(FeatureDriftSchema),
  /** PSI of the prediction distribution against the reference. */
  predictionPsi: z.number().finite().nonnegative(),
});
export type DriftReport = z.infer<typeof DriftReportSchema>;

export const LocationSchema = LocationKeySchema;

/**
 * What a region looks like in one snapshot, merged over the health reports that list it: down if any says
 * so, their stock-outs together (accelerator names lower-case), the worst added latency, and the first
 * server that reported it. The detectors and the planner read regions this way.
 */
export interface RegionView {
  down: boolean;
  stockouts: Set<string>;
  addedLatencyMs: number;
  server: string;
}

/** Folds one report's line for a region into `regions`, keyed `cloud/region`. */
export function mergeRegionHealth(regions: Map<string, RegionView>, server: string, r: RegionHealth): void {
  const key = `${r.cloud}/${r.region}`;
  const seen = regions.get(key);
  if (seen) {
    seen.down ||= r.state === "down";
    for (const s of r.stockouts) seen.stockouts.add(s.toLowerCase());
    seen.addedLatencyMs = Math.max(seen.addedLatencyMs, r.addedLatencyMs);
  } else {
    regions.set(key, { down: r.state === "down", stockouts: new Set(r.stockouts.map((s) => s.toLowerCase())), addedLatencyMs: r.addedLatencyMs, server });
  }
}
