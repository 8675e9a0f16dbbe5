import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { ApprovalRepository } from "./approvals.js";
import type { AuditLog } from "./audit.js";
import type { DecisionRepository } from "./decisions.js";
import type { ExecutionRepository } from "./executions.js";
import type { FindingRepository } from "./findings.js";
import type { KvRepository } from "./kv.js";
import type { ProposalRepository } from "./proposals.js";
import type { TelemetryRepository } from "./telemetry.js";
import type { WorkloadLineRepository } from "./workload-lines.js";

/*
 * The store's ports: what the rest of the daemon may ask of its state, and all it may ask. Every
 * repository (one file each beside this one, with its record types) is async, so that a store on a
 * database server (Postgres, DESIGN.md "Beyond one machine") implements the same interfaces; the SQLite
 * store in ./sqlite is the one implementation today, and the only code that holds a database handle or
 * writes SQL.
 */

export type { ApprovalRepository } from "./approvals.js";
export type { AuditLog } from "./audit.js";
export type { DecisionRepository } from "./decisions.js";
export type { ExecutionRepository } from "./executions.js";
export type { FindingRepository } from "./findings.js";
export type { KvRepository } from "./kv.js";
export type { ProposalRepository } from "./proposals.js";
export type { TelemetryRepository } from "./telemetry.js";
export type { WorkloadLineRepository } from "./workload-lines.js";

/** Every repository, and units of work over them. */
export interface Repositories {
  readonly findings: FindingRepository;
  readonly proposals: ProposalRepository;
  readonly decisions: DecisionRepository;
  readonly approvals: ApprovalRepository;
  readonly executions: ExecutionRepository;
  readonly telemetry: TelemetryRepository;
  readonly audit: AuditLog;
  readonly kv: KvRepository;
  /** What `skyops status` lists of each workload, as the daemon published it last. */
  readonly workloadLines: WorkloadLineRepository;
  /**
   * Runs `fn` as one unit of work: what it writes through `tx` (the same repositories, bound to this unit
   * of work) lands together when `fn` resolves, and not at all when it throws. Nobody else's writes or
   * reads come in between: the store's own repositories (and its checkpointer) wait until it ends.
   *
   * So inside `fn` use `tx` only — a call on the store's repositories from inside waits for the unit of
   * work it is part of, for ever — and await nothing but `tx`'s calls. `tx.unitOfWork` nests: the inner
   * one is a savepoint, undone alone when its `fn` throws (the outer one goes on if it catches the error).
   */
  unitOfWork<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
}

/** The state (`<state dir>/skyops.db`): its repositories, and the agent graph's checkpoints beside them. */
export interface Store extends Repositories {
  /** Where the state lives (a file path, `:memory:`). */
  readonly path: string;
  /** LangGraph's checkpoints of the proposal threads, in the same state and behind the same unit-of-work gate. */
  readonly checkpointer: BaseCheckpointSaver;
  /** Closes the store once the unit of work in progress (if any) has ended. */
  close(): Promise<void>;
}
