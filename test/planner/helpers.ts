import { loadWorldData } from "../../src/data/load.js";
import {
  FindingSchema,
  WorldSpecSchema,
  type EgressMatrix,
  type Finding,
  type FindingKind,
  type Snapshot,
  type WorldSpecInput,
} from "../../src/domain/index.js";
import { plannerConfig, type PlannerConfigInput, type PlannerInput } from "../../src/planner/index.js";
import { DEFAULT_START_MS, World } from "../../src/sim/index.js";

export const data = loadWorldData();
export const H = 3_600_000;
export const M = 60_000;

export function world(input: Partial<WorldSpecInput> & { workloads: WorldSpecInput["workloads"] }, options: { logEvents?: boolean } = {}): World {
  return new World(data, WorldSpecSchema.parse({ seed: 1, startMs: DEFAULT_START_MS, events: [], ...input }), options);
}

/** What the agent's observe step gathers from the sim tool server, as one Snapshot (server "sim"). */
export function snapshotOf(w: World): Snapshot {
  const server = "sim";
  const workloads = w.listWorkloads();
  return {
    atMs: w.nowMs,
    sources: [{ server, ok: true, error: null, invalid: [], ms: 0 }],
    workloads: workloads.map((x) => ({ ...x, server })),
    instances: w.listInstances().map((x) => ({ ...x, server })),
    health: [{ ...w.getHealth(), server }],
    offers: w.listOffers().map((x) => ({ ...x, server })),
    drift: workloads.filter((x) => x.kind === "inference").map((x) => ({ ...w.getDrift(x.id), server })),
  };
}

const egressCache = new WeakMap<World, EgressMatrix>();

/** Every region pair's egress price and bandwidth, as the agent caches it from get_egress_price. */
export function egressOf(w: World): EgressMatrix {
  const cached = egressCache.get(w);
  if (cached) return cached;
  const regions = w.listRegions();
  const matrix: EgressMatrix = {};
  for (const a of regions) {
    const row: EgressMatrix[string] = {};
    for (const b of regions) {
      const e = w.getEgressPrice(a, b);
      row[`${b.cloud}/${b.region}`] = { usdPerGb: e.usdPerGb, transferGbPerSecond: e.transferGbPerSecond };
    }
    matrix[`${a.cloud}/${a.region}`] = row;
  }
  egressCache.set(w, matrix);
  return matrix;
}

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
