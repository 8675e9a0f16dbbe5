import type { Migration } from "./index.js";

/**
 * Telemetry events, findings, proposals, decisions, approvals and the audit chain.
 *
 * Tables are STRICT (SQLite checks column types) and every JSON column is checked with `json_valid`.
 * Times are integer ms since the epoch, always passed in by the caller. Nothing here holds a secret:
 * cloud credentials live in each SDK's default chain, never in the store.
 */
export const CORE: Migration = {
  id: 1,
  name: "core",
  sql: `
CREATE TABLE telemetry_events (
  id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  server TEXT,
  summary TEXT NOT NULL CHECK (json_valid(summary))
) STRICT;
CREATE INDEX telemetry_events_at ON telemetry_events (at_ms);

CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  workload_id TEXT,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  summary TEXT NOT NULL,
  facts TEXT NOT NULL CHECK (json_valid(facts)),
  open INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
  closed_at_ms INTEGER
) STRICT;
CREATE INDEX findings_open ON findings (workload_id, first_seen_ms) WHERE open = 1;

CREATE TABLE proposals (
  id TEXT PRIMARY KEY,
  workload_id TEXT NOT NULL,
  type TEXT NOT NULL,
  proposer TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  body TEXT NOT NULL CHECK (json_valid(body)),
  finding_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(finding_ids)),
  status TEXT NOT NULL CHECK (status IN ('proposed', 'decided', 'waiting-approval', 'approved', 'rejected', 'expired',
    'executing', 'succeeded', 'failed', 'compensated', 'denied', 'superseded')),
  status_at_ms INTEGER NOT NULL,
  -- When the proposal first entered 'executing': the flap guard counts actions started in a window.
  executing_at_ms INTEGER
) STRICT;
CREATE INDEX proposals_status ON proposals (status, status_at_ms);
CREATE INDEX proposals_workload ON proposals (workload_id, created_at_ms);
CREATE INDEX proposals_started ON proposals (executing_at_ms) WHERE executing_at_ms IS NOT NULL;
CREATE INDEX proposals_started_workload ON proposals (workload_id, executing_at_ms) WHERE executing_at_ms IS NOT NULL;

-- Several per proposal: the initial decision, then a re-check just before execution.
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  proposal_id TEXT NOT NULL REFERENCES proposals (id),
  at_ms INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('allow', 'needs-approval', 'deny')),
  reasons TEXT NOT NULL CHECK (json_valid(reasons)),
  input_digest TEXT NOT NULL,
  phase TEXT NOT NULL CHECK (phase IN ('initial', 'recheck'))
) STRICT;
CREATE INDEX decisions_proposal ON decisions (proposal_id, at_ms);

CREATE TABLE approvals (
  proposal_id TEXT PRIMARY KEY REFERENCES proposals (id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  requested_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  decided_at_ms INTEGER,
  approver TEXT,
  channel TEXT CHECK (channel IN ('cli', 'http', 'slack', 'mcp', 'sim')),
  reason TEXT
) STRICT;
CREATE INDEX approvals_pending ON approvals (expires_at_ms) WHERE status = 'pending';

-- A hash chain: hash = sha256(prev_hash || canonical JSON of {seq, atMs, actor, event, subject, payload}).
-- AUTOINCREMENT keeps sqlite_sequence, so a truncated tail is visible to \`skyops audit verify\`.
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  subject TEXT,
  -- No json_valid check: a tampered payload must still be readable so that verify can name its row.
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_subject ON audit (subject, seq);
`,
};
