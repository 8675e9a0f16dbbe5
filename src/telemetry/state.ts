import { z } from "zod";

const ms = z.number().int();
const count = z.number().int().nonnegative();
const usd = z.number().finite().nonnegative();

/** A finding seen on some tick: its id is `${kind}/${scope}/${firstSeenAtMs}` for as long as it stays open. */
const IncidentSchema = z.object({
  firstSeenAtMs: ms,
  lastSeenAtMs: ms,
  /** Ticks in a row it has not been raised (its data present); it closes at `clearTicks`. */
  missedTicks: count,
  /** The server whose telemetry shows it: while that server is missing, the incident neither closes nor counts. */
  server: z.string(),
});

/** Hysteresis of one training job's price: a baseline, and ticks above or below the thresholds. */
const SurgeTrackSchema = z.object({
  server: z.string(),
  /** The placement the baseline belongs to (`cloud/region`, purchase option, instance type); a move starts afresh. */
  location: z.string(),
  spot: z.boolean(),
  instanceType: z.string(),
  baselineUsdPerHour: usd,
  baselineAtMs: ms,
  /** Consecutive ticks at or above surgeFactor × baseline while closed. */
  above: count,
  /** The first of those ticks; null while none. */
  aboveSinceMs: ms.nullable().default(null),
  /** Consecutive ticks under surgeClearFactor × baseline while open. */
  below: count,
  /** When the surge opened; null while closed. */
  openSinceMs: ms.nullable(),
});
export type SurgeTrack = z.infer<typeof SurgeTrackSchema>;

const SinceSchema = z.object({ server: z.string(), sinceMs: ms });
export type Since = z.infer<typeof SinceSchema>;

/** What each server reported when it last reported something: a server going quiet is telemetry-missing. */
const ServerSeenSchema = z.object({
  workloads: count,
  health: count,
  /** Consecutive ticks it reported none of something it reported before. */
  emptyTicks: count,
});
export type ServerSeen = z.infer<typeof ServerSeenSchema>;

const BudgetTrackSchema = z.object({
  /** Midnight UTC of the day `spentTodayUsd` counts. */
  dayStartMs: ms,
  spentTodayUsd: usd,
  /** Cumulative cost each server reported last (workloads' cost plus orphans'), USD. */
  totals: z.record(z.string(), usd),
});
export type BudgetTrack = z.infer<typeof BudgetTrackSchema>;

/**
 * Everything detect() remembers between ticks. Plain JSON: the agent persists it with the graph's
 * checkpoint and hands it back on the next tick (a daemon restart resumes the same hysteresis).
 */
export const DetectorStateSchema = z.object({
  version: z.literal(1),
  /** Time of the snapshot that produced this state; null before the first tick. */
  lastAtMs: ms.nullable(),
  /** Open incidents by `${kind}/${scope}`. */
  incidents: z.record(z.string(), IncidentSchema),
  /** Price hysteresis by training workload id. */
  surge: z.record(z.string(), SurgeTrackSchema),
  /** Since when each training job has been waiting, by workload id. */
  waiting: z.record(z.string(), SinceSchema),
  /** Since when each orphan instance has been seen without a workload, by instance id. */
  orphans: z.record(z.string(), SinceSchema),
  /** By server name. */
  servers: z.record(z.string(), ServerSeenSchema),
  budget: BudgetTrackSchema.nullable(),
});
export type DetectorState = z.infer<typeof DetectorStateSchema>;

/** The state before the first tick. */
export function initialDetectorState(): DetectorState {
  return { version: 1, lastAtMs: null, incidents: {}, surge: {}, waiting: {}, orphans: {}, servers: {}, budget: null };
}

/**
 * Reads a persisted state; anything unreadable (an older version, a damaged row) starts afresh rather
 * than failing the tick: the cost is one tick of re-learnt baselines and new incident ids.
 */
export function restoreDetectorState(value: unknown): DetectorState {
  const parsed = DetectorStateSchema.safeParse(value);
  return parsed.success ? parsed.data : initialDetectorState();
}
