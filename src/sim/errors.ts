/**
 * Domain failures of the simulated clouds. Callers branch on `code`; every error carries a `hint`
 * that says what to do instead, so an MCP client (or a model) can act on it. The world is unchanged
 * whenever one of these is thrown.
 */
export type SimErrorCode =
  | "unknown-cloud"
  | "unknown-region"
  | "unknown-offer"
  | "unknown-workload"
  | "unknown-instance"
  | "unknown-checkpoint"
  | "no-capacity"
  | "region-unavailable"
  | "no-spot-price"
  | "invalid-argument"
  | "idempotency-mismatch"
  | "conflict";

export class SimError extends Error {
  override readonly name = "SimError";
  constructor(
    readonly code: SimErrorCode,
    message: string,
    readonly hint: string,
    /** The argument at fault, when there is one (e.g. `region`, `count`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** No capacity for the requested type (spot reclaimed, stock-out): try another zone, region or on-demand. */
export class InsufficientCapacityError extends SimError {
  constructor(message: string, hint: string) {
    super("no-capacity", message, hint);
  }
}

export class NotFoundError extends SimError {}
