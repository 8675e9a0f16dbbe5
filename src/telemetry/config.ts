import { z } from "zod";
import { DurationSchema } from "../domain/index.js";

const ratio = z.number().finite().positive().max(1_000);
const ticks = z.number().int().positive().max(1_000);

/**
 * What the detectors need to know besides the snapshot. Read once at start with the rest of the daemon's
 * configuration; every option has a default and a one-line description (`describeDetectorConfig`).
 * Durations are milliseconds or text such as `30m`.
 */
export const DetectorConfigSchema = z
  .strictObject({
    psiThreshold: z.number().finite().positive().max(100).default(0.2).describe("Drift finding when the larger of prediction PSI and any feature PSI reaches this"),
    surgeFactor: ratio.default(1.5).describe("A placement's price surges at this multiple of its baseline (for raiseTicks ticks in a row)"),
    surgeClearFactor: ratio.default(1.2).describe("A surge clears below this multiple of the baseline (for clearTicks ticks in a row); lower than surgeFactor"),
    raiseTicks: ticks.default(2).describe("Consecutive ticks a price must stay at or above surgeFactor × baseline before a surge opens"),
    raiseAfterMs: DurationSchema.default(900_000).describe("…and for at least this long: a spike shorter than this is flicker, whatever the tick period"),
    clearTicks: ticks.default(2).describe("Consecutive ticks a price must stay under surgeClearFactor × baseline to close a surge; also how long a vanished finding keeps its id"),
    baselineHalfLifeMs: DurationSchema.default(43_200_000).describe("Half-life of the price baseline's drift toward the current price while no surge is pending or open"),
    minNetSavingsUsd: z.number().finite().nonnegative().default(0).describe("A surge is reported only when moving saves more than this after egress and downtime, USD"),
    checkpointGbDefault: z.number().finite().nonnegative().max(1_000_000).default(50).describe("Checkpoint size assumed for a training job whose tool server does not report one and that has no entry in checkpointGb, GB"),
    checkpointGb: z
      .record(z.string(), z.number().finite().nonnegative().max(1_000_000))
      .default({})
      .describe("Checkpoint size per training workload id, GB, for tool servers whose list_workloads does not report it"),
    migrationOverheadMs: DurationSchema.default(180_000).describe("Downtime of a move besides writing and transferring the checkpoint: provisioning and restart"),
    checkpointWriteGbPerSecond: z.number().finite().positive().default(2).describe("Bandwidth of writing a checkpoint before a move, GB/s"),
    sameRegionGbPerSecond: z.number().finite().positive().default(10).describe("Transfer bandwidth within one region where the egress matrix has no entry for it, GB/s"),
    sloAvailability: z.number().finite().min(0).max(1).default(0.99).describe("SLO breach when a service serves less than this share of its demand within its p99 latency target"),
    budgetUsdPerDay: z.number().finite().positive().nullable().default(null).describe("Budget burn when spend so far today plus the fleet's rate until UTC midnight exceeds this, USD; null: off"),
    stalledAfterMs: DurationSchema.default(600_000).describe("A training job waiting with no running placement this long is stalled"),
    orphanAfterMs: DurationSchema.default(1_800_000).describe("A live instance belonging to no workload this long is an orphan"),
    deadlineSlackMs: DurationSchema.default(3_600_000).describe("A deadline is at risk when the remaining work would end later than the deadline minus this"),
    emptyAcceptedAfterTicks: ticks
      .default(10)
      .describe("A server that reported workloads or health before and now reports none is telemetry-missing for this many ticks, then believed"),
  })
  .refine((c) => c.surgeClearFactor < c.surgeFactor, {
    message: "surgeClearFactor must be lower than surgeFactor, or a surge could never clear without also being raised",
    path: ["surgeClearFactor"],
  });
export type DetectorConfig = z.infer<typeof DetectorConfigSchema>;
export type DetectorConfigInput = z.input<typeof DetectorConfigSchema>;

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = DetectorConfigSchema.parse({});

/** Every option with its default and description, for `--help` texts and the README. */
export function describeDetectorConfig(): { option: string; default: unknown; description: string }[] {
  const shape = DetectorConfigSchema.shape;
  return Object.entries(shape).map(([option, schema]) => ({
    option,
    default: DEFAULT_DETECTOR_CONFIG[option as keyof DetectorConfig],
    description: schema.description ?? "",
  }));
}
