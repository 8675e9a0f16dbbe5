/** Retries of a step (or a compensation) after retryable failures. */
export interface RetryPolicy {
  /** Tries in all, the first included (1: never retry). */
  maxAttempts: number;
  /** Backoff before the first retry, ms. */
  baseMs: number;
  /** Longest backoff, ms. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 1_000, maxMs: 60_000 };

/** FNV-1a, 32 bits: a stable hash for jitter (the same key and attempt always wait as long). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * How long to wait before retry number `attempt` (1 = the first retry) of the call keyed `key`:
 * exponential (base × 2^(attempt-1), capped at maxMs) with "equal jitter": half of it fixed, the other half
 * spread by a hash of the key and the attempt. Deterministic, so a replay or a restarted daemon waits the
 * same; different keys spread out, so sagas throttled together do not retry together.
 */
export function backoffMs(key: string, attempt: number, policy: RetryPolicy): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const half = exp / 2;
  const unit = fnv1a(`${key}#${attempt}`) / 0x1_0000_0000;
  return Math.max(1, Math.round(half + unit * half));
}

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 100) {
    throw new RangeError(`retry.maxAttempts must be a whole number from 1 to 100, got ${policy.maxAttempts}`);
  }
  if (!(policy.baseMs >= 1) || !(policy.maxMs >= policy.baseMs) || !Number.isFinite(policy.maxMs)) {
    throw new RangeError(`retry needs 1 <= baseMs <= maxMs (finite), got baseMs ${policy.baseMs}, maxMs ${policy.maxMs}`);
  }
  return policy;
}
