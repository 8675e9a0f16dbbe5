import { z } from "zod";

/*
 * The typed errors of the tool contract. A tool that refuses a well-formed call (the cloud said no; nothing
 * changed) answers an MCP result with `isError: true`, the human text `field: message. hint` in its first
 * content block, and the typed error in the result's `_meta` under ERROR_META_KEY:
 *
 *     { isError: true, content: [{ type: "text", text }], _meta: { "skyops/error": { code, message, hint?, field?, retryable } } }
 *
 * Not in structuredContent: the spec (2025-11-25) says structuredContent MUST conform to the tool's output
 * schema, and SDK 1.32's Client.callTool() holds error results to it too (typescript-sdk#1943), so an error
 * object there would turn every refusal into a schema failure for such clients. `_meta` is the result's own
 * place for extra data, which every client passes through.
 *
 * A malformed call (arguments that fail the input schema) is a protocol error instead: the SDK answers
 * `MCP error -32602: …` as an error result with no code.
 *
 * `retryable` is on the wire for clients that do not know this table; skyops' own clients take it from the
 * table by `code` (ERROR_CODES), so one server cannot make a refusal retryable. An error result without a
 * code skyops knows (no `_meta`, another shape, a code from a newer contract) reads as `internal`: not
 * retryable. The executor retries only retryable codes, with backoff and the same idempotencyKey.
 */

/** Every code, whether repeating the same call later may succeed, and what it means. */
export const ERROR_CODES = {
  "no-capacity": { retryable: false, meaning: "The cloud has no capacity for this now (a stock-out, no spot capacity): try another zone, region, cloud or on-demand." },
  "quota-exceeded": { retryable: false, meaning: "An account quota or limit would be exceeded: raise the quota or place the work elsewhere." },
  throttled: { retryable: true, meaning: "Too many requests: repeat the same call, with the same idempotencyKey, after a backoff." },
  "not-found": { retryable: false, meaning: "A workload, instance, offer or checkpoint named in the call does not exist (or a tool or server the client named)." },
  "invalid-target": { retryable: false, meaning: "The cloud, region or offer named cannot take this call: unknown here, down, or not sold that way; choose another." },
  "invalid-argument": { retryable: false, meaning: "The arguments pass the schema but not the server's rules (a count out of range, a serving tool given a training job)." },
  conflict: { retryable: false, meaning: "The target's state does not allow this now (completed, still being written, ended): look again before asking again." },
  "idempotency-mismatch": { retryable: false, meaning: "The idempotencyKey was used before with other arguments: use a new key, or repeat the first arguments." },
  unauthorized: { retryable: false, meaning: "The caller may not do this: credentials missing or refused, or a read-only connection." },
  unavailable: { retryable: true, meaning: "The server or its cloud could not be reached, timed out or answered 5xx: repeat the same call later." },
  internal: { retryable: false, meaning: "The server failed in a way it does not explain (a bug), or answered an error without a code." },
} as const satisfies Record<string, { retryable: boolean; meaning: string }>;

export type ToolErrorCode = keyof typeof ERROR_CODES;
export const TOOL_ERROR_CODES = Object.keys(ERROR_CODES) as ToolErrorCode[];
export const ToolErrorCodeSchema = z.enum(TOOL_ERROR_CODES as [ToolErrorCode, ...ToolErrorCode[]]);

/** Codes any tool may answer, besides those its definition lists (`ContractTool.errors`). */
export const GENERAL_ERRORS = ["throttled", "unavailable", "unauthorized", "internal"] as const satisfies readonly ToolErrorCode[];

/** Whether the same call may succeed later: from the table, whatever the wire said. */
export function isRetryable(code: ToolErrorCode): boolean {
  return ERROR_CODES[code].retryable;
}

/** Where an error result carries its typed error: the key in the result's `_meta`. */
export const ERROR_META_KEY = "skyops/error";

/** The typed error of an error result (`_meta[ERROR_META_KEY]`). */
export const ToolErrorSchema = z.object({
  code: ToolErrorCodeSchema,
  message: z.string(),
  hint: z.string().optional(),
  /** The argument at fault, as named in the input schema (`region`, `weights.aws/us-east-1`). */
  field: z.string().optional(),
  retryable: z.boolean(),
});
export type ToolErrorPayload = z.infer<typeof ToolErrorSchema>;

/**
 * A tool's refusal, thrown by a server's handler and turned into an error result by tools/kit. The world is
 * unchanged when one is thrown.
 */
export class ToolError extends Error {
  override readonly name = "ToolError";
  readonly hint: string | undefined;
  readonly field: string | undefined;

  constructor(
    readonly code: ToolErrorCode,
    message: string,
    /** What to do instead, and the argument at fault. */
    detail: { hint?: string | undefined; field?: string | undefined } = {},
  ) {
    super(message);
    this.hint = detail.hint;
    this.field = detail.field;
  }

  /** The human text of the result: `field: message. hint`. */
  text(): string {
    return `${this.field !== undefined ? `${this.field}: ` : ""}${this.message}${this.hint !== undefined ? `. ${this.hint}` : ""}`;
  }

  /** What the result carries under `_meta[ERROR_META_KEY]`. */
  payload(): ToolErrorPayload {
    const error: ToolErrorPayload = { code: this.code, message: this.message, retryable: isRetryable(this.code) };
    if (this.hint !== undefined) error.hint = this.hint;
    if (this.field !== undefined) error.field = this.field;
    return error;
  }
}

const CodeOnly = z.object({ [ERROR_META_KEY]: z.object({ code: ToolErrorCodeSchema }) });

/** The code of an error result, from its `_meta` (the rest is for people); `internal` when it carries none skyops knows. */
export function errorCodeOf(meta: unknown): ToolErrorCode {
  const parsed = CodeOnly.safeParse(meta);
  return parsed.success ? parsed.data[ERROR_META_KEY].code : "internal";
}
