import { describe, expect, it } from "vitest";
import type { PriceSeries } from "../../src/domain/index.js";
import { INTERRUPTION_NOTICE_MS, World } from "../../src/sim/index.js";
import { H, M, data } from "./helpers.js";

function emptyWorld(startMs: number, clouds: ("aws" | "gcp" | "azure")[] = ["aws", "gcp", "azure"]): World {
  return new World(data, { seed: 3, startMs, clouds, workloads: [], events: [] });
}

/** The recorded price in force at `t`: the last row at or before it (computed here from the rows). */
function rowAt(series: PriceSeries, t: number): number {
  let price = series.points[0]!.usdPerHour;
  for (const p of series.points) if (p.atMs <= t) price = p.usdPerHour;
  return price;
}

describe("replayed spot prices", () => {
  it("equal the trace rows while the simulated time is inside the trace's window", () => {
    const start = Date.UTC(2020, 0, 15);
    const w = emptyWorld(start, ["aws"]);
    const pointsOf = (id: string | null): number => data.priceSeries.find((s) => s.id === id)?.points.length ?? 0;
    const offer = w
      .listOffers({ cloud: "aws", spot: true })
      .filter((o) => o.spotPriceSource?.startsWith("aws-2019"))
      .sort((a, b) => pointsOf(b.spotPriceSource) - pointsOf(a.spotPriceSource))[0];
    expect(offer, "an AWS offer replays the 2019–2020 history").toBeDefined();
    const series = data.priceSeries.find((s) => s.id === offer!.spotPriceSource)!;
    let changes = 0;
    let last = offer!.spotUsdPerHourNow;
    for (let t = start; t < start + 14 * 24 * H; t += 37 * M) {
      w.advanceTo(t);
      const now = w.getOffer(offer!.id)!.spotUsdPerHourNow;
      expect(now).toBe(rowAt(series, t));
      if (now !== last) changes++;
      last = now;
    }
    expect(changes, "the price really moves along the history").toBeGreaterThan(0);
  });

  it("equal GCP's recorded price changes in 2025", () => {
    const start = Date.UTC(2025, 5, 1);
    const w = emptyWorld(start, ["gcp"]);
    const offer = w.listOffers({ cloud: "gcp", spot: true }).find((o) => o.spotPriceSource?.startsWith("gcp-history"));
    expect(offer).toBeDefined();
    const series = data.priceSeries.find((s) => s.id === offer!.spotPriceSource)!;
    for (let t = start; t < start + 60 * 24 * H; t += 24 * H) {
      w.advanceTo(t);
      expect(w.getOffer(offer!.id)!.spotUsdPerHourNow).toBe(rowAt(series, t));
    }
  });

  it("repeat the history, rows in their real order and spacing, when the simulated time is outside it", () => {
    const start = Date.UTC(2025, 5, 1);
    const w = emptyWorld(start, ["aws"]);
    const offer = w.listOffers({ cloud: "aws", spot: true }).find((o) => o.spotPriceSource?.startsWith("aws-2019"))!;
    const series = data.priceSeries.find((s) => s.id === offer.spotPriceSource)!;
    const first = series.points[0]!.atMs;
    const lastAt = series.points[series.points.length - 1]!.atMs;
    const avgGap = Math.round((lastAt - first) / (series.points.length - 1));
    const period = lastAt - first + Math.max(avgGap, M);
    for (let t = start; t < start + 7 * 24 * H; t += 53 * M) {
      w.advanceTo(t);
      const position = first + ((((t - first) % period) + period) % period);
      expect(w.getOffer(offer.id)!.spotUsdPerHourNow).toBe(rowAt(series, position));
    }
  });

  it("report history as change points that match what was in force", () => {
    const start = Date.UTC(2020, 0, 15);
    const w = emptyWorld(start, ["aws"]);
    const offer = w.listOffers({ cloud: "aws", spot: true }).find((o) => o.spotPriceSource?.startsWith("aws-2019"))!;
    w.advanceBy(7 * 24 * H);
    const hist = w.getPriceHistory({ offerId: offer.id, spot: true, sinceMs: start });
    const series = data.priceSeries.find((s) => s.id === offer.spotPriceSource)!;
    for (const p of hist.points) expect(p.usdPerHour).toBe(rowAt(series, p.atMs));
    expect(hist.points[0]!.atMs).toBe(start);
  });
});

