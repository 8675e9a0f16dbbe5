import { describe, expect, it } from "vitest";
import { geoOfRegion, parseLocationKey, type WorldSpecInput } from "../../src/domain/index.js";
import { DEFAULT_FLEET } from "../../src/sim/index.js";
import { config, H, M, only, Ticker, world } from "./helpers.js";

type Events = NonNullable<WorldSpecInput["events"]>;

/** The facts a price-surge finding carries. */
interface SurgeFacts {
  location: string;
  ratio: number;
  currentUsdPerHour: number;
  baselineUsdPerHour: number;
  checkpointGb: number;
  altLocation: string;
  altOfferId: string;
  altSpot: boolean;
  altUsdPerHour: number;
  savingsUsdPerHour: number;
  remainingHours: number;
  egressUsdPerGb: number;
  egressUsd: number;
  downtimeHours: number;
  downtimeUsd: number;
  netSavingsUsd: number;
}

/** A spot price surge of llm-finetune's placement (aws/us-east-1, A100:8, residency us). */
function surge(at: string, factor: number, lasting: string): Events[number] {
  return { at, price: { cloud: "aws", region: "us-east-1", gpu: "A100", spot: true, factor, for: lasting } };
}

/** Ticks every 5 minutes up to `untilMs` and returns llm-finetune's price-surge findings per tick. */
function surges(t: Ticker, untilMs: number): { atMin: number; ids: string[] }[] {
  return t.run(5 * M, untilMs).map(({ atMs, result }) => ({ atMin: atMs / M, ids: only(result, "price-surge", "llm-finetune").map((f) => f.id) }));
}

