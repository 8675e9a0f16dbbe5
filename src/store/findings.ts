import type { Finding, SkipReason, StrategyName } from "../domain/index.js";

/** Why nothing was proposed for an open finding, as the last planner to look said. */
export interface FindingSkip {
  planner: string;
  strategy: StrategyName;
  reason: SkipReason;
  atMs: number;
}

/** A finding as stored: `atMs` is when it was last seen. */
export interface StoredFinding extends Finding {
  firstSeenMs: number;
  lastSeenMs: number;
  open: boolean;
  closedAtMs: number | null;
  /** Why nothing was proposed for it; null when a proposal answers it, or no planner has looked. */
  skip: FindingSkip | null;
}

/** A finding a tick closed: what its `finding.cleared` event names. */
export type ClosedFinding = Pick<Finding, "id" | "kind" | "workloadId">;

/**
 * What an upsert did: a new finding, one seen again after it was closed, one still open seen again with
 * another severity, or one still open seen again as it was.
 */
export type UpsertOutcome = "opened" | "reopened" | "severity-changed" | "refreshed";

/**
 * Findings by id. Detectors give a finding a stable id (kind + subject), so seeing the same problem on
 * the next tick refreshes one record instead of adding another. Findings are not audited: they are
 * observations, and the proposals that answer them are.
 */
export interface FindingRepository {
  /**
   * Stores a finding seen at `finding.atMs` (validated against `FindingSchema`). An open finding keeps
   * its first-seen time and takes the new severity, summary and facts; last-seen never moves back. A
   * closed one is reopened as a new episode (first seen now).
   */
  upsert(finding: Finding): Promise<UpsertOutcome>;
  /** `upsert` for each finding, atomically. */
  upsertMany(findings: readonly Finding[]): Promise<UpsertOutcome[]>;
  /**
   * What a tick found, in one atomic call: upserts each of `findings` and closes, at `atMs`, every open
   * finding not among them. Returns the upserts' outcomes (in the order of `findings`) and the findings closed.
   */
  replaceOpen(findings: readonly Finding[], atMs: number): Promise<{ outcomes: UpsertOutcome[]; closed: ClosedFinding[] }>;
  /**
   * Sets why nothing was proposed for each open finding named (null: clears it, a proposal answers it). A
   * finding that is not open is left alone. One call a tick, with only the findings whose skip changed.
   */
  setSkips(skips: readonly { findingId: string; skip: FindingSkip | null }[]): Promise<void>;
  get(id: string): Promise<StoredFinding | null>;
  /** Closes an open finding; false when it was not open (or not stored). */
  close(id: string, atMs: number): Promise<boolean>;
  /** Closes several atomically; returns how many were open. */
  closeMany(ids: readonly string[], atMs: number): Promise<number>;
  /** Open findings, on one workload or all, oldest first. */
  listOpen(workloadId?: string): Promise<StoredFinding[]>;
  /** How many findings are open, by kind (kinds in alphabetical order; kinds with none left out). */
  countOpenByKind(): Promise<Record<string, number>>;
}
