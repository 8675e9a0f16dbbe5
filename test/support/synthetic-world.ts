import type { World } from "../../evals/bench/cost/world.js";

/**
 * A cost-bench world from strings of availability ("1": spot, "0": none, one character per 0.1 h step),
 * for the bench's and the planner's tests. Regions by index; egress between two regions `egressUsd`
 * (default 1 USD), none inside one.
 */
export function syntheticWorld(spec: { regions: { name: string; od: number }[]; zones: { name: string; region: number; avail: string; price: number }[]; egressUsd?: number }): World {
  const steps = Math.min(...spec.zones.map((z) => z.avail.length));
  return {
    id: "synthetic",
    kind: "availability",
    nodes: 1,
    instanceType: "test",
    stepHours: 0.1,
    steps,
    startMs: 0,
    zones: spec.zones.map((z) => ({
      name: z.name,
      traceId: z.name,
      region: z.region,
      avail: Uint8Array.from([...z.avail].map((c) => (c === "1" ? 1 : 0))),
      spotUsdPerHour: new Float64Array(steps).fill(z.price),
    })),
    regions: spec.regions.map((r) => ({ cloud: "aws" as const, name: r.name, onDemandUsdPerHour: r.od })),
    egressUsd: spec.regions.map((_, i) => spec.regions.map((_, j) => (i === j ? 0 : (spec.egressUsd ?? 1)))),
    priceBasis: "synthetic",
  };
}
