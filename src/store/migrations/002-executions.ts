import type { Migration } from "./index.js";

/** Executions of allowed proposals and their saga steps. */
export const EXECUTIONS: Migration = {
  id: 2,
  name: "executions",
  sql: `SELECT 1;`,
};
