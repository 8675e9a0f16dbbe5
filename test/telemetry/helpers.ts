import { loadWorldData } from "../../src/data/load.js";
import { SnapshotSchema, WorldSpecSchema, type EgressMatrix, type Snapshot, type WorldSpecInput } from "../../src/domain/index.js";
import { DEFAULT_FLEET, DEFAULT_START_MS, World } from "../../src/sim/index.js";
import { egressOf, rawSnapshotOf as sharedRawSnapshotOf } from "../support/world-snapshot.js";
import { detect, DetectorConfigSchema, initialDetectorState, type DetectorConfig, type DetectorConfigInput, type DetectorState, type DetectResult } from "../../src/telemetry/index.js";

export const data = loadWorldData();
export const H = 3_600_000;
export const M = 60_000;

export function world(input: Partial<WorldSpecInput> = {}): World {
  return new World(data, WorldSpecSchema.parse({ seed: 1, startMs: DEFAULT_START_MS, workloads: DEFAULT_FLEET, events: [], ...input }), { logEvents: false });
}

/** What the agent's observe step would gather from the sim tool server, as one snapshot. */
export function rawSnapshotOf(w: World, server = "sim"): Snapshot {
  return sharedRawSnapshotOf(w, server, 3);
}

/** The same, checked against the contract (what the agent hands detect()). */
export function snapshotOf(w: World, server = "sim"): Snapshot {
  return SnapshotSchema.parse(rawSnapshotOf(w, server));
}

export { egressOf };

/**
 * The detector configuration for a test. The surge tests count ticks (`raiseTicks`), so the time rule
 * (`raiseAfterMs`, 15 minutes by default) is off unless a test sets it; its own test does.
 */
export function config(input: DetectorConfigInput = {}): DetectorConfig {
  return DetectorConfigSchema.parse({ raiseAfterMs: 0, ...input });
}

/** Drives a world tick by tick, threading the detector state as the agent does. */
export class Ticker {
  state: DetectorState = initialDetectorState();
  last: DetectResult = { findings: [], state: this.state };
  readonly egress: EgressMatrix;

  constructor(
    readonly w: World,
    readonly cfg: DetectorConfig = config(),
  ) {
    this.egress = egressOf(w);
  }

  /** Detects on the world as it is now (optionally on a changed snapshot). */
  detect(change: (s: Snapshot) => Snapshot = (s) => s): DetectResult {
    this.last = detect(change(snapshotOf(this.w)), this.state, this.cfg, this.egress);
    this.state = this.last.state;
    return this.last;
  }

  /** Moves the clock to `atMs` from the world's start and detects. */
  at(atMs: number, change?: (s: Snapshot) => Snapshot): DetectResult {
    this.w.advanceTo(this.w.startMs + atMs);
    return this.detect(change);
  }

  /** Ticks every `stepMs` until `untilMs` (from start), collecting every result. */
  run(stepMs: number, untilMs: number): { atMs: number; result: DetectResult }[] {
    const out: { atMs: number; result: DetectResult }[] = [];
    for (let t = this.w.nowMs - this.w.startMs; t <= untilMs; t += stepMs) out.push({ atMs: t, result: this.at(t) });
    return out;
  }
}

export function kinds(r: DetectResult): string[] {
  return r.findings.map((f) => `${f.kind}:${f.workloadId ?? "-"}`);
}

export function only(r: DetectResult, kind: string, workloadId?: string): DetectResult["findings"] {
  return r.findings.filter((f) => f.kind === kind && (workloadId === undefined || f.workloadId === workloadId));
}
