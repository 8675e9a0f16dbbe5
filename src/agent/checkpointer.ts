import type { RunnableConfig } from "@langchain/core/runnables";
import { WRITES_IDX_MAP, copyCheckpoint, type Checkpoint, type CheckpointMetadata, type PendingWrite } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type { Statement, Transaction } from "better-sqlite3";
import type { Db } from "../store/index.js";

type WriteRow = [string, string, string, string, number, string, string, Uint8Array | string];

/**
 * LangGraph's `SqliteSaver` with its two writing statements prepared once. The library prepares them (and
 * builds a transaction function) on every call: a graph thread writes a checkpoint and its pending writes
 * at every step, so a burst of new proposals paid for parsing the same SQL a few hundred times a tick. The
 * rows written are the library's own (same tables, same columns, same serialization); reads are inherited.
 */
export class SqliteCheckpointer extends SqliteSaver {
  private putStmt: Statement | null = null;
  private readonly writeStmts = new Map<boolean, Transaction<(rows: WriteRow[]) => void>>();

  constructor(private readonly database: Db) {
    super(database);
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    this.setup();
    const threadId = config.configurable?.["thread_id"] as string | undefined;
    const checkpointNs = (config.configurable?.["checkpoint_ns"] as string | undefined) ?? "";
    const parentCheckpointId = config.configurable?.["checkpoint_id"] as string | undefined;
    if (!threadId) throw new Error('Missing "thread_id" field in passed "config.configurable".');
    const [[type, serializedCheckpoint], [metadataType, serializedMetadata]] = await Promise.all([this.serde.dumpsTyped(copyCheckpoint(checkpoint)), this.serde.dumpsTyped(metadata)]);
    if (type !== metadataType) throw new Error("Failed to serialized checkpoint and metadata to the same type.");
    this.putStmt ??= this.database.prepare(
      "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.putStmt.run(threadId, checkpointNs, checkpoint.id, parentCheckpointId, type, serializedCheckpoint, serializedMetadata);
    return { configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    this.setup();
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
    insert(rows);
  }
}
