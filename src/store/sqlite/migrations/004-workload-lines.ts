import type { Migration } from "./index.js";

/**
 * What `skyops status` shows of each workload, one row per workload and server, rewritten only when the
 * workload's line changes (its cost, which moves every tick, is kept apart in kv `workload-costs`). It
 * replaces kv `workloads`, one value of the whole fleet rewritten every tick (1.5 MB at 10,000 workloads).
 */
export const WORKLOAD_LINES: Migration = {
  id: 4,
  name: "workload-lines",
  sql: `CREATE TABLE workload_lines (id TEXT NOT NULL, server TEXT NOT NULL, line TEXT NOT NULL CHECK (json_valid(line)), PRIMARY KEY (id, server)) STRICT;
DELETE FROM kv WHERE key = 'workloads';`,
};
