import { afterEach, describe, expect, it } from "vitest";
import { loadWorldData } from "../../src/data/load.js";
import { DEFAULT_START_MS, defaultWorldSpec } from "../../src/sim/index.js";
import { SimHost } from "../../tools/sim/index.js";

const data = loadWorldData();
const hosts: SimHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
});

function host(options: ConstructorParameters<typeof SimHost>[0]): SimHost {
  const h = new SimHost({ data, ...options });
  hosts.push(h);
  return h;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("SimHost", () => {
  it("builds the default world at the default start when given no spec, frozen at speed 0", async () => {
    const h = host({ speed: 0 });
    expect(h.world.nowMs).toBe(DEFAULT_START_MS);
    expect(h.world.listWorkloads().length).toBe(defaultWorldSpec().workloads.length);
    expect(h.running).toBe(false);
    await sleep(30);
    expect(h.world.nowMs).toBe(DEFAULT_START_MS);
  });

  it("takes a seed and a start, or a whole spec", () => {
    expect(host({ seed: 7, startMs: DEFAULT_START_MS + 3_600_000 }).world.spec.seed).toBe(7);
    const spec = defaultWorldSpec({ seed: 9, workloads: [] });
    const h = host({ spec });
    expect(h.world.spec).toBe(spec);
    expect(h.world.listWorkloads()).toEqual([]);
  });

  it("moves simulated time with wall time × speed, and stops when closed", async () => {
    const h = host({ speed: 1_000, tickMs: 10 });
    expect(h.running).toBe(true);
    await sleep(120);
    const moved = h.world.nowMs - DEFAULT_START_MS;
    expect(moved).toBeGreaterThanOrEqual(50_000); // ≥ 50 ms of wall time at 1000×
    expect(moved).toBeLessThan(2_000_000);
    h.close();
    expect(h.running).toBe(false);
    const stopped = h.world.nowMs;
    await sleep(40);
    expect(h.world.nowMs).toBe(stopped);
  });

  it("moves a frozen world only when told", () => {
    const h = host({ speed: 0 });
    h.advanceBy(60_000);
    expect(h.world.nowMs).toBe(DEFAULT_START_MS + 60_000);
    h.advanceTo(DEFAULT_START_MS + 120_000);
    expect(h.world.nowMs).toBe(DEFAULT_START_MS + 120_000);
  });

  it("refuses a speed that is negative, not finite or absurd", () => {
    for (const speed of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e9]) {
      expect(() => new SimHost({ data, speed }), String(speed)).toThrow(/speed must be a number from 0 to/);
    }
  });
});
