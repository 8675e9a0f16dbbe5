import type { World } from "../../src/sim/index.js";

/** What every tool of the sim server reaches: the one simulated world (shared by all sessions). */
export interface SimContext {
  world: World;
  /** Register only the tools whose annotations say read-only. */
  readOnly?: boolean | undefined;
}
