/** Why a step (or a compensation) did not succeed. Callers branch on `retryable`, people read `message`. */
export type SagaErrorKind =
  /** The tool answered with an error result (a domain refusal, or throttling). */
  | "tool"
  /** The call did not get an answer (timeout, connection lost, the port threw). */
  | "transport"
  /** The tool's structuredContent did not match the tool contract. */
  | "invalid-output"
  /** The world is not in the state the step expects (an instance ended, a checkpoint was lost…). */
  | "unexpected-state"
  /** A post-condition did not hold (served within SLO did not improve, drift did not drop…). */
  | "verification"
  /** A waiting step waited longer than its limit. */
  | "timeout";

export class SagaError extends Error {
  override readonly name = "SagaError";
  constructor(
    readonly kind: SagaErrorKind,
    message: string,
    /** The same call with the same idempotencyKey may succeed later. */
    readonly retryable: boolean,
    /** The tool involved, if any. */
    readonly tool?: string,
  ) {
    super(message);
  }

  /** One line for the step's `error` column: `launch: no capacity… (tool error)`. */
  render(): string {
    return `${this.tool !== undefined ? `${this.tool}: ` : ""}${this.message} (${this.kind}${this.retryable ? ", retryable" : ""})`;
  }

  /** Any thrown value as a SagaError; anything that is not one is a bug in the step and is not retried. */
  static from(error: unknown): SagaError {
    if (error instanceof SagaError) return error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new SagaError("unexpected-state", message, false);
  }
}
