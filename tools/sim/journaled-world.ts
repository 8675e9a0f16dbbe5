import type { WorldData, WorldSpec } from "../../src/domain/index.js";
import { World } from "../../src/sim/index.js";

/** The world's changing operations: what a journal records and a replay repeats. */
export const CHANGING_OPS = ["launch", "terminate", "scale", "setTrafficWeights", "setModelVersion", "requestCheckpoint", "resumeFromCheckpoint"] as const;
export type ChangingOp = (typeof CHANGING_OPS)[number];

/**
 * One line of a world's journal: a changing call that succeeded, at the simulated time it happened, or
 * (`op: "clock"`) how far the clock had moved. The world is deterministic, so its spec and seed plus the
 * journal rebuild it exactly: that is how a simulated world outlives the process that served it.
 */
export interface JournalEntry {
  atMs: number;
  op: ChangingOp | "clock";
  args?: unknown;
}

/** The world's changing operations, as the tool server calls them (through a journal where there is one). */
export type WorldOps = Pick<World, ChangingOp>;

/** The world without its changing operations: what may be read of it (and its clock moved) without the journal. */
export type WorldReader = Omit<World, ChangingOp>;

type Args<K extends ChangingOp> = Parameters<World[K]>[0];

/** Each changing operation by name, called on a world: the one table a journal writes through and a replay reads. */
const OPS: { [K in ChangingOp]: (world: World, args: Args<K>) => ReturnType<World[K]> } = {
  launch: (world, args) => world.launch(args),
  terminate: (world, args) => world.terminate(args),
  scale: (world, args) => world.scale(args),
  setTrafficWeights: (world, args) => world.setTrafficWeights(args),
  setModelVersion: (world, args) => world.setModelVersion(args),
  requestCheckpoint: (world, args) => world.requestCheckpoint(args),
  resumeFromCheckpoint: (world, args) => world.resumeFromCheckpoint(args),
};

/**
 * A world whose changing calls are journaled: each call that succeeds is handed to `append` after it took
 * effect, with the simulated time and its arguments as given; one that throws changed nothing and is not.
 */
export class JournaledWorld implements WorldOps {
  constructor(
    private readonly world: World,
    private readonly append: (entry: JournalEntry) => void,
  ) {}

  launch(req: Args<"launch">): ReturnType<World["launch"]> {
    return this.call("launch", req);
  }

  terminate(req: Args<"terminate">): ReturnType<World["terminate"]> {
    return this.call("terminate", req);
  }

  scale(req: Args<"scale">): ReturnType<World["scale"]> {
    return this.call("scale", req);
  }

  setTrafficWeights(req: Args<"setTrafficWeights">): ReturnType<World["setTrafficWeights"]> {
    return this.call("setTrafficWeights", req);
  }

  setModelVersion(req: Args<"setModelVersion">): ReturnType<World["setModelVersion"]> {
    return this.call("setModelVersion", req);
  }

  requestCheckpoint(req: Args<"requestCheckpoint">): ReturnType<World["requestCheckpoint"]> {
    return this.call("requestCheckpoint", req);
  }

  resumeFromCheckpoint(req: Args<"resumeFromCheckpoint">): ReturnType<World["resumeFromCheckpoint"]> {
    return this.call("resumeFromCheckpoint", req);
  }

  private call<K extends ChangingOp>(op: K, args: Args<K>): ReturnType<World[K]> {
    const result = OPS[op](this.world, args);
    this.append({ atMs: this.world.nowMs, op, args });
    return result;
  }
}

function isChangingOp(op: unknown): op is ChangingOp {
  return (CHANGING_OPS as readonly unknown[]).includes(op);
}

/**
 * Rebuilds a world from its spec and journal: the same calls at the same simulated times give the same
 * world, bit for bit. A journal that does not replay (edited, or from another spec) throws naming the entry.
 */
export function replayJournal(data: WorldData, spec: WorldSpec, entries: readonly JournalEntry[], options: { logEvents?: boolean; maxLoggedEvents?: number } = {}): World {
  const world = new World(data, spec, options);
  entries.forEach((entry, i) => {
    try {
      if (entry.atMs > world.nowMs) world.advanceTo(entry.atMs);
      if (entry.op !== "clock") {
        if (!isChangingOp(entry.op)) throw new Error(`unknown operation "${String(entry.op)}"`);
        // the journal holds what a call was given, as JSON: the world checks it as it checks any caller's
        OPS[entry.op](world, entry.args as never);
      }
    } catch (error) {
      throw new Error(`journal entry ${i + 1} (${entry.op} at ${entry.atMs}) does not replay: ${(error as Error).message}`);
    }
  });
  return world;
}
