import { geoOfRegion, type AvailabilityTrace, type Cloud, type WorldData } from "../../../src/domain/index.js";

/**
 * The cost benchmark's world: the real spot traces of data/traces resampled onto one time grid, with the
 * real prices of their instance types and the real egress prices between their regions.
 *
 * A trace *family* is the traces of one source folder, instance type and node count: the same capacity
 * measured at the same times in several zones (e.g. the 9 zones of aws-02-15-2023 V100). A job in a
 * family may use any of its zones; a single-zone view keeps one zone only.
 */

export interface Zone {
  /** Zone name as the trace has it (`us-east-1a`). */
  name: string;
  traceId: string;
  /** Index into `World.regions`. */
  region: number;
  /** 1 where the job's N nodes are all available on spot for the whole step, per step. */
  avail: Uint8Array;
  /** Spot price of the job's N nodes, USD/hour, per step. */
  spotUsdPerHour: Float64Array;
}

export interface Region {
  cloud: Cloud;
  name: string;
  /** On-demand price of the job's N nodes, USD/hour. */
  onDemandUsdPerHour: number;
}

export interface World {
  id: string;
  /** `availability` or `preemption` traces (the source folder). */
  kind: AvailabilityTrace["kind"];
  nodes: number;
  instanceType: string;
  stepHours: number;
  /** Steps the grid covers (where every zone's trace has data). */
  steps: number;
  /** UTC ms of step 0. */
  startMs: number;
  zones: Zone[];
  regions: Region[];
  /** USD to move the checkpoint from region i to region j (0 on the diagonal). */
  egressUsd: number[][];
  /** Where the prices come from, in words. */
  priceBasis: string;
}

export interface WorldOptions {
  stepHours: number;
  checkpointGb: number;
}

/** A trace family left out of the benchmark, and why. */
export interface Excluded {
  family: string;
  traces: number;
  reason: string;
}

/** `availability-1node-aws-02-15-2023-us-east-1a-p3.2xlarge` → `availability-1node-aws-02-15-2023-p3.2xlarge`. */
export function familyIdOf(trace: AvailabilityTrace): string {
  const zoneAt = trace.id.lastIndexOf(`-${trace.zone}-`);
  return zoneAt < 0 ? trace.id : trace.id.slice(0, zoneAt) + trace.id.slice(zoneAt + trace.zone.length + 1);
}

/**
 * Builds one World per trace family whose instance type has a known on-demand price, and lists the
 * families left out. Families are sorted by id and zones by name, so the result is deterministic.
 */
export function buildWorlds(data: WorldData, options: WorldOptions): { worlds: World[]; excluded: Excluded[] } {
  const families = new Map<string, AvailabilityTrace[]>();
  for (const t of data.traces) {
    const id = familyIdOf(t);
    const list = families.get(id) ?? [];
    list.push(t);
    families.set(id, list);
  }
  const worlds: World[] = [];
  const excluded: Excluded[] = [];
  for (const id of [...families.keys()].sort()) {
    const traces = families.get(id)!.slice().sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : 0));
    const priced = pricesFor(data, traces);
    if ("reason" in priced) {
      excluded.push({ family: id, traces: traces.length, reason: priced.reason });
      continue;
    }
    worlds.push(worldOf(id, traces, priced, data, options));
  }
  return { worlds, excluded };
}

