import { CORE } from "./001-core.js";
import { EXECUTIONS } from "./002-executions.js";
import { KV } from "./003-kv.js";
import { WORKLOAD_LINES } from "./004-workload-lines.js";
import { DECISION_WORKLOAD_FINDING_SKIP } from "./005-decision-workload-finding-skip.js";

/** Ordered schema migrations; a released migration is never edited, only followed by a new one. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [CORE, EXECUTIONS, KV, WORKLOAD_LINES, DECISION_WORKLOAD_FINDING_SKIP];
