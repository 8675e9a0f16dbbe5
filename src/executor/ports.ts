import type { Outcome, Proposal, Reason } from "../domain/index.js";

/**
 * What one tool call came back with. `ok: false` covers both a tool's own error result (`isError`, a
 * domain refusal such as a stock-out, or a throttling answer) and a transport failure (timeout, lost
 * connection); `retryable` says whether the same call with the same idempotencyKey may succeed later.
 */
export type ToolCallResult =
  | { ok: true; structured: unknown; text: string }
  | { ok: false; error: string; retryable: boolean };

/**
 * The executor's only way to the world: one call of one tool on one tool server. The MCP client hub
 * (src/agent) implements it; tests implement it over an in-memory MCP client on the simulator.
 *
 * Contract for implementations:
 * - `server` is a tool server name as the hub knows it; `args` are the tool's arguments, already
 *   including `idempotencyKey` for changing tools. The port passes them through unchanged.
 * - A tool result with `isError` becomes `{ok: false, error: <its text>, retryable}`, with `retryable`
 *   true only where the server marks throttling or a timeout (see `isRetryableErrorText`).
 * - A transport failure (timeout, connection lost, server restarting) becomes `{ok: false, retryable:
 *   true}`: the executor repeats the call with the same idempotencyKey, so a call that did reach the
 *   server has no second effect.
 * - `structured` is the result's `structuredContent` (the executor validates it against the tool
 *   contract's output schema in src/domain); `text` is its first text block.
 * - It should not throw; if it does, the executor treats the throw as a transport failure (retryable).
 */
export interface ToolPort {
  call(server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult>;
}

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

const RETRYABLE_TEXT =
  /\b(throttl\w*|rate[- ]?limit\w*|too many requests|request ?limit ?exceeded|slow ?down|time[ds]?[- ]?out|timeout|deadline exceeded|temporarily unavailable|service unavailable|try again later|429|503|504|ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN)\b/i;

/**
 * Whether a tool's error text marks a transient failure (throttling, a timeout, a service briefly
 * unavailable) rather than a domain refusal. Clouds word these differently (`Throttling`,
 * `RequestLimitExceeded`, `rateLimitExceeded`, HTTP 429/503); port implementations and the executor
 * both use this one test.
 */
export function isRetryableErrorText(text: string): boolean {
  return RETRYABLE_TEXT.test(text);
}
