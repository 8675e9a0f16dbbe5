import type { EgressMatrix, Snapshot } from "../../src/domain/index.js";
import type { World } from "../../src/sim/index.js";

/** What the agent's observe step gathers from the sim tool server, as one snapshot (unvalidated). */
export function rawSnapshotOf(w: World, server = "sim", ms = 0): Snapshot {
  const workloads = w.listWorkloads();
  return {
    atMs: w.nowMs,
    sources: [{ server, ok: true, error: null, invalid: [], ms }],
    workloads: workloads.map((x) => ({ ...x, server })),
    instances: w.listInstances().map((x) => ({ ...x, server })),
    health: [{ ...w.getHealth(), server }],
    offers: w.listOffers().map((x) => ({ ...x, server })),
    drift: workloads.filter((x) => x.kind === "inference").map((x) => ({ ...w.getDrift(x.id), server })),
  };
}

const egressCache = new Map<string, EgressMatrix>();

/** Egress between every pair of the world's regions (what the agent caches from get_egress_price). */
export function egressOf(w: World): EgressMatrix {
  const key = w.clouds.join(",");
  const cached = egressCache.get(key);
  if (cached) return cached;
  const regions = w.listRegions();
  const matrix: EgressMatrix = {};
  for (const from of regions) {
    const row: EgressMatrix[string] = {};
    for (const to of regions) {
      const p = w.getEgressPrice(from, to);
      row[`${to.cloud}/${to.region}`] = { usdPerGb: p.usdPerGb, transferGbPerSecond: p.transferGbPerSecond };
    }
    matrix[`${from.cloud}/${from.region}`] = row;
  }
  egressCache.set(key, matrix);
  return matrix;
}
