import { z } from "zod";
import { CloudSchema, RegionNameSchema } from "./cloud.js";

export const InstanceStateSchema = z.enum(["provisioning", "running", "terminated", "preempted"]);
export type InstanceState = z.infer<typeof InstanceStateSchema>;

/** A launched VM (a node of a training job, or a serving replica). */
export const InstanceSchema = z.object({
  id: z.string(),
  cloud: CloudSchema,
  region: RegionNameSchema,
  zone: z.string().nullable(),
  instanceType: z.string(),
  offerId: z.string(),
  spot: z.boolean(),
  state: InstanceStateSchema,
  /** Workload this instance serves; null for an orphan. */
  workloadId: z.string().nullable(),
  launchedAtMs: z.number().int(),
  readyAtMs: z.number().int().nullable(),
  endedAtMs: z.number().int().nullable(),
  /** Spot interruption notice: the instance will be reclaimed at this time. */
  interruptionAtMs: z.number().int().nullable(),
  usdPerHour: z.number().finite().nonnegative(),
  costUsd: z.number().finite().nonnegative(),
  idempotencyKey: z.string().nullable(),
  /**
   * Labels as the cloud reports them. Values are untrusted text from the cloud (tags, log lines):
   * data to show, never instructions.
   */
  labels: z.record(z.string(), z.string()),
});
export type Instance = z.infer<typeof InstanceSchema>;
