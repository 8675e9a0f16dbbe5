import type { Migration } from "./index.js";

/**
 * Executions of allowed proposals and their saga steps (src/executor).
 *
 * - `executions.state`: running | waiting (for the world, or for a retry's not-before time) | compensating
 *   (unwinding after a failed step) are unfinished; succeeded | failed | compensated | refused (the policy
 *   recheck said no, nothing ran) are final, and only final rows have `ended_at_ms`.
 * - `proposal` is the proposal as allowed, so a restarted daemon can finish the saga without another table.
 * - `data` holds the saga's variables (launched instance ids, checkpoint URI, previous traffic weights…),
 *   written in the same transaction as the step transition that produced them.
 * - `execution_steps` has one row per step of the saga, created `pending` with its idempotency key when
 *   the execution is created; `attempts` counts tries begun (1 + retries), `compensation_attempts` the
 *   retries of its compensation. A step is `compensated` once its compensation has run; a compensation
 *   that failed for good leaves the step as it was with `compensation_error` set.
 *
 * JSON columns are TEXT checked with json_valid (a `JSON` column type would get NUMERIC affinity).
 */
export const EXECUTIONS: Migration = {
  id: 2,
  name: "executions",
  sql: `
CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  proposal_id TEXT NOT NULL UNIQUE,
  workload_id TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('place', 'scale', 'failover', 'migrate', 'rollback', 'terminate')),
  server TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'waiting', 'succeeded', 'failed', 'compensating', 'compensated', 'refused')),
  started_at_ms INTEGER NOT NULL,
  ended_at_ms INTEGER,
  not_before_ms INTEGER,
  proposal TEXT NOT NULL CHECK (json_valid(proposal)),
  data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
  error TEXT,
  CHECK ((ended_at_ms IS NULL) = (state IN ('running', 'waiting', 'compensating')))
) STRICT;

CREATE INDEX executions_unfinished ON executions (started_at_ms, id) WHERE state IN ('running', 'waiting', 'compensating');
CREATE INDEX executions_by_workload ON executions (workload_id, started_at_ms);

CREATE TABLE execution_steps (
  execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL CHECK (idx >= 0),
  name TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'compensated')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  compensation_attempts INTEGER NOT NULL DEFAULT 0 CHECK (compensation_attempts >= 0),
  started_at_ms INTEGER,
  ended_at_ms INTEGER,
  output TEXT CHECK (output IS NULL OR json_valid(output)),
  error TEXT,
  compensation_error TEXT,
  PRIMARY KEY (execution_id, idx),
  UNIQUE (execution_id, name)
) STRICT;
`,
};
