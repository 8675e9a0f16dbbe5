import { loadWorldData } from "../../src/data/load.js";
import { WorldSpecSchema, type WorldSpecInput } from "../../src/domain/index.js";
import { DEFAULT_START_MS, World } from "../../src/sim/index.js";

export const data = loadWorldData();
export const H = 3_600_000;
export const M = 60_000;

export function world(input: Partial<WorldSpecInput> & { workloads: WorldSpecInput["workloads"] }): World {
  return new World(data, WorldSpecSchema.parse({ seed: 1, startMs: DEFAULT_START_MS, events: [], ...input }));
}
