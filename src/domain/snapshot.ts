import { z } from "zod";
import { DriftReportSchema, HealthReportSchema } from "./health.js";
import { InstanceSchema } from "./instance.js";
import { OfferQuoteSchema } from "./offer.js";
import { WorkloadStatusSchema } from "./workload.js";

export type OfferQuote = z.infer<typeof OfferQuoteSchema>;

/** Where a record came from: the name of the tool server (as configured) that reported it. */
const fromServer = { server: z.string().min(1) };

/** How one tool server answered this tick. A server that failed is listed with its error: its data is missing, not zero. */
export const SourceStatusSchema = z.object({
  server: z.string().min(1),
  ok: z.boolean(),
  /** What failed (a tool that errored, timed out, or the server gone), null when ok. */
  error: z.string().nullable(),
  /** Records dropped because they failed their schema (NaN, negative, absurd values): telemetry-invalid. */
  invalid: z.array(z.object({ tool: z.string(), problem: z.string() })).default([]),
  /** Wall ms the observe calls to this server took. */
  ms: z.number().finite().nonnegative(),
});
export type SourceStatus = z.infer<typeof SourceStatusSchema>;

/**
 * One consistent view of the world per tick, gathered by `observe` with bulk calls (one per tool per
 * server). Detectors and planners take it as an argument. Text inside it (labels, notes) is untrusted data.
 */
export const SnapshotSchema = z.object({
  atMs: z.number().int(),
  sources: z.array(SourceStatusSchema),
  workloads: z.array(WorkloadStatusSchema.extend(fromServer)),
  instances: z.array(InstanceSchema.extend(fromServer)),
  health: z.array(HealthReportSchema.extend(fromServer)),
  offers: z.array(OfferQuoteSchema.extend(fromServer)),
  drift: z.array(DriftReportSchema.extend(fromServer)),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;
export type SnapshotWorkload = Snapshot["workloads"][number];
export type SnapshotInstance = Snapshot["instances"][number];
export type SnapshotOffer = Snapshot["offers"][number];

/**
 * Egress from one location to others (`cloud/region` → `cloud/region` → price and bandwidth), gathered
 * by the agent with bulk `get_egress_price` calls and cached (prices are catalog data).
 */
export const EgressMatrixSchema = z.record(
  z.string(),
  z.record(z.string(), z.object({ usdPerGb: z.number().finite().nonnegative(), transferGbPerSecond: z.number().finite().positive() })),
);
export type EgressMatrix = z.infer<typeof EgressMatrixSchema>;
