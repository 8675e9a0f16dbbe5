import { ToolError, type ToolErrorCode } from "../../src/domain/index.js";
import { SimError, type SimErrorCode } from "../../src/sim/index.js";

/**
 * The contract's code for each refusal of the simulated world. Every one is a code that is not retryable:
 * before typed codes, retryability was read from the error text, and no text the world writes marks a
 * throttle or a timeout, so none was retried — a region outage included (test/tools/sim-errors.test.ts pins it).
 */
export const SIM_ERROR_CODES: Readonly<Record<SimErrorCode, ToolErrorCode>> = {
  "unknown-cloud": "invalid-target",
  "unknown-region": "invalid-target",
  "region-unavailable": "invalid-target",
  "no-spot-price": "invalid-target",
  "unknown-offer": "not-found",
  "unknown-workload": "not-found",
  "unknown-instance": "not-found",
  "unknown-checkpoint": "not-found",
  "no-capacity": "no-capacity",
  "invalid-argument": "invalid-argument",
  "idempotency-mismatch": "idempotency-mismatch",
  conflict: "conflict",
};

/** A refusal of the world as the contract's ToolError; anything else is not one (a bug, which propagates). */
export function simToolError(error: unknown): ToolError | undefined {
  if (!(error instanceof SimError)) return undefined;
  return new ToolError(SIM_ERROR_CODES[error.code], error.message, { hint: error.hint, field: error.field });
}
