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

/*
 * Incremental listing (optional for a tool server; skyops' observe uses it where a server offers it).
 * `list_offers`, `list_workloads`, `list_instances`, `get_health` and `get_drift`, called without filters, may return a
 * `revision`: a token naming that answer. Called again (same tool, same MCP session) with `sinceRevision`
 * set to the revision of the previous answer, the server may answer with only what changed since then:
 * `delta` is set, the answer's lists hold only the records that are new or changed in any field other than
 * the accruing ones, `delta.removed` names (by key) the records no longer listed, and `delta.accrued` gives
 * the new values of the accruing fields (cost so far; a training job's progress) of records that changed
 * in those fields only. Every other record is as the previous answer gave it. Keys: offers, workloads and
 * instances by `id`; replicas and interruption notices by `instanceId`; services and drift reports by `workloadId`.
 * A drift report left out of a delta is as before except its `atMs`, which is the answer's. A revision the
 * server does not know (another session, a restart, an answer that was not the last) gets a full answer,
 * without `delta`. Without `sinceRevision` every answer is a full listing, as before.
 */
export const RevisionSchema = z.string().min(1).max(128).describe("Token naming an answer, to pass as sinceRevision to get only what changed since");

/** What a delta answer says besides its (changed) records. */
const deltaOf = <A extends z.ZodRawShape>(removed: z.ZodType, accrued: A) =>
  z.object({
    /** The revision this answer is a delta against (the caller's `sinceRevision`). */
    sinceRevision: RevisionSchema,
    removed,
    ...accrued,
  });
const removedKeys = z.array(z.string()).describe("Keys of records the previous answer listed and this one no longer does");

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
  revision: RevisionSchema.optional(),
  delta: deltaOf(removedKeys, {}).optional(),
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
  /** Sum of `usdPerHour` over the instances listed (ended ones cost 0); in a delta, over every instance it stands for. */
  usdPerHour: z.number().finite().nonnegative(),
  instances: z.array(InstanceSchema),
  revision: RevisionSchema.optional(),
  delta: deltaOf(removedKeys, {
    /** New `costUsd` of instances that changed in nothing else, as parallel lists. */
    accrued: z.object({ ids: z.array(z.string()), costUsd: z.array(z.number().finite().nonnegative()) }),
  }).optional(),
});

export const HealthOutputSchema = HealthReportSchema.extend({
  revision: RevisionSchema.optional(),
  /** In a delta, `regions` is still the whole list; replicas, interruptions and services hold only changes. */
  delta: deltaOf(z.object({ replicas: removedKeys, interruptions: removedKeys, services: removedKeys }), {}).optional(),
});

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

export const ListWorkloadsOutputSchema = z.object({
  atMs,
  workloads: z.array(WorkloadStatusSchema),
  revision: RevisionSchema.optional(),
  delta: deltaOf(removedKeys, {
    /** New `costUsd` and `progressHours` of workloads that changed in nothing else, as parallel lists. */
    accrued: z.object({
      ids: z.array(z.string()),
      costUsd: z.array(z.number().finite().nonnegative()),
      progressHours: z.array(z.number().finite().nonnegative().nullable()),
    }),
  }).optional(),
});

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

export const DriftOutputSchema = z.object({ atMs, reports: z.array(DriftReportSchema), revision: RevisionSchema.optional(), delta: deltaOf(removedKeys, {}).optional() });
