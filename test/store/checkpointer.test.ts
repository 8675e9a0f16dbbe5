import { emptyCheckpoint, type Checkpoint } from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../src/store/sqlite/checkpointer.js";
import { Gate } from "../../src/store/sqlite/gate.js";

type Saver = SqliteSaver;

/** The same calls a graph thread makes, with fixed ids: a checkpoint, its child, and writes to both. */
async function script(saver: Saver): Promise<void> {
  const first: Checkpoint = { ...emptyCheckpoint(), id: "1ef00000-0000-6000-8000-000000000001", ts: "2026-11-29T00:00:00.000Z", channel_values: { proposalId: "p-1" } };
  const second: Checkpoint = { ...first, id: "1ef00000-0000-6000-8000-000000000002", channel_values: { proposalId: "p-1", outcome: "needs-approval" } };
  const root = { configurable: { thread_id: "p-1", checkpoint_ns: "" } };
  const at1 = await saver.put(root, first, { source: "input", step: -1, parents: {} });
  await saver.putWrites(at1, [["outcome", "needs-approval"], ["reasons", [{ id: "r" }]]], "task-a");
  // ordinary writes of a task are kept as first written; special channels (an interrupt) are replaced
  await saver.putWrites(at1, [["outcome", "allow"]], "task-a");
  const at2 = await saver.put(at1, second, { source: "loop", step: 0, parents: {} });
  await saver.putWrites(at2, [["__interrupt__", [{ value: { approval: "p-1" } }]]], "task-b");
  await saver.putWrites(at2, [["__interrupt__", [{ value: { approval: "p-1", again: true } }]]], "task-b");
  await saver.putWrites(at2, [["__resume__", { status: "approved" }]], "task-b");
}

function tables(db: Database.Database): unknown {
  return {
    checkpoints: db.prepare("SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, CAST(checkpoint AS TEXT) AS c, CAST(metadata AS TEXT) AS m FROM checkpoints ORDER BY checkpoint_id").all(),
    writes: db.prepare("SELECT thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, CAST(value AS TEXT) AS v FROM writes ORDER BY checkpoint_id, task_id, idx").all(),
  };
}

describe("SqliteCheckpointer", () => {
  it("writes exactly the rows LangGraph's SqliteSaver writes, and reads them back the same", async () => {
    const ours = new Database(":memory:");
    const theirs = new Database(":memory:");
    try {
      const a = new SqliteCheckpointer(ours, new Gate());
      const b = new SqliteSaver(theirs);
      await script(a);
      await script(b);
      expect(tables(ours)).toEqual(tables(theirs));
      const config = { configurable: { thread_id: "p-1", checkpoint_ns: "" } };
      const [mine, library] = [await a.getTuple(config), await b.getTuple(config)];
      expect(mine?.checkpoint.channel_values).toEqual({ proposalId: "p-1", outcome: "needs-approval" });
      expect(mine?.pendingWrites).toEqual(library?.pendingWrites);
      // the interrupt written twice is there once, as written last; the ordinary write kept its first value
      expect(mine?.pendingWrites?.filter(([, channel]) => channel === "__interrupt__")).toEqual([["task-b", "__interrupt__", [{ value: { approval: "p-1", again: true } }]]]);
      const firstWrites = (ours.prepare("SELECT CAST(value AS TEXT) AS v FROM writes WHERE channel = 'outcome'").all() as { v: string }[]).map((r) => r.v);
      expect(firstWrites).toEqual(['"needs-approval"']);
    } finally {
      ours.close();
      theirs.close();
    }
  });

  it("refuses a write without a thread or checkpoint id, as the library does", async () => {
    const db = new Database(":memory:");
    try {
      const saver = new SqliteCheckpointer(db, new Gate());
      await expect(saver.put({ configurable: {} }, emptyCheckpoint(), { source: "input", step: -1, parents: {} })).rejects.toThrow(/thread_id/);
      await expect(saver.putWrites({ configurable: { thread_id: "t" } }, [["x", 1]], "task")).rejects.toThrow(/checkpoint_id/);
    } finally {
      db.close();
    }
  });
});
