import { loadWorldData } from "../../src/data/load.js";
import {
  FindingSchema,
  WorldSpecSchema,
  type Finding,
  type FindingKind,
  type Snapshot,
  type WorldSpecInput,
} from "../../src/domain/index.js";
import { plannerConfig, type PlannerConfigInput, type PlannerInput } from "../../src/planner/index.js";
import { DEFAULT_START_MS, World } from "../../src/sim/index.js";
import { egressOf, rawSnapshotOf } from "../support/world-snapshot.js";

export const data = loadWorldData();
export const H = 3_600_000;
export const M = 60_000;

export function world(input: Partial<WorldSpecInput> & { workloads: WorldSpecInput["workloads"] }, options: { logEvents?: boolean } = {}): World {
  return new World(data, WorldSpecSchema.parse({ seed: 1, startMs: DEFAULT_START_MS, events: [], ...input }), options);
}

/** What the agent's observe step gathers from the sim tool server, as one Snapshot (server "sim"). */
export function snapshotOf(w: World): Snapshot {
  return rawSnapshotOf(w);
}

export { egressOf };

let seq = 0;

/** A hand-written finding (what the telemetry detectors will produce). */
export function finding(kind: FindingKind, workloadId: string | null, facts: Finding["facts"] = {}, atMs = DEFAULT_START_MS, id?: string): Finding {
  return FindingSchema.parse({ id: id ?? `f-${kind}-${workloadId ?? "fleet"}-${++seq}`, kind, workloadId, severity: "warning", atMs, summary: `${kind} (test)`, facts });
}

export function input(w: World, findings: Finding[], extra: { busy?: string[]; config?: PlannerConfigInput; snapshot?: Snapshot } = {}): PlannerInput {
  return {
    nowMs: w.nowMs,
    snapshot: extra.snapshot ?? snapshotOf(w),
    findings,
    egress: egressOf(w),
    busy: extra.busy ?? [],
    config: plannerConfig(extra.config ?? {}),
  };
}