describe("spot availability", () => {
  it("preempts spot instances when their availability trace drops: a 2-minute notice at the drop, reclaimed after it", () => {
    const probe = emptyWorld(Date.UTC(2025, 5, 1), ["aws"]);
    const offer = probe
      .listOffers({ cloud: "aws", spot: true })
      .find((o) => o.spotAvailabilitySource !== null && data.traces.find((t) => t.id === o.spotAvailabilitySource)!.nodes === 1)!;
    const trace = data.traces.find((t) => t.id === offer.spotAvailabilitySource)!;
    // find a run of availability followed by a drop, straight from the trace rows
    const runIdx = trace.runs.findIndex((r, i) => r.value === 1 && trace.runs[i + 1]?.value === 0 && r.nTicks > 2);
    expect(runIdx).toBeGreaterThanOrEqual(0);
    const up = trace.runs[runIdx]!;
    const gap = trace.gapSeconds * 1000;
    const start = trace.startMs + up.startTick * gap + gap; // inside the available run
    const dropAt = trace.startMs + (up.startTick + up.nTicks) * gap;
    const w = emptyWorld(start, ["aws"]);
    expect(w.getOffer(offer.id)!.spotAvailability).toBe(1);
    const [inst] = w.launch({ cloud: offer.cloud, region: offer.region, zone: offer.zone ?? undefined, instanceType: offer.instanceType, spot: true, count: 1, idempotencyKey: "k" });
    w.advanceTo(dropAt - 1);
    expect(w.listInstances()[0]!.interruptionAtMs).toBeNull();
    w.advanceTo(dropAt);
    expect(w.listInstances()[0]!.interruptionAtMs).toBe(dropAt + INTERRUPTION_NOTICE_MS);
    expect(w.getOffer(offer.id)!.spotAvailability).toBe(0);
    expect(() => w.launch({ cloud: offer.cloud, region: offer.region, zone: offer.zone ?? undefined, instanceType: offer.instanceType, spot: true, count: 1, idempotencyKey: "k2" })).toThrow(/no spot capacity/);
    w.advanceTo(dropAt + INTERRUPTION_NOTICE_MS);
    const ended = w.listInstances({ includeEnded: true }).find((i) => i.id === inst!.id)!;
    expect(ended.state).toBe("preempted");
    expect(ended.endedAtMs).toBe(dropAt + INTERRUPTION_NOTICE_MS);
    // on-demand instances on the same offer are never reclaimed
    const od = w.launch({ cloud: offer.cloud, region: offer.region, zone: offer.zone ?? undefined, instanceType: offer.instanceType, spot: false, count: 1, idempotencyKey: "k3" });
    w.advanceBy(24 * H);
    expect(w.listInstances().map((i) => i.id)).toContain(od[0]!.id);
  });

  it("maps every spot offer to a real trace, by cloud, accelerator and region", () => {
    const w = emptyWorld(Date.UTC(2025, 5, 1));
    const spot = w.listOffers({ spot: true });
    expect(spot.every((o) => o.spotAvailabilitySource !== null)).toBe(true);
    const v100 = spot.filter((o) => o.cloud === "aws" && o.accelerator === "V100");
    for (const o of v100) {
      const t = data.traces.find((x) => x.id === o.spotAvailabilitySource)!;
      expect(t.cloud).toBe("aws");
      expect(t.accelerator).toBe("V100");
    }
  });
});
