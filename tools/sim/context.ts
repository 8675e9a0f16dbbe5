import type { WorldOps, WorldReader } from "./journaled-world.js";
import type { WorldListings } from "./world-listings.js";

/** What every tool of the sim server reaches: the one simulated world (shared by all sessions). */
export interface SimContext {
  /** To read; the changes go through `ops`. */
  world: WorldReader;
  /** The world's changing operations: the tools change the world only through these (its journal, where it has one). */
  ops: WorldOps;
  /** The world's incremental listings (each session's revision chains sit on top). */
  worldListings: WorldListings;
  /** Register only the tools whose annotations say read-only. */
  readOnly?: boolean | undefined;
}
