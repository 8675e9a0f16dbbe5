import { ApprovalRepository } from "./approvals.js";
import { AuditLog } from "./audit.js";
import { openDatabase, type Db } from "./db.js";
import { DecisionRepository } from "./decisions.js";
import { FindingRepository } from "./findings.js";
import { KvRepository } from "./kv.js";
import { ProposalRepository } from "./proposals.js";
import { TelemetryRepository } from "./telemetry.js";
import { WorkloadLineRepository } from "./workload-lines.js";

/** The state database (`<state dir>/skyops.db`) and its repositories, sharing one connection. */
export interface Store {
  readonly path: string;
  /**
   * The connection, for repositories that live elsewhere: the executor's `ExecutionRepository`
   * (src/store/executions.ts) is built from it, and LangGraph's `SqliteSaver` can share it.
   */
  readonly db: Db;
  readonly findings: FindingRepository;
  readonly proposals: ProposalRepository;
  readonly decisions: DecisionRepository;
  readonly approvals: ApprovalRepository;
  readonly telemetry: TelemetryRepository;
  readonly audit: AuditLog;
  readonly kv: KvRepository;
  /** What `skyops status` lists of each workload, as the daemon published it last. */
  readonly workloadLines: WorkloadLineRepository;
  // ── executions ── owned by the executor (src/store/executions.ts, migration 002). Until it joins this
  // facade as `readonly executions: ExecutionRepository`, build it with `new ExecutionRepository(store.db)`.
  /**
   * Runs `fn` in one IMMEDIATE transaction (a savepoint when nested), so writes through several
   * repositories land together or not at all: e.g. a decision and the status it leads to.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** Opens (creating and migrating if needed) the database at `path`; `:memory:` works for tests. */
export function openStore(path: string): Store {
  const db = openDatabase(path);
  const audit = new AuditLog(db);
  const proposals = new ProposalRepository(db, audit);
  const kv = new KvRepository(db);
  return {
    path,
    db,
    findings: new FindingRepository(db),
    proposals,
    decisions: new DecisionRepository(db, audit),
    approvals: new ApprovalRepository(db, proposals, audit),
    telemetry: new TelemetryRepository(db),
    audit,
    kv,
    workloadLines: new WorkloadLineRepository(db, kv),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => db.close(),
  };
}
