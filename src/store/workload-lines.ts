/** One workload as `skyops status` lists it. */
export interface WorkloadLine {
  id: string;
  kind: string;
  tier: string;
  state: string;
  locations: string[];
  usdPerHour: number;
  costUsd: number;
}

/** A workload's line as a publisher hands it over: who reports it, and the line without its cost. */
export interface PublishedLine {
  server: string;
  line: Omit<WorkloadLine, "costUsd">;
}

/** One server's workload costs: ids and USD so far, in parallel (compact to write every tick). */
export interface WorkloadCosts {
  ids: string[];
  usd: number[];
}

/**
 * The workload lines the daemon publishes every tick for `skyops status`. Lines are rewritten only when
 * they change; costs, which move every tick, are kept apart as one small value (per server, ids and USD).
 */
export interface WorkloadLineRepository {
  /**
   * Makes the published lines `changed` plus those already there, less `gone` (by server and id), and the
   * costs `costs`, atomically. `all: true` drops every line not in `changed` (a publisher that knows
   * nothing of what was published before, e.g. after a restart, hands over everything).
   */
  publish(update: { changed: PublishedLine[]; gone: { server: string; id: string }[]; all: boolean; costs: Record<string, WorkloadCosts>; atMs: number }): Promise<void>;
  /** Every published line with its cost, by id (then server). */
  list(): Promise<WorkloadLine[]>;
}
