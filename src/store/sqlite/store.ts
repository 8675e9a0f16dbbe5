import type { ApprovalRepository } from "../approvals.js";
import type { AuditLog } from "../audit.js";
import type { DecisionRepository } from "../decisions.js";
import type { ExecutionRepository } from "../executions.js";
import type { FindingRepository } from "../findings.js";
import type { KvRepository } from "../kv.js";
import type { Repositories, Store } from "../ports.js";
import type { ProposalRepository } from "../proposals.js";
import type { TelemetryRepository } from "../telemetry.js";
import type { WorkloadLineRepository } from "../workload-lines.js";
import { SqliteApprovalRepository } from "./approvals.js";
import { SqliteAuditLog } from "./audit.js";
import { SqliteCheckpointer } from "./checkpointer.js";
import { openDatabase, type Db } from "./db.js";
import { SqliteDecisionRepository } from "./decisions.js";
import { SqliteExecutionRepository } from "./executions.js";
import { SqliteFindingRepository } from "./findings.js";
import { Gate, gated } from "./gate.js";
import { SqliteKvRepository } from "./kv.js";
import { SqliteProposalRepository } from "./proposals.js";
import { SqliteTelemetryRepository } from "./telemetry.js";
import { SqliteWorkloadLineRepository } from "./workload-lines.js";

/** The synchronous repositories on one connection, their statements prepared once for the store's life. */
interface SqliteRepositories {
  findings: SqliteFindingRepository;
  proposals: SqliteProposalRepository;
  decisions: SqliteDecisionRepository;
  approvals: SqliteApprovalRepository;
  executions: SqliteExecutionRepository;
  telemetry: SqliteTelemetryRepository;
  audit: SqliteAuditLog;
  kv: SqliteKvRepository;
  workloadLines: SqliteWorkloadLineRepository;
}

/**
 * Opens (creating and migrating if needed) the database at `path`; `:memory:` works for tests. Throws
 * when the file is not a database: a state that cannot be read is an error, never a silent empty start.
 */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  const audit = new SqliteAuditLog(db);
  const proposals = new SqliteProposalRepository(db, audit);
  const kv = new SqliteKvRepository(db);
  const sqlite: SqliteRepositories = {
    findings: new SqliteFindingRepository(db),
    proposals,
    decisions: new SqliteDecisionRepository(db, audit),
    approvals: new SqliteApprovalRepository(db, proposals, audit),
    executions: new SqliteExecutionRepository(db),
    telemetry: new SqliteTelemetryRepository(db),
    audit,
    kv,
    workloadLines: new SqliteWorkloadLineRepository(db, kv),
  };
  const gate = new Gate();
  const checkpointer = new SqliteCheckpointer(db, gate);
  return {
    path,
    ...repositories(db, sqlite, gate, 0),
    checkpointer,
    close: async () => {
      // after the unit of work in progress, if any; later calls find the connection closed
      const release = await gate.acquire();
      db.close();
      release();
    },
  };
}

/** The repositories whose calls go through `gate`: the store's own (depth 0) or those of a unit of work. */
function repositories(db: Db, sqlite: SqliteRepositories, gate: Gate, depth: number): Repositories {
  return {
    findings: gated<FindingRepository>(sqlite.findings, gate),
    proposals: gated<ProposalRepository>(sqlite.proposals, gate),
    decisions: gated<DecisionRepository>(sqlite.decisions, gate),
    approvals: gated<ApprovalRepository>(sqlite.approvals, gate),
    executions: gated<ExecutionRepository>(sqlite.executions, gate),
    telemetry: gated<TelemetryRepository>(sqlite.telemetry, gate),
    audit: gated<AuditLog>(sqlite.audit, gate),
    kv: gated<KvRepository>(sqlite.kv, gate),
    workloadLines: gated<WorkloadLineRepository>(sqlite.workloadLines, gate),
    unitOfWork: (fn) => unitOfWork(db, sqlite, gate, depth, fn),
  };
}

/**
 * A transaction held from BEGIN IMMEDIATE (a SAVEPOINT when nested) to COMMIT or ROLLBACK with `gate`
 * held, so no call through `gate` runs in between. `fn` gets repositories behind a gate of their own,
 * which ends with the unit of work: its nested units of work queue there, and a call after the end
 * throws `UnitOfWorkEndedError` instead of writing outside the transaction it was meant for.
 */
async function unitOfWork<T>(db: Db, sqlite: SqliteRepositories, gate: Gate, depth: number, fn: (tx: Repositories) => Promise<T>): Promise<T> {
  const release = await gate.acquire();
  const savepoint = `skyops_unit_${depth}`;
  const inner = new Gate();
  let ended = false;
  // waits for what `fn` started on its repositories and did not await, then ends them
  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    const done = await inner.acquire();
    inner.end();
    done();
  };
  try {
    db.exec(depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    try {
      const result = await fn(repositories(db, sqlite, inner, depth + 1));
      await end();
      db.exec(depth === 0 ? "COMMIT" : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      await end();
      // SQLite may have rolled the whole transaction back already (a full disk, an I/O error)
      if (db.inTransaction) db.exec(depth === 0 ? "ROLLBACK" : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw error;
    }
  } finally {
    release();
  }
}