interface Priced {
  /** On-demand USD/hour of one node, by `cloud/region`. */
  onDemand: Map<string, number>;
  /** Spot USD/hour of one node for a trace at a time (ms), when the trace carries no prices. */
  spotAt: (trace: AvailabilityTrace, atMs: number) => number;
  basis: string;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Prices of a family's instance type, from data/ only:
 * - AWS: the catalog. Zone names (`us-east-1a`) map to AZ ids (`use1-az1`) differently in every AWS
 *   account, so a zone's spot price is the mean over its region's AZ offers. p3.16xlarge is not in the
 *   GPU catalog extract: it is priced as 8 × p3.2xlarge (8 V100 against 1; AWS prices the p3 family
 *   linearly), said so in `priceBasis`.
 * - GCP: the price history's on-demand and spot series for the region, the price in force at the time
 *   (or the first one after, where the series starts later).
 * - Traces that carry their own spot prices use them, per tick.
 * Families whose type has no on-demand price anywhere in data/ (p2.* K80, r5.16xlarge) are left out.
 */
function pricesFor(data: WorldData, traces: AvailabilityTrace[]): Priced | { reason: string } {
  const first = traces[0]!;
  const type = first.instanceType;
  if (first.cloud === "aws") {
    const scale = type === "p3.16xlarge" ? 8 : 1;
    const catalogType = scale === 8 ? "p3.2xlarge" : type;
    const onDemand = new Map<string, number>();
    const spot = new Map<string, number>();
    for (const t of traces) {
      const offers = data.offers.filter((o) => o.cloud === "aws" && o.region === t.region && o.instanceType === catalogType);
      const od = offers.map((o) => o.onDemandUsdPerHour).filter((p): p is number => p !== null);
      const sp = offers.map((o) => o.spotUsdPerHour).filter((p): p is number => p !== null);
      if (od.length === 0) return { reason: `no on-demand price for ${type} in ${t.region} in data/catalog (the catalog extract is GPU types of 2025; it has no ${type})` };
      onDemand.set(`aws/${t.region}`, mean(od) * scale);
      if (sp.length > 0) spot.set(`aws/${t.region}`, mean(sp) * scale);
      else if (t.prices.length === 0) return { reason: `no spot price for ${type} in ${t.region}` };
    }
    const carries = traces.some((t) => t.prices.length > 0);
    return {
      onDemand,
      spotAt: (t) => spot.get(`aws/${t.region}`)!,
      basis:
        (scale === 8 ? "catalog p3.2xlarge × 8 (on demand and spot)" : "catalog on demand") +
        (carries ? "; spot from the traces' own prices (a zone without takes its region's)" : scale === 8 ? "; spot: region mean" : "; spot: catalog, mean of the region's AZs"),
    };
  }
  if (first.cloud === "gcp") {
    const onDemand = new Map<string, number>();
    const spotSeries = new Map<string, { atMs: number; usdPerHour: number }[]>();
    for (const t of traces) {
      const series = data.priceSeries.filter((s) => s.source === "gcp-history" && s.region === t.region && s.instanceType === type);
      const od = series.find((s) => s.kind === "ondemand");
      const sp = series.find((s) => s.kind === "spot");
      if (od === undefined || sp === undefined) return { reason: `no GCP price history for ${type} in ${t.region}` };
      onDemand.set(`gcp/${t.region}`, priceAt(od.points, t.startMs));
      spotSeries.set(`gcp/${t.region}`, sp.points);
    }
    return { onDemand, spotAt: (t, atMs) => priceAt(spotSeries.get(`gcp/${t.region}`)!, atMs), basis: "GCP price history (on demand and spot in force, or the first later point)" };
  }
  return { reason: `no ${first.cloud} prices` };
}

/** The price in force at `atMs`, or the first point after it where the series starts later. */
function priceAt(points: readonly { atMs: number; usdPerHour: number }[], atMs: number): number {
  let price = points[0]!.usdPerHour;
  for (const p of points) {
    if (p.atMs > atMs) break;
    price = p.usdPerHour;
  }
  return price;
}

/**
 * Egress of the checkpoint between two regions of one cloud, USD/GB: the inter-region matrix where it
 * has the pair; else (us-west-2 is not in the SustainCluster matrix) the simulator's rule: inside one
 * cloud and continent at most 0.02, otherwise the cloud's first paid internet tier.
 */
export function egressUsdPerGb(data: WorldData, cloud: Cloud, from: string, to: string): number {
  if (from === to) return 0;
  const entry = data.interRegionEgress.find((e) => e.cloud === cloud && e.srcRegion === from && e.dstRegion === to);
  if (entry !== undefined) return entry.usdPerGb;
  const tiers = data.internetEgress.filter((t) => t.cloud === cloud && t.usdPerGb > 0).sort((a, b) => a.startGb - b.startGb);
  const internet = tiers[0]?.usdPerGb ?? 0.09;
  return geoOfRegion(cloud, from) === geoOfRegion(cloud, to) ? Math.min(0.02, internet) : internet;
}

function worldOf(id: string, traces: AvailabilityTrace[], priced: Priced, data: WorldData, options: WorldOptions): World {
  const first = traces[0]!;
  const stepMs = options.stepHours * 3_600_000;
  const startMs = Math.max(...traces.map((t) => t.startMs));
  const endMs = Math.min(...traces.map((t) => t.startMs + t.nTicks * t.gapSeconds * 1000));
  const steps = Math.max(0, Math.floor((endMs - startMs) / stepMs));
  const regionKeys = [...new Set(traces.map((t) => `${t.cloud}/${t.region}`))].sort();
  const regions: Region[] = regionKeys.map((key) => {
    const [cloud, name] = key.split("/") as [Cloud, string];
    return { cloud, name, onDemandUsdPerHour: priced.onDemand.get(key)! * first.nodes };
  });
  const zones: Zone[] = traces.map((t) => {
    // a zone whose trace has no prices takes those of a trace of its region that has (same family,
    // same time), so a family is not priced half at 2023 trace prices and half at catalog prices
    const priceSource = t.prices.length > 0 ? t : (traces.find((o) => o.region === t.region && o.prices.length > 0) ?? t);
    const { avail, spotUsdPerHour } = resample(t, priceSource, startMs, stepMs, steps, priced);
    return { name: t.zone, traceId: t.id, region: regionKeys.indexOf(`${t.cloud}/${t.region}`), avail, spotUsdPerHour };
  });
  const egressUsd = regions.map((a) => regions.map((b) => (a === b ? 0 : options.checkpointGb * egressUsdPerGb(data, a.cloud, a.name, b.name))));
  return { id, kind: first.kind, nodes: first.nodes, instanceType: first.instanceType, stepHours: options.stepHours, steps, startMs, zones, regions, egressUsd, priceBasis: priced.basis };
}

/**
 * A trace on the grid: a step is spot-available only if every tick it overlaps had all N nodes (a gap
 * inside the step counts as a preemption); its spot price is the price in force at the step's start.
 */
function resample(
  t: AvailabilityTrace,
  priceSource: AvailabilityTrace,
  startMs: number,
  stepMs: number,
  steps: number,
  priced: Priced,
): { avail: Uint8Array; spotUsdPerHour: Float64Array } {
  const tickMs = t.gapSeconds * 1000;
  const up = new Uint8Array(t.nTicks);
  for (const r of t.runs) if (r.value >= t.nodes) up.fill(1, r.startTick, r.startTick + r.nTicks);
  const priceTickMs = priceSource.gapSeconds * 1000;
  const tickPrice = new Float64Array(priceSource.nTicks);
  for (const r of priceSource.prices) tickPrice.fill(r.usdPerHour, r.startTick, r.startTick + r.nTicks);
  const avail = new Uint8Array(steps);
  const spotUsdPerHour = new Float64Array(steps);
  for (let s = 0; s < steps; s++) {
    const from = startMs + s * stepMs - t.startMs;
    const firstTick = Math.floor(from / tickMs);
    const lastTick = Math.min(t.nTicks - 1, Math.ceil((from + stepMs) / tickMs) - 1);
    let ok = 1;
    for (let k = firstTick; k <= lastTick && ok === 1; k++) ok = up[k]!;
    avail[s] = ok;
    const atMs = startMs + s * stepMs;
    const priceTick = Math.min(priceSource.nTicks - 1, Math.floor((atMs - priceSource.startMs) / priceTickMs));
    const perNode = priceSource.prices.length > 0 ? tickPrice[priceTick]! : priced.spotAt(t, atMs);
    spotUsdPerHour[s] = perNode * t.nodes;
  }
  return { avail, spotUsdPerHour };
}

/** The same world with only one zone (and its region): the single-zone view of the paper. */
export function singleZone(world: World, zone: number): World {
  const z = world.zones[zone]!;
  const region = world.regions[z.region]!;
  return { ...world, id: `${world.id}@${z.name}`, zones: [{ ...z, region: 0 }], regions: [region], egressUsd: [[0]] };
}
