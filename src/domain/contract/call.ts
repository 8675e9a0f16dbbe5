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

/**
 * One call of one tool on one tool server, answered as a value (never thrown): the least a caller of tools
 * holds. The executor holds exactly this; the MCP hub's `ToolPort` (src/agent/hub.ts) is one, with the tools'
 * listing beside it.
 */
export interface ToolCaller {
  call(server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult>;
}
