import { z } from "zod";

const ms = z.number().int().nonnegative();
const gb = z.number().finite().nonnegative().max(1_000_000);

/**
 * The built-in planner's options. Every option has a default and a one-line description; the daemon
 * reads them once at start (file + env) and passes the parsed value in `PlannerInput.config`.
 */
export const PlannerConfigSchema = z.object({
  checkpointGb: z
    .record(z.string(), gb)
    .default({})
    .describe("Checkpoint size per training workload id, GB, for tool servers whose list_workloads does not report it."),
  defaultCheckpointGb: gb.default(50).describe("Checkpoint size of a training workload whose tool server does not report one and that is not in checkpointGb, GB."),
  provisionMs: z
    .object({ aws: ms.default(90_000), gcp: ms.default(60_000), azure: ms.default(120_000) })
    .prefault({})
    .describe("Time from launch until a new instance is ready, per cloud, ms."),
  restartMs: ms.default(60_000).describe("Time a training job takes to restart from a checkpoint that is in place, ms."),
  egressFallback: z
    .object({
      usdPerGb: z.number().finite().nonnegative().default(0.12),
      transferGbPerSecond: z.number().finite().positive().default(0.5),
    })
    .prefault({})
    .describe("Egress price and bandwidth assumed where the egress matrix has no entry (or the checkpoint's location is unknown)."),
  minNetSavingsUsd: z
    .number()
    .finite()
    .nonnegative()
    .default(5)
    .describe("A cost-only migration must save at least this much over the rest of the job, after egress and downtime, USD."),
  spotInterruptionsPerHour: z
    .number()
    .finite()
    .nonnegative()
    .max(60)
    .default(0.1)
    .describe("Expected spot interruptions per hour of running (sizes the deadline margin and spot's expected overhead)."),
  lostHoursPerInterruption: z
    .number()
    .finite()
    .nonnegative()
    .default(0.25)
    .describe("Progress expected to be lost per spot interruption (about half a checkpoint interval), hours."),
  checkpointIntervalHours: z
    .number()
    .finite()
    .nonnegative()
    .max(1_000)
    .default(0.5)
    .describe("Worst progress one spot interruption can lose (the checkpoint interval), hours: the deadline rule's hard margin."),
  deadlineSafetyFactor: z
    .number()
    .finite()
    .nonnegative()
    .default(0)
    .describe("Extra deadline margin of this many times the expected interruption losses of the rest of the run (0: the worst loss of one interruption only)."),
  stickyOnDemand: z
    .boolean()
    .default(false)
    .describe("A training job with a deadline that runs on demand is never moved back to spot (false: back to spot with 2 restarts of slack beyond the margin)."),
  waitSlackShare: z
    .number()
    .finite()
    .nonnegative()
    .max(10)
    .default(0.1)
    .describe("A deadline-bound job with no spot anywhere waits for it (runs nowhere) only while its slack beyond the margin exceeds this share of the work left (the uniform-progress line); else on demand."),
  replicaHeadroom: z
    .number()
    .finite()
    .nonnegative()
    .max(10)
    .default(0.2)
    .describe("Serving: add replicas when healthy capacity is below demand × (1 + this)."),
  maxReplicasPerScale: z.number().int().positive().max(10_000).default(50).describe("Most replicas one scale proposal adds."),
  minWeightChange: z
    .number()
    .finite()
    .min(0)
    .max(100)
    .default(5)
    .describe("A failover is proposed only when some traffic weight moves by at least this many points (or an unhealthy deployment has traffic)."),
  servingZoneLosses: z
    .number()
    .int()
    .nonnegative()
    .max(100)
    .default(2)
    .describe("Serving on spot: the fleet keeps its required replicas if this many of its fullest zones (at most all but one) lose spot capacity at once."),
  servingMaxSpotPerZone: z
    .number()
    .finite()
    .positive()
    .max(100)
    .default(0.5)
    .describe("Serving on spot: most spot replicas in one zone, as a share of the required replicas."),
  servingTargetAvailability: z
    .number()
    .min(0)
    .max(1)
    .default(0.999)
    .describe("Serving on spot: buy replicas until replaying the reclaims seen so far leaves at most 1 − this share of demand unserved (0: off)."),
  servingSpot: z.boolean().default(false).describe("New serving deployments (a scale where no healthy deployment can grow) use spot capacity."),
  orphanWorkloadId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .default("orphan-instances")
    .describe("Workload id that terminate proposals for instances of no workload are filed under."),
});
export type PlannerConfig = z.infer<typeof PlannerConfigSchema>;
export type PlannerConfigInput = z.input<typeof PlannerConfigSchema>;

/** The configuration with every default filled in (throws a ZodError listing every problem). */
export function plannerConfig(input: PlannerConfigInput = {}): PlannerConfig {
  return PlannerConfigSchema.parse(input);
}
