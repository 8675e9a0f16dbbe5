import type { RunnableConfig } from "@langchain/core/runnables";
import {
  WRITES_IDX_MAP,
  copyCheckpoint,
  type CheckpointListOptions,
  type CheckpointTuple,
  type Checkpoint,
  type CheckpointMetadata,
  type PendingWrite,
} from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type { Statement, Transaction } from "better-sqlite3";
import type { Db } from "./db.js";
import type { Gate } from "./gate.js";

type WriteRow = [string, string, string, string, number, string, string, Uint8Array | string];

/**
 * LangGraph's `SqliteSaver` on the store's connection, behind the store's gate: every read and write
 * waits while a unit of work is open, so a checkpoint never lands inside someone else's transaction (and
 * is never rolled back with it). Each runs its SQL at once when it is let through, before its first await
 * (but for the library's read of pending sends of a checkpoint older than format 4, which it never wrote).
 *
 * Its two writing statements are prepared once. The library prepares them (and builds a transaction
 * function) on every call: a graph thread writes a checkpoint and its pending writes at every step, so a
 * burst of new proposals paid for parsing the same SQL a few hundred times a tick. The rows written are
 * the library's own (same tables, same columns, same serialization); reads are inherited.
 */
export class SqliteCheckpointer extends SqliteSaver {
  private putStmt: Statement | null = null;
  private readonly writeStmts = new Map<boolean, Transaction<(rows: WriteRow[]) => void>>();

  constructor(
    private readonly database: Db,
    private readonly gate: Gate,
  ) {
    super(database);
    // the tables now, at open: created lazily they could land inside a unit of work and be rolled back with it
    this.setup();
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.gate.run(() => super.getTuple(config));
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const tuples = super.list(config, options);
    // the library reads every row on the first step (before its first await), then only deserializes
    let next = await this.gate.run(() => tuples.next());
    while (next.done !== true) {
      yield next.value;
      next = await tuples.next();
    }
  }

  override deleteThread(threadId: string): Promise<void> {
    return this.gate.run(() => super.deleteThread(threadId));
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    const threadId = config.configurable?.["thread_id"] as string | undefined;
    const checkpointNs = (config.configurable?.["checkpoint_ns"] as string | undefined) ?? "";
    const parentCheckpointId = config.configurable?.["checkpoint_id"] as string | undefined;
    if (!threadId) throw new Error('Missing "thread_id" field in passed "config.configurable".');
    const [[type, serializedCheckpoint], [metadataType, serializedMetadata]] = await Promise.all([this.serde.dumpsTyped(copyCheckpoint(checkpoint)), this.serde.dumpsTyped(metadata)]);
    if (type !== metadataType) throw new Error("Failed to serialized checkpoint and metadata to the same type.");
    this.putStmt ??= this.database.prepare(
      "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const stmt = this.putStmt;
    await this.gate.run(() => stmt.run(threadId, checkpointNs, checkpoint.id, parentCheckpointId, type, serializedCheckpoint, serializedMetadata));
    return { configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const threadId = config.configurable?.["thread_id"] as string | undefined;
    const checkpointNs = config.configurable?.["checkpoint_ns"] as string | undefined;
    const checkpointId = config.configurable?.["checkpoint_id"] as string | undefined;
    if (!threadId) throw new Error("Missing thread_id field in config.configurable.");
    if (!checkpointId) throw new Error("Missing checkpoint_id field in config.configurable.");
    // writes to special channels (errors, interrupts) replace earlier ones; ordinary writes keep the first
    const allSpecial = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    let insert = this.writeStmts.get(allSpecial);
    if (insert === undefined) {
      const stmt = this.database.prepare(
        `INSERT ${allSpecial ? "OR REPLACE" : "OR IGNORE"} INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      insert = this.database.transaction((rows: WriteRow[]) => {
        for (const row of rows) stmt.run(...row);
      });
      this.writeStmts.set(allSpecial, insert);
    }
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx): Promise<WriteRow> => {
        const [type, serialized] = await this.serde.dumpsTyped(value);
        return [threadId, checkpointNs as string, checkpointId, taskId, WRITES_IDX_MAP[channel] ?? idx, channel, type, serialized];
      }),
    );
    const write = insert;
    await this.gate.run(() => write(rows));
  }
}
