import { z } from "zod";
import { CloudSchema, RegionNameSchema } from "../cloud.js";
import { GpuShapeSchema, GpuShapeTextSchema } from "../offer.js";
import { RevisionSchema } from "./listing.js";

/*
 * Input pieces shared by the tools. Inputs are strict and bounded: NaN, ±Infinity, fractions where a count is
 * meant and absurd sizes are refused by the schema, so a server answers with the field's name before its cloud
 * is touched.
 */

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
/** A moment, ms since the Unix epoch (bounded by what a JavaScript Date can hold). */
export const EpochMsInputSchema = z.number().int().min(0).max(8_640_000_000_000_000);
/** Incremental listing (listing.ts): the revision of this tool's previous answer in this session. */
export const SinceRevisionInputSchema = RevisionSchema.describe(
  "The revision of this tool's previous answer (same session, no filters): answer with only what changed since then (see delta). Unknown or older revisions get a full answer",
);
/** An accelerator shape, as `{name, count}` or as text `A100:8`. */
export const GpuInputSchema = z
  .union([GpuShapeSchema, GpuShapeTextSchema])
  .describe("Accelerator shape per instance, as {name, count} or text NAME:COUNT such as A100:8 or L4:1");
