import type { Outcome, Proposal, Reason, ToolCallResult, ToolCaller } from "../domain/index.js";

/**
 * What one tool call came back with (src/domain/contract/call.ts). `ok: false` covers both a tool's own
 * error result (`isError`: a domain refusal such as a stock-out, or throttling) and a transport failure
 * (timeout, lost connection), each with its typed code; the code says whether the same call with the same
 * idempotencyKey may succeed later (`isRetryable`).
 */
export type { ToolCallResult };

/**
 * The executor's only way to the world (`ToolCaller`, src/domain/contract/call.ts): one call of one tool on one tool server. The MCP client hub
 * (src/agent) implements it; tests implement it over an in-memory MCP client on the simulator.
 *
 * Contract for implementations:
 * - `server` is a tool server name as the hub knows it; `args` are the tool's arguments, already
 *   including `idempotencyKey` for changing tools. The port passes them through unchanged.
 * - A tool result with `isError` becomes `{ok: false, code, error: <its text>}` with the tool's typed
 *   code (`internal` when it gave none).
 * - A transport failure (timeout, connection lost, server restarting) becomes `{ok: false, code:
 *   "unavailable"}`: the executor repeats the call with the same idempotencyKey, so a call that did reach
 *   the server has no second effect.
 * - `structured` is the result's `structuredContent` (the executor validates it against the tool
 *   contract's output schema); `text` is its first text block.
 * - It should not throw; if it does, the executor treats the throw as a transport failure (retryable).
 */
export type { ToolCaller };

/** The policy engine's answer for one proposal, now. */
export interface RecheckResult {
  outcome: Outcome;
  reasons: Reason[];
}

/**
 * The caller's policy engine, asked again just before a saga starts (the world may have changed while a
 * human looked). The executor starts the saga only on `allow`; anything else (or a throw) refuses it and
 * the reasons are recorded. For a human-approved proposal the caller passes a recheck that counts the
 * approval as granted; the executor just calls what it is given.
 */
export type PolicyRecheck = (proposal: Proposal) => Promise<RecheckResult> | RecheckResult;
