import { DEFAULT_START_MS, DEFAULT_TIMELINE, defaultWorldSpec } from "../../src/sim/index.js";
import { SimHost } from "./host.js";

export interface DefaultWorldOptions {
  seed: number;
  /** `default`: the default timeline's incidents and the forgotten debug box; `none`: a quiet world. */
  timeline: "default" | "none";
  /** Simulated ms per wall ms (0: the caller moves the clock, as the daemon does for its embedded simulator). */
  speed: number;
  /** Where the world keeps its journal, so it outlives this process. */
  stateDir?: string | undefined;
  readOnly?: boolean | undefined;
  startMs?: number | undefined;
}

/**
 * The default world on a host: the default fleet, and with the `default` timeline its incidents (a spot
 * surge, a reclaim, an outage, a drift, an untrusted note) and a debug box nobody owns — what `npm start`
 * shows, whether the daemon embeds the simulator or reaches `skyops tool sim` over stdio or HTTP.
 */
export function defaultWorldHost(options: DefaultWorldOptions): SimHost {
  const spec = defaultWorldSpec({ seed: options.seed, startMs: options.startMs ?? DEFAULT_START_MS, events: options.timeline === "default" ? DEFAULT_TIMELINE : [] });
  const host = new SimHost({ spec, speed: options.speed, stateDir: options.stateDir, readOnly: options.readOnly });
  // a leftover debug box nobody owns: the orphan the default world starts with (idempotent across restarts, journaled)
  if (options.timeline === "default") {
    host.ops.launch({ cloud: "aws", region: "us-east-1", instanceType: "g5.xlarge", spot: false, count: 1, workloadId: null, idempotencyKey: "default-world/forgotten-debug-box" });
  }
  return host;
}
