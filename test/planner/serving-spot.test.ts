import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { benchInference } from "../../evals/bench/cost/inference.js";
import type { World } from "../../evals/bench/cost/world.js";
import { syntheticWorld } from "../support/synthetic-world.js";
import { plannerConfig } from "../../src/planner/config.js";
import { planServingSpot, survivors, type LossWindow, type ServingSpotInput, type ServingZone } from "../../src/planner/serving-spot.js";

const config = plannerConfig();
const OD = 3.06;

function zone(name: string, over: Partial<ServingZone> = {}): ServingZone {
  return { zone: name, location: `aws/${name.slice(0, -1)}`, spotUsdPerHour: 0.5, available: true, spotReplicas: 0, readySpotReplicas: 0, ...over };
}
const nine = ["us-east-1a", "us-east-1c", "us-east-1d", "us-east-2a", "us-east-2b", "us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"];

function input(over: Partial<ServingSpotInput> = {}): ServingSpotInput {
  return { replicas: 10, zones: nine.map((z) => zone(z)), onDemandUsdPerHour: OD, onDemandReplicas: 0, readyOnDemandReplicas: 0, lossWindows: [], ...over };
}

const targetCounts = (p: ReturnType<typeof planServingSpot>) => Object.values(p.target.spot);

describe("planServingSpot: skyops' serving policy", () => {
  it("spreads spot replicas over the zones with capacity, so the fullest zones' reclaim still leaves K, and buys no on demand", () => {
    const p = planServingSpot(input(), config);
    const counts = targetCounts(p);
    expect(p.zoneLosses).toBe(config.servingZoneLosses);
    expect(Math.max(...counts)).toBeLessThanOrEqual(Math.ceil(10 * config.servingMaxSpotPerZone));
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(survivors(counts, p.zoneLosses)).toBeGreaterThanOrEqual(10);
    expect(p.onDemand).toBe(0);
    // over-provisioned: more spot than K, cheaper than K on demand
    expect(p.spotTotal).toBeGreaterThan(10);
    expect(p.usdPerHour).toBeLessThan(10 * OD);
  });

  it("puts the extra replicas in the cheaper zones on ties", () => {
    const zones = nine.map((z, i) => zone(z, { spotUsdPerHour: i < 3 ? 0.4 : 0.6 }));
    const p = planServingSpot(input({ zones }), config);
    const counts = targetCounts(p);
    expect(Math.min(...counts.slice(0, 3))).toBeGreaterThanOrEqual(Math.max(...counts.slice(3)));
  });

  it("falls back to on demand when spot is lost: one zone left or none", () => {
    const one = nine.map((z, i) => zone(z, { available: i === 0 }));
    const p1 = planServingSpot(input({ zones: one }), config);
    expect(p1.onDemand).toBe(10);
    const none = nine.map((z) => zone(z, { available: false, spotReplicas: 2, readySpotReplicas: 2 }));
    const p0 = planServingSpot(input({ zones: none }), config);
    expect(p0.onDemand).toBe(10);
    expect(p0.spotTotal).toBe(0);
  });

  it("plans on demand before the last zones go when reclaims of every zone were seen with that many zones", () => {
    const two = nine.map((z, i) => zone(z, { available: i < 2 }));
    const quiet = planServingSpot(input({ zones: two }), config);
    expect(quiet.spotTotal).toBeGreaterThan(0);
    expect(quiet.onDemand).toBeLessThan(10);
    const history: LossWindow[] = [
      { zonesUp: 2, zonesLost: 0, count: 90 },
      { zonesUp: 2, zonesLost: 2, count: 10 },
      { zonesUp: 9, zonesLost: 9, count: 50 }, // other zone counts do not apply
    ];
    const wary = planServingSpot(input({ zones: two, lossWindows: history }), config);
    expect(wary.onDemand).toBe(10);
    expect(wary.expectedServed).toBeGreaterThanOrEqual(config.servingTargetAvailability);
    // history of nine zones never losing more than one leaves the nine-zone plan as it was
    const calm = planServingSpot(input({ lossWindows: [{ zonesUp: 9, zonesLost: 1, count: 500 }] }), config);
    expect(calm.onDemand).toBe(0);
  });

  it("keeps ready on demand until the spot replacing it is ready, then releases it", () => {
    const provisioning = planServingSpot(input({ zones: nine.map((z) => zone(z, { spotReplicas: 2, readySpotReplicas: 0 })), onDemandReplicas: 10, readyOnDemandReplicas: 10 }), config);
    expect(provisioning.target.onDemand).toBe(0);
    expect(provisioning.onDemand).toBe(10);
    const ready = planServingSpot(input({ zones: nine.map((z) => zone(z, { spotReplicas: 2, readySpotReplicas: 2 })), onDemandReplicas: 10, readyOnDemandReplicas: 10 }), config);
    expect(ready.onDemand).toBe(0);
    // on demand still provisioning is released at once
    const fresh = planServingSpot(input({ zones: nine.map((z) => zone(z, { spotReplicas: 2, readySpotReplicas: 2 })), onDemandReplicas: 10, readyOnDemandReplicas: 0 }), config);
    expect(fresh.onDemand).toBe(0);
  });

  it("rebalances spot make-before-break: a crowded zone gives up ready replicas only once the others can take its loss", () => {
    const crowded = nine.map((z, i) => zone(z, i === 0 ? { spotReplicas: 10, readySpotReplicas: 10 } : {}));
    const p = planServingSpot(input({ zones: crowded }), config);
    expect(p.spot[nine[0]!]).toBe(10);
    const settled = nine.map((z, i) => zone(z, i === 0 ? { spotReplicas: 10, readySpotReplicas: 10 } : { spotReplicas: 2, readySpotReplicas: 2 }));
    const q = planServingSpot(input({ zones: settled }), config);
    expect(q.spot[nine[0]!]).toBe(q.target.spot[nine[0]!]);
  });

  it("never plans fewer than the required replicas, nor spot where there is no capacity, and is deterministic", () => {
    const arb = fc.record({
      replicas: fc.integer({ min: 0, max: 30 }),
      zones: fc.array(
        fc.record({ available: fc.boolean(), price: fc.double({ min: 0.05, max: 5, noNaN: true }), alive: fc.integer({ min: 0, max: 12 }), ready: fc.integer({ min: 0, max: 12 }) }),
        { minLength: 0, maxLength: 7 },
      ),
      od: fc.integer({ min: 0, max: 30 }),
      odReady: fc.integer({ min: 0, max: 30 }),
      windows: fc.array(fc.record({ zonesUp: fc.integer({ min: 0, max: 7 }), zonesLost: fc.integer({ min: 0, max: 7 }), count: fc.integer({ min: 0, max: 50 }) }), { maxLength: 6 }),
      losses: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const cfg = plannerConfig({ servingZoneLosses: a.losses });
        const zones = a.zones.map((z, i) => zone(`z-${i}a`, { available: z.available, spotUsdPerHour: z.price, spotReplicas: z.alive, readySpotReplicas: Math.min(z.alive, z.ready) }));
        const lossWindows = a.windows.map((w) => ({ ...w, zonesLost: Math.min(w.zonesLost, w.zonesUp) }));
        const inp: ServingSpotInput = { replicas: a.replicas, zones, onDemandUsdPerHour: OD, onDemandReplicas: a.od, readyOnDemandReplicas: Math.min(a.od, a.odReady), lossWindows };
        const copy = structuredClone(inp);
        const p = planServingSpot(inp, cfg);
        expect(inp).toEqual(copy);
        expect(p.spotTotal + p.onDemand).toBeGreaterThanOrEqual(a.replicas);
        expect(survivors(Object.values(p.target.spot), p.zoneLosses) + p.target.onDemand).toBeGreaterThanOrEqual(a.replicas);
        expect(p.onDemand).toBeGreaterThanOrEqual(p.target.onDemand);
        for (const z of zones) {
          if (!z.available) expect(p.spot[z.zone]).toBe(0);
          else expect(p.spot[z.zone]).toBeGreaterThanOrEqual(p.target.spot[z.zone]!);
        }
        expect(JSON.stringify(planServingSpot(inp, cfg))).toBe(JSON.stringify(p));
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

/** A world of zones in one region from availability strings ("1": spot, "0": none per 0.1 h step). */
function world(avail: string[]): World {
  return syntheticWorld({ regions: [{ name: "us-east-1", od: OD }], zones: avail.map((a, i) => ({ name: `us-east-1${"abcdefgh"[i]!}`, region: 0, avail: a, price: 0.4 })), egressUsd: 0 });
}

describe("the serving bench runs the planner's policy", () => {
  const options = { replicas: 10, provisionSteps: 2, config };

  it("serves all demand on steady spot in several zones, far cheaper than on demand", () => {
    const r = benchInference(world(["1".repeat(50), "1".repeat(50), "1".repeat(50), "1".repeat(50)]), options);
    expect(r.availability).toBe(1);
    expect(r.allReplicasShare).toBe(1);
    expect(r.onDemandShare).toBe(0);
    expect(r.costSaving).toBeGreaterThan(0.6);
  });

  it("loses demand only while replacements provision when every zone goes at once unforeseen, and then runs on demand", () => {
    // four zones: the plan survives two zone losses on spot alone, so no on demand is running when all go
    const r = benchInference(world(Array.from({ length: 4 }, () => "1".repeat(20) + "0".repeat(30))), options);
    expect(r.availability).toBeCloseTo(48 / 50, 9);
    expect(r.onDemandShare).toBeGreaterThan(0.4);
  });

  it("decides from the past and present only: traces that differ only after step t give the same costs through t", () => {
    const t = 30;
    const a = ["1".repeat(60), "1".repeat(25) + "0".repeat(35), "10".repeat(30)];
    const b = a.map((s, i) => s.slice(0, t + 1) + (i === 0 ? "0" : "1").repeat(60 - t - 1));
    const ra = benchInference(world(a), options, true);
    const rb = benchInference(world(b), options, true);
    expect(rb.series!.slice(0, t + 1)).toEqual(ra.series!.slice(0, t + 1));
    expect(rb.series!).not.toEqual(ra.series!);
  });
});
