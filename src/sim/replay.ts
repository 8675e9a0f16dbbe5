import type { AvailabilityTrace, PriceSeries } from "../domain/index.js";

/**
 * Replaying real traces at any simulated moment.
 *
 * A price series is used as recorded while the simulated time falls inside its window (from its first
 * point until one average gap after its last). Outside that window it repeats: the series is laid end to
 * end with period `last − first + average gap`, anchored at its first point, so a 2025 scenario on a
 * 2019–2020 AWS history still sees the real price movements, in their real order and spacing.
 *
 * An availability trace always repeats with period `nTicks × gapSeconds`, anchored at its start.
 */

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

export class SeriesCursor {
  readonly firstMs: number;
  readonly periodMs: number;
  private readonly times: Float64Array;
  private readonly prices: Float64Array;

  constructor(readonly series: PriceSeries) {
    const pts = series.points;
    this.times = Float64Array.from(pts, (p) => p.atMs);
    this.prices = Float64Array.from(pts, (p) => p.usdPerHour);
    this.firstMs = pts[0]!.atMs;
    const lastMs = pts[pts.length - 1]!.atMs;
    const avgGap = pts.length > 1 ? Math.round((lastMs - this.firstMs) / (pts.length - 1)) : 86_400_000;
    this.periodMs = lastMs - this.firstMs + Math.max(avgGap, 60_000);
  }

  /** The position in the series' own time that simulated time `t` replays. */
  position(t: number): number {
    const rel = t - this.firstMs;
    if (rel >= 0 && rel < this.periodMs) return t;
    return this.firstMs + mod(rel, this.periodMs);
  }

  private indexAt(pos: number): number {
    // last index i with times[i] <= pos
    let lo = 0;
    let hi = this.times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.times[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The recorded price in force at simulated time `t`, USD/hour. */
  priceAt(t: number): number {
    return this.prices[this.indexAt(this.position(t))]!;
  }

  /** The next simulated time after `t` at which the replayed price may change. */
  nextChangeAfter(t: number): number {
    const pos = this.position(t);
    const i = this.indexAt(pos);
    const nextPos = i + 1 < this.times.length ? this.times[i + 1]! : this.firstMs + this.periodMs;
    return t + (nextPos - pos);
  }
}

export class TraceCursor {
  readonly periodMs: number;
  readonly gapMs: number;
  private readonly runStarts: Int32Array;
  private readonly runValues: Int32Array;
  private readonly runPrices: { startTick: number; nTicks: number; usdPerHour: number }[];

  constructor(readonly trace: AvailabilityTrace) {
    this.gapMs = trace.gapSeconds * 1000;
    this.periodMs = trace.nTicks * this.gapMs;
    this.runStarts = Int32Array.from(trace.runs, (r) => r.startTick);
    this.runValues = Int32Array.from(trace.runs, (r) => r.value);
    this.runPrices = trace.prices;
  }

  /** The tick of the trace that simulated time `t` replays. */
  tickAt(t: number): number {
    return Math.floor(mod(t - this.trace.startMs, this.periodMs) / this.gapMs);
  }

  private runAt(tick: number): number {
    let lo = 0;
    let hi = this.runStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runStarts[mid]! <= tick) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Spot instances available at `t`, out of `trace.nodes`. */
  valueAt(t: number): number {
    return this.runValues[this.runAt(this.tickAt(t))]!;
  }

  /** Share of nodes available at `t`, 0..1. */
  availabilityAt(t: number): number {
    return this.valueAt(t) / this.trace.nodes;
  }

  /** The recorded spot price at `t`, where the trace carries prices; otherwise null. */
  priceAt(t: number): number | null {
    if (this.runPrices.length === 0) return null;
    const tick = this.tickAt(t);
    for (const p of this.runPrices) if (tick >= p.startTick && tick < p.startTick + p.nTicks) return p.usdPerHour;
    return null;
  }

  /** The next simulated time after `t` at which the availability may change (the next run boundary). */
  nextChangeAfter(t: number): number {
    const pos = mod(t - this.trace.startMs, this.periodMs);
    const run = this.runAt(Math.floor(pos / this.gapMs));
    const nextTick = run + 1 < this.runStarts.length ? this.runStarts[run + 1]! : this.trace.nTicks;
    return t + (nextTick * this.gapMs - pos);
  }
}
