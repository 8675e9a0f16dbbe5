import type { Migration } from "./index.js";

/**
 * Two facts the daemon computed and dropped: the workload a decision was made on (its Cedar attributes), so
 * an approval asked later is decided on the same workload; and why a planner proposed nothing for an open
 * finding (`skyops status`: "why nothing happened").
 */
export const DECISION_WORKLOAD_FINDING_SKIP: Migration = {
  id: 5,
  name: "decision-workload-finding-skip",
  sql: `ALTER TABLE decisions ADD COLUMN workload TEXT CHECK (workload IS NULL OR json_valid(workload));
ALTER TABLE findings ADD COLUMN skip TEXT CHECK (skip IS NULL OR json_valid(skip));`,
};
