import { join } from "node:path";
import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { openStore, UnitOfWorkEndedError, type Repositories, type Store } from "../../src/store/index.js";
import { onTheFile, T0, tempDir } from "./helpers.js";

const dir = tempDir("unit");
let n = 0;

/** A store on a file of its own (so a second connection can look at what was committed). */
function fileStore(): { store: Store; path: string } {
  const path = join(dir, `unit-${++n}.db`);
  return { store: openStore(path), path };
}

/** A promise the test resolves when it wants: `open()` lets whoever awaits `opened` go on. */
function latch(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Lets every callback already queued run (promise continuations and the I/O phase of the event loop). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether `p` has settled, without waiting for it. */
function tracked<T>(p: Promise<T>): { promise: Promise<T>; done: () => boolean } {
  let done = false;
  const promise = p.finally(() => (done = true));
  return { promise, done: () => done };
}

const entry = (event: string) => ({ atMs: T0, actor: "test", event, subject: null, payload: {} });

/**
 * A unit of work that writes with `before`, then waits for the test's `resume`, then `after` (which may
 * throw, to roll it back). Resolves `inside` once it is waiting.
 */
function pausedUnit(store: Store, before: (tx: Repositories) => Promise<unknown>, after: (tx: Repositories) => Promise<unknown> = async () => {}) {
  const inside = latch();
  const resume = latch();
  const unit = store.unitOfWork(async (tx) => {
    await before(tx);
    inside.open();
    await resume.opened;
    await after(tx);
  });
  return { unit, inside: inside.opened, resume: resume.open };
}

describe("a unit of work over the one SQLite connection", () => {
  it("holds a second flow's write while it awaits, and lets it land after its own writes", async () => {
    const { store, path } = fileStore();
    const u = pausedUnit(
      store,
      (tx) => tx.audit.append(entry("unit: before the pause")),
      (tx) => tx.audit.append(entry("unit: after the pause")),
    );
    await u.inside;
    const second = tracked(store.audit.append(entry("second flow")));
    await settle();
    expect(second.done()).toBe(false);
    u.resume();
    await u.unit;
    expect((await second.promise).seq).toBe(3);
    expect(onTheFile(path, (db) => db.prepare("SELECT event FROM audit ORDER BY seq").pluck().all())).toEqual(["unit: before the pause", "unit: after the pause", "second flow"]);
    expect((await store.audit.verify()).ok).toBe(true);
    await store.close();
  });

  it("keeps a second flow's write out of its transaction, so the write survives the unit's rollback", async () => {
    const { store, path } = fileStore();
    const u = pausedUnit(
      store,
      (tx) => tx.kv.set("unit", "rolled back", T0),
      () => Promise.reject(new Error("the unit fails after its pause")),
    );
    await u.inside;
    const second = tracked(store.kv.set("second", "kept", T0));
    await settle();
    expect(second.done()).toBe(false);
    u.resume();
    await expect(u.unit).rejects.toThrow("the unit fails after its pause");
    await second.promise;
    expect(await store.kv.get("unit")).toBeNull();
    expect(await store.kv.get("second")).toBe("kept");
    // as committed to the file, not only as this connection sees it
    expect(onTheFile(path, (db) => db.prepare("SELECT key FROM kv ORDER BY key").pluck().all())).toEqual(["second"]);
    await store.close();
  });

  it("never lets a second flow read what the unit of work may still roll back", async () => {
    const { store } = fileStore();
    const u = pausedUnit(
      store,
      (tx) => tx.kv.set("draft", 1, T0),
      () => Promise.reject(new Error("changed its mind")),
    );
    await u.inside;
    const read = store.kv.get("draft");
    u.resume();
    await expect(u.unit).rejects.toThrow("changed its mind");
    expect(await read).toBeNull();
    await store.close();
  });

  it("holds the LangGraph checkpointer too: a checkpoint written meanwhile lands after the unit and survives its rollback", async () => {
    const { store } = fileStore();
    const u = pausedUnit(
      store,
      (tx) => tx.kv.set("unit", 1, T0),
      () => Promise.reject(new Error("rolled back")),
    );
    await u.inside;
    const checkpoint = { ...emptyCheckpoint(), id: "1ef00000-0000-6000-8000-000000000001", ts: "2026-11-29T00:00:00.000Z", channel_values: { proposalId: "p-1" } };
    const config = { configurable: { thread_id: "p-1", checkpoint_ns: "" } };
    const put = tracked(store.checkpointer.put(config, checkpoint, { source: "input", step: -1, parents: {} }, {}));
    await settle();
    expect(put.done()).toBe(false);
    u.resume();
    await expect(u.unit).rejects.toThrow("rolled back");
    const at = await put.promise;
    await store.checkpointer.putWrites(at, [["outcome", "allow"]], "task-a");
    const saved = await store.checkpointer.getTuple(config);
    expect(saved?.checkpoint.channel_values).toEqual({ proposalId: "p-1" });
    expect(saved?.pendingWrites).toEqual([["task-a", "outcome", "allow"]]);
    await store.close();
  });

  it("lets calls through in the order they came once it ends, and at once while none is open", async () => {
    const { store, path } = fileStore();
    const u = pausedUnit(store, (tx) => tx.audit.append(entry("unit")));
    await u.inside;
    const waiting = ["a", "b", "c"].map((e) => store.audit.append(entry(e)));
    u.resume();
    await u.unit;
    expect((await Promise.all(waiting)).map((r) => [r.event, r.seq])).toEqual([
      ["a", 2],
      ["b", 3],
      ["c", 4],
    ]);
    // no unit of work open: the write is on the file before its promise is even awaited
    const write = store.kv.set("now", true, T0);
    expect(onTheFile(path, (db) => db.prepare("SELECT value FROM kv WHERE key = 'now'").pluck().get())).toBe("true");
    await write;
    await store.close();
  });

  it("nests as a savepoint: a failed inner unit undoes only its own writes, and the outer one commits the rest", async () => {
    const { store } = fileStore();
    await store.unitOfWork(async (tx) => {
      await tx.kv.set("outer", "kept", T0);
      await expect(
        tx.unitOfWork(async (inner) => {
          await inner.kv.set("inner", "undone", T0);
          throw new Error("inner fails");
        }),
      ).rejects.toThrow("inner fails");
      await tx.unitOfWork(async (inner) => inner.kv.set("second inner", "kept", T0));
    });
    expect([await store.kv.get("outer"), await store.kv.get("inner"), await store.kv.get("second inner")]).toEqual(["kept", null, "kept"]);

    await expect(
      store.unitOfWork(async (tx) => {
        await tx.unitOfWork(async (inner) => inner.kv.set("inner of a failed outer", "undone", T0));
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    expect(await store.kv.get("inner of a failed outer")).toBeNull();
    await store.close();
  });

  it("holds the outer unit's own calls while a nested one is open", async () => {
    const { store } = fileStore();
    await store.unitOfWork(async (tx) => {
      const inside = latch();
      const resume = latch();
      const inner = tx.unitOfWork(async (i) => {
        await i.audit.append(entry("inner"));
        inside.open();
        await resume.opened;
        throw new Error("inner rolls back");
      });
      await inside.opened;
      const outer = tx.audit.append(entry("outer, meanwhile"));
      resume.open();
      await expect(inner).rejects.toThrow("inner rolls back");
      expect((await outer).seq).toBe(1);
    });
    expect((await store.audit.verify()).rows).toBe(1);
    await store.close();
  });

  it("waits for the nested work it started before it commits, and refuses its repositories once it has ended", async () => {
    const { store } = fileStore();
    const leaked: { tx?: Repositories } = {};
    await store.unitOfWork(async (tx) => {
      leaked.tx = tx;
      // started, not awaited: the unit still commits it, after it finished
      void tx.unitOfWork(async (inner) => {
        await settle();
        await inner.kv.set("late", "in", T0);
      });
    });
    expect(await store.kv.get("late")).toBe("in");
    await expect(leaked.tx!.kv.set("after the end", 1, T0)).rejects.toThrow(UnitOfWorkEndedError);
    await expect(leaked.tx!.unitOfWork(async () => {})).rejects.toThrow(UnitOfWorkEndedError);
    expect(await store.kv.get("after the end")).toBeNull();
    await store.close();
  });
});
