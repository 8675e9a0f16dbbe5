import type { WorldData, WorldSpec } from "../../src/domain/index.js";
import { loadWorldData } from "../../src/data/load.js";
import { DEFAULT_SEED, DEFAULT_START_MS, World, defaultWorldSpec } from "../../src/sim/index.js";
import type { SimContext } from "./context.js";
import { WorldJournal } from "./journal.js";
import { JournaledWorld, replayJournal, type WorldOps, type WorldReader } from "./journaled-world.js";
import { MAX_SPEED } from "./limits.js";
import { WorldListings } from "./world-listings.js";

export interface SimHostOptions {
  /** Seed of the default world (ignored with `spec`). Default 42. */
  seed?: number | undefined;
  /** Start of the default world in the bundled traces, ms since epoch (ignored with `spec`). Default 2025-06-01. */
  startMs?: number | undefined;
  /** A whole world spec; default: the default fleet (`defaultWorldSpec`). */
  spec?: WorldSpec | undefined;
  /** Simulated ms per wall-clock ms: 0 freezes the clock (tests move it with advanceBy), 60 runs a simulated minute per second. */
  speed?: number | undefined;
  /** The data the world replays; default: the project's data/ folder. */
  data?: WorldData | undefined;
  /** Wall-clock ms between clock ticks. Default 250. */
  tickMs?: number | undefined;
  /** What to do when moving the clock throws (a simulator bug): default, write it to stderr and stop the clock. */
  onError?: ((error: unknown) => void) | undefined;
  /** Register only read-only tools on servers made from this host's context. */
  readOnly?: boolean | undefined;
  /**
   * A folder where the world keeps its journal: the world is rebuilt from it on start, so it outlives
   * this process (a crash of the daemon or of the tool server is not the end of the world it manages).
   */
  stateDir?: string | undefined;
}

export { MAX_SPEED };

/**
 * Owns the simulated world of a tool server process and drives its clock. The world itself never reads
 * the wall clock; this is the one place that does: with `speed` > 0 a timer moves the world forward by
 * the wall time that passed × speed. Every MCP session of the process shares this one world.
 */
export class SimHost {
  /** The world, to read and to move its clock. Its changing calls are not here: they go through `ops`, so the journal misses none. */
  readonly world: WorldReader;
  private readonly physics: World;
  /** The world's changing operations, journaled with a state folder. */
  readonly ops: WorldOps;
  readonly listings: WorldListings;
  readonly speed: number;
  readonly readOnly: boolean;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastWallMs = 0;
  private carryMs = 0;
  private readonly onError: (error: unknown) => void;
  private readonly journal: WorldJournal | null = null;
  private lastMarkWallMs = 0;

  constructor(options: SimHostOptions = {}) {
    const speed = options.speed ?? 0;
    if (!Number.isFinite(speed) || speed < 0 || speed > MAX_SPEED) {
      throw new RangeError(`speed must be a number from 0 to ${MAX_SPEED} (simulated ms per wall ms), got ${speed}`);
    }
    const tickMs = options.tickMs ?? 250;
    if (!Number.isInteger(tickMs) || tickMs < 1 || tickMs > 60_000) throw new RangeError(`tickMs must be a whole number from 1 to 60000, got ${tickMs}`);
    this.speed = speed;
    this.readOnly = options.readOnly ?? false;
    this.onError =
      options.onError ??
      ((error) => {
        process.stderr.write(`skyops sim: the simulated clock stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      });
    const spec = options.spec ?? defaultWorldSpec({ seed: options.seed ?? DEFAULT_SEED, startMs: options.startMs ?? DEFAULT_START_MS });
    const data = options.data ?? loadWorldData();
    if (options.stateDir !== undefined) {
      const journal = new WorldJournal(options.stateDir, spec);
      this.journal = journal;
      this.physics = replayJournal(data, spec, journal.entries);
      this.ops = new JournaledWorld(this.physics, (entry) => journal.append(entry));
    } else {
      this.physics = new World(data, spec);
      this.ops = this.physics;
    }
    this.world = this.physics;
    this.listings = new WorldListings(this.physics);
    if (speed > 0) this.start(tickMs);
  }

  /** What tool servers made for this host reach. */
  context(): SimContext {
    return { world: this.world, ops: this.ops, worldListings: this.listings, readOnly: this.readOnly };
  }

  /** Moves simulated time forward by `ms` (tests; a frozen host; a daemon that owns the clock). */
  advanceBy(ms: number): void {
    this.world.advanceBy(ms);
    // a caller that moves the clock (the daemon, once a tick) must find it there after a crash
    this.markClock(true);
  }

  advanceTo(ms: number): void {
    this.world.advanceTo(ms);
    this.markClock(true);
  }

  /** Records in the journal how far the clock has moved (at most once a wall second unless forced). */
  markClock(force = false): void {
    if (!this.journal) return;
    const wall = performance.now();
    if (!force && wall - this.lastMarkWallMs < 1000) return;
    this.lastMarkWallMs = wall;
    this.journal.append({ atMs: this.world.nowMs, op: "clock" });
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** Stops the clock. The world stays readable. */
  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.markClock(true);
  }

  private start(tickMs: number): void {
    this.lastWallMs = performance.now();
    this.timer = setInterval(() => this.tick(), tickMs);
    // the clock alone keeps no process alive: the transport does
    this.timer.unref();
  }

  private tick(): void {
    const wall = performance.now();
    const simMs = (wall - this.lastWallMs) * this.speed + this.carryMs;
    this.lastWallMs = wall;
    const whole = Math.floor(simMs);
    this.carryMs = simMs - whole;
    if (whole <= 0) return;
    try {
      this.world.advanceBy(whole);
      this.markClock();
    } catch (error) {
      this.close();
      this.onError(error);
    }
  }
}
