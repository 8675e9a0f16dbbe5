import type { Migration } from "./index.js";

/** Small named state the daemon carries across restarts (the detectors' hysteresis state, spend baselines). */
export const KV: Migration = {
  id: 3,
  name: "kv",
  sql: `CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL CHECK (json_valid(value)), at_ms INTEGER NOT NULL) STRICT;`,
};
