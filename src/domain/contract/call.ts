import type { ToolErrorCode } from "./errors.js";

/**
 * What a client's tool call came to, as the MCP hub (src/agent) gives it to observe and the executor.
 * `structured` is the answer's structuredContent as sent (`{}` when it sent none), for the caller to validate
 * against the tool's output schema; `text` its first text block. A failure carries a typed `code`: the tool's
 * own (an error result), or the hub's for what happened on the way (a timeout, a server gone, HTTP 429/5xx);
 * whether to retry follows from it (`isRetryable`). `error` is the human text.
 */
export type ToolCallResult = { ok: true; structured: Record<string, unknown>; text: string } | ToolCallFailure;

export interface ToolCallFailure {
  ok: false;
  code: ToolErrorCode;
  error: string;
}
