export * from "./world.js";
export type { InstanceHandle, WorkloadHandle, WorldChanges } from "./changes.js";
export * from "./errors.js";
export * from "./types.js";
export * from "./rng.js";
export * from "./replay.js";
export * from "./default-world.js";