describe("price-surge", () => {
  it("raises a surge after raiseTicks ticks at the surge line, keeps one id while it lasts, and clears after clearTicks ticks under the clear line", () => {
    const t = new Ticker(world({ events: [surge("30m", 4, "1h")] }));
    const ticks = surges(t, 2 * H);
    const at = (min: number): string[] => ticks.find((x) => x.atMin === min)!.ids;
    // 30m: first tick above the line; 35m: second, the surge opens
    expect(at(25)).toEqual([]);
    expect(at(30)).toEqual([]);
    expect(at(35)).toHaveLength(1);
    const id = at(35)[0]!;
    expect(id).toBe(`price-surge/llm-finetune/${t.w.startMs + 35 * M}`);
    for (let min = 35; min < 90; min += 5) expect(at(min)).toEqual([id]);
    // 90m: the price is back (one tick under the clear line, still open); 95m: cleared
    expect(at(90)).toEqual([id]);
    expect(at(95)).toEqual([]);
    expect(at(120)).toEqual([]);
    expect(t.state.surge["llm-finetune"]!.openSinceMs).toBeNull();
  });

  it("takes a spike shorter than raiseAfterMs for flicker whatever the tick, and a longer one for a surge", () => {
    const timed = config({ raiseAfterMs: "15m" });
    // 10 minutes at 3x: two 5-minute ticks above the line, but not 15 minutes of it
    const spike = new Ticker(world({ events: [surge("30m", 3, "10m"), surge("1h", 3, "10m"), surge("1h30m", 3, "10m")] }), timed);
    expect(surges(spike, 2 * H).flatMap((x) => x.ids)).toEqual([]);
    // the same at 1-minute ticks: ten ticks above the line, still under 15 minutes
    const fine = new Ticker(world({ events: [surge("30m", 3, "10m")] }), timed);
    expect(fine.run(M, H).flatMap(({ result }) => only(result, "price-surge", "llm-finetune"))).toEqual([]);
    // a surge that lasts: open from the first tick 15 minutes after it began (30m → 45m)
    const lasting = new Ticker(world({ events: [surge("30m", 3, "2h")] }), timed);
    const ticks = surges(lasting, H);
    expect(ticks.find((x) => x.atMin === 40)!.ids).toEqual([]);
    expect(ticks.find((x) => x.atMin === 45)!.ids).toHaveLength(1);
  });

  it("states the break-even in its facts: savings over the remaining hours less egress and downtime, in the job's residency", () => {
    const t = new Ticker(world({ events: [surge("30m", 4, "1h")] }), config({ checkpointGb: { "llm-finetune": 120 } }));
    t.run(5 * M, 35 * M);
    const [finding] = only(t.last, "price-surge", "llm-finetune");
    expect(finding).toBeDefined();
    const f = finding!.facts as unknown as SurgeFacts;
    expect(finding!.severity).toBe("warning");
    expect(f.location).toBe("aws/us-east-1");
    expect(f.ratio).toBeCloseTo(4, 6);
    expect(f.currentUsdPerHour).toBeCloseTo(4 * f.baselineUsdPerHour, 4);
    expect(f.checkpointGb).toBe(120);
    expect(f.savingsUsdPerHour).toBeCloseTo(f.currentUsdPerHour - f.altUsdPerHour, 4);
    expect(f.egressUsd).toBeCloseTo(120 * f.egressUsdPerGb, 6);
    expect(f.downtimeUsd).toBeCloseTo(f.downtimeHours * f.currentUsdPerHour, 4);
    expect(f.netSavingsUsd).toBeCloseTo(f.savingsUsdPerHour * f.remainingHours - f.egressUsd - f.downtimeUsd, 3);
    expect(f.netSavingsUsd).toBeGreaterThan(0);
    expect(f.remainingHours).toBeCloseTo(40 - 35 / 60, 3);
    const alt = parseLocationKey(f.altLocation);
    expect(geoOfRegion(alt.cloud, alt.region)).toBe("us");
    // the alternative is a real, launchable offer of the same accelerator, with spot capacity if spot
    const offer = t.w.getOffer(f.altOfferId)!;
    expect(offer.accelerator).toBe("A100");
    expect(offer.launchable).toBe(true);
    if (f.altSpot) expect(offer.spotAvailability).toBeGreaterThan(0);
    expect(finding!.summary).toContain("llm-finetune");
    expect(finding!.summary).toContain(f.altLocation);
  });

  it("raises nothing when a price flickers above and below the surge line every tick", () => {
    const flicker: Events = [30, 40, 50, 60, 70, 80].map((min) => surge(`${min}m`, 4, "5m"));
    const t = new Ticker(world({ events: flicker }));
    const above: number[] = [];
    for (let min = 0; min <= 100; min += 5) {
      expect(only(t.at(min * M), "price-surge")).toEqual([]);
      above.push(t.state.surge["llm-finetune"]!.above);
    }
    // the price did cross the line on every other tick: the tracker counted one tick above, then reset
    expect(above.slice(6, 13)).toEqual([1, 0, 1, 0, 1, 0, 1]);
  });

  it("raises once and does not flap when a surge that has opened then flickers", () => {
    const events: Events = [surge("30m", 4, "15m"), ...[50, 60, 70].map((min) => surge(`${min}m`, 4, "5m"))];
    const t = new Ticker(world({ events }));
    const ticks = surges(t, 100 * M);
    const ids = new Set(ticks.flatMap((x) => x.ids));
    expect(ids.size).toBe(1);
    // open from 35m through the flicker (never two ticks in a row under the clear line) …
    for (const x of ticks.filter((x) => x.atMin >= 35 && x.atMin <= 75)) expect(x.ids).toHaveLength(1);
    // … and closed by the second quiet tick in a row (75m, 80m)
    for (const x of ticks.filter((x) => x.atMin >= 80)) expect(x.ids).toEqual([]);
  });

  it("raises nothing for a surge whose move would not pay back before the job ends", () => {
    const shortJob = (checkpointGb: number): WorldSpecInput["workloads"] => [
      { id: "short-job", kind: "training", gpu: "A100:8", at: { cloud: "aws", region: "us-east-1", spot: true }, workHours: 1, residency: ["us"], checkpointGb },
    ];
    const events = [surge("10m", 4, "2h")];
    // a 2 TB checkpoint (as the tool server reports it): egress and downtime outweigh 45 minutes of savings
    const heavy = new Ticker(world({ workloads: shortJob(2000), events }), config());
    const heavyTicks = heavy.run(5 * M, 40 * M);
    expect(heavyTicks.flatMap(({ result }) => only(result, "price-surge"))).toEqual([]);
    expect(heavy.state.surge["short-job"]!.openSinceMs).not.toBeNull();
    // the same surge with a small checkpoint pays, so it was the break-even that decided
    const light = new Ticker(world({ workloads: shortJob(5), events }), config());
    const lightTicks = light.run(5 * M, 40 * M);
    expect(lightTicks.flatMap(({ result }) => only(result, "price-surge")).length).toBeGreaterThan(0);
  });

  it("offers only alternatives within the workload's residency", () => {
    const euJob: WorldSpecInput["workloads"] = [
      { id: "eu-job", kind: "training", gpu: "A100:8", at: { cloud: "aws", region: "eu-west-1", spot: true }, workHours: 30, residency: ["eu"] },
    ];
    const t = new Ticker(world({ workloads: euJob, events: [{ at: "10m", price: { cloud: "aws", region: "eu-west-1", gpu: "A100", spot: true, factor: 5, for: "1h" } }] }));
    t.run(5 * M, 20 * M);
    const [finding] = only(t.last, "price-surge", "eu-job");
    expect(finding).toBeDefined();
    const alt = parseLocationKey(String(finding!.facts["altLocation"]));
    expect(geoOfRegion(alt.cloud, alt.region)).toBe("eu");
  });

  it("watches on-demand training too", () => {
    const fleet = DEFAULT_FLEET.filter((w) => w.id === "legacy-batch").map((w) => ({ ...w, residency: [] }));
    const t = new Ticker(world({ workloads: fleet, events: [{ at: "10m", price: { cloud: "aws", region: "us-west-2", gpu: "V100", spot: false, factor: 3, for: "1h" } }] }));
    t.run(5 * M, 15 * M);
    const [finding] = only(t.last, "price-surge", "legacy-batch");
    expect(finding?.facts["spot"]).toBe(false);
    expect(finding?.facts["ratio"]).toBeCloseTo(3, 6);
  });

  it("raises nothing on a quiet day", () => {
    const t = new Ticker(world());
    const ticks = t.run(15 * M, 2 * H);
    expect(ticks.flatMap(({ result }) => only(result, "price-surge"))).toEqual([]);
  });
});
