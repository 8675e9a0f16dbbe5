/** Named JSON values that must survive a restart (the detectors' state, spend baselines, the clock). */
export interface KvRepository {
  /** The value stored under `key`, or null. */
  get<T>(key: string): Promise<T | null>;
  /** Stores `value` (plain JSON) under `key`, replacing what was there. */
  set(key: string, value: unknown, atMs: number): Promise<void>;
}
