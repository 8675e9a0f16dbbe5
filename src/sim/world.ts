import {
  geoOfRegion,
  locationKey,
  offerMatchesAccelerator,
  type Cloud,
  type DriftReport,
  type EventSpec,
  type GpuShape,
  type HealthReport,
  type Instance,
  type InstanceState,
  type Offer,
  type PricePoint,
  type RegionHealth,
  type WorkloadStatus,
  type WorldData,
  type WorldSpec,
} from "../domain/index.js";
import { ChangeFeed, type InstanceHandle, type WorkloadHandle, type WorldChanges } from "./changes.js";
import { SimError, InsufficientCapacityError, NotFoundError } from "./errors.js";
import { MinHeap } from "./heap.js";
import { SeriesCursor, TraceCursor } from "./replay.js";
import { Rng, hash32 } from "./rng.js";
import type { CheckpointInfo, LaunchRequest, OfferQuote, ResumeResult, SimEvent, SimEventType, Totals } from "./types.js";

/** Boot time of a new instance, per cloud (ms). */
export const PROVISION_MS: Record<Cloud, number> = { aws: 90_000, gcp: 60_000, azure: 120_000 };
/** Spot interruption notice: reclaimed this long after the notice. */
export const INTERRUPTION_NOTICE_MS = 120_000;
/** Time for a training job to restart from a checkpoint once its data is in place. */
export const RESTART_MS = 60_000;
/** Checkpoint write bandwidth to the region's object store, GB/s. */
export const CHECKPOINT_WRITE_GBPS = 2;
/** Checkpoint transfer bandwidth, GB/s: within a region (from its object store), across regions of one cloud, across clouds. */
export const TRANSFER_GBPS = { sameRegion: 10, sameCloud: 1, crossCloud: 0.5 } as const;
/** PSI of a model that has not drifted. */
export const BASELINE_PSI = 0.02;
/** Reference window of the drift statistics. */
export const DRIFT_WINDOW_MS = 3_600_000;
const DRIFT_FEATURES = [
  ["prompt_length", 1.0],
  ["language", 0.8],
  ["topic", 0.6],
  ["hour_of_day", 0.3],
  ["client", 0.1],
] as const;
const HOUR_MS = 3_600_000;

interface OfferState {
  idx: number;
  offer: Offer;
  /** `cloud/region`, made once. */
  locationKey: string;
  spotNow: number | null;
  odNow: number | null;
  /**
   * Cost meters: USD one instance on this offer (spot, on demand) has cost since the world started, as of
   * `meteredAtMs`. An instance costs the meter now less the meter at its launch, so moving the clock touches
   * no instance: the meters are brought forward only where a price changes (`setPrice`).
   */
  spotUsd: number;
  odUsd: number;
  meteredAtMs: number;
  availability: number;
  series: SeriesCursor | null;
  trace: TraceCursor | null;
  live: Set<InstanceRec>;
  regionState: RegionState;
}

interface InstanceRec {
  id: string;
  offer: OfferState;
  spot: boolean;
  state: InstanceState;
  workloadId: string | null;
  launchedAtMs: number;
  readyAtMs: number;
  endedAtMs: number | null;
  interruptionAtMs: number | null;
  /** Its offer's meter (for its purchase option) at launch; see `costOf`. */
  meterAtLaunchUsd: number;
  /** What it cost, once ended (0 while live). */
  costUsd: number;
  idempotencyKey: string | null;
  role: string;
  dep: DeploymentRec | null;
  /** The workload's state (null for an orphan). */
  owner: WorkloadState | null;
}

/** The event log's default length: a debugging and test aid, so the newest events only. */
export const MAX_LOGGED_EVENTS = 10_000;

interface DeploymentRec {
  location: string;
  regionState: RegionState;
  cloud: Cloud;
  region: string;
  spot: boolean;
  offerIdx: number;
  weight: number;
  /** Live replicas that are running, kept up to date where one becomes ready or ends (`healthyOf` is what serves). */
  running: number;
  demandRps: number;
  servedRps: number;
  p99Ms: number;
}

interface CheckpointRec extends CheckpointInfo {
  /** The job's rollback generation when requested; a rollback before it is ready loses it. */
  generation: number;
}

interface TrainingState {
  kind: "training";
  /** Its spec's id (what makes it a `WorkloadHandle`). */
  id: string;
  spec: Extract<WorldSpec["workloads"][number], { kind: "training" }>;
  deadlineMs: number | null;
  everyH: number;
  progressH: number;
  ckptBaseH: number;
  ckptBaseCloud: Cloud;
  ckptBaseRegion: string;
  active: InstanceRec[];
  needsResume: boolean;
  resumeReadyAtMs: number;
  running: boolean;
  /** Bumped whenever `running` changes; a completion timer from an older run is void. */
  runToken: number;
  completedAtMs: number | null;
  deadlineMissed: boolean;
  generation: number;
  checkpoints: Map<string, CheckpointRec>;
  manualCount: number;
  /** Its live instances (one leaves as it ends; `World.instances` keeps them all). */
  instances: Set<InstanceRec>;
  /** Cost that no longer grows: its ended instances and its egress (`costOfWorkload` adds the live ones). */
  settledUsd: number;
  notes: string[];
}

interface InferenceState {
  kind: "inference";
  id: string;
  spec: Extract<WorldSpec["workloads"][number], { kind: "inference" }>;
  deployments: DeploymentRec[];
  trafficFactors: number[];
  psi: number;
  version: string;
  previousVersion: string | null;
  demandIntegral: number;
  servedIntegral: number;
  /** Demand and demand served within the SLO as last routed, rps: what accrues into the integrals. */
  demandRps: number;
  servedRps: number;
  /** Whether `demandRps`/`servedRps` are what `route` gives now: cleared where one of its inputs changes (replicas, weights, traffic, a region's outages or latency). */
  routed: boolean;
  /** Its live instances. */
  instances: Set<InstanceRec>;
  settledUsd: number;
  notes: string[];
}

type WorkloadState = TrainingState | InferenceState;

interface RegionState {
  cloud: Cloud;
  region: string;
  outages: number;
  addedLatencyMs: number;
  stockouts: Map<string, number>;
  baseLatencyMs: number;
}

interface PriceModifier {
  id: number;
  cloud: Cloud;
  region: string;
  gpu: string;
  spot: boolean;
  factor: number | null;
  usdPerHour: number | null;
  startMs: number;
  endMs: number;
}

type Timer =
  | { atMs: number; seq: number; kind: "event"; event: EventSpec }
  | { atMs: number; seq: number; kind: "end"; undo: () => void }
  | { atMs: number; seq: number; kind: "ready"; inst: InstanceRec }
  | { atMs: number; seq: number; kind: "reclaim"; inst: InstanceRec }
  | { atMs: number; seq: number; kind: "series"; cursor: SeriesCursor; offers: OfferState[] }
  | { atMs: number; seq: number; kind: "trace"; cursor: TraceCursor; offers: OfferState[] }
  | { atMs: number; seq: number; kind: "checkpoint"; ws: TrainingState; ckpt: CheckpointRec }
  | { atMs: number; seq: number; kind: "resume"; ws: TrainingState }
  | { atMs: number; seq: number; kind: "deadline"; ws: TrainingState }
  | { atMs: number; seq: number; kind: "complete"; ws: TrainingState; token: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type TimerInput = DistributiveOmit<Timer, "seq">;

/**
 * The version a serving workload was on before the one it starts with, where the name says so: `v3` was
 * preceded by `v2`. (`v1` and names without a number have no known predecessor.)
 */
export function previousModelVersion(version: string): string | null {
  const m = /^(.*?)(\d+)$/.exec(version);
  if (!m || Number(m[2]) <= 1) return null;
  return `${m[1]}${Number(m[2]) - 1}`;
}

/** A routed service's health line: demand and demand served over its deployments, p99 latency weighted by demand. */
function serviceLevel(ws: InferenceState): HealthReport["services"][number] {
  let demand = 0;
  let served = 0;
  let latency = 0;
  for (const d of ws.deployments) {
    demand += d.demandRps;
    served += d.servedRps;
    latency += d.p99Ms * d.demandRps;
  }
  return { workloadId: ws.spec.id, demandRps: demand, servedWithinSloRps: served, latencyP99Ms: demand > 0 ? latency / demand : 0 };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The embedded multi-cloud world. Deterministic: it owns a simulated clock that moves only when
 * `advanceTo`/`advanceBy` are called, draws randomness from a seeded generator, replays the real price
 * histories and availability traces it is given, and applies the timeline's events at their times.
 *
 * Cost is exact: between two change points (an event, a price or availability change, an instance
 * becoming ready, a training job finishing) every rate is constant. Each offer integrates its prices as they
 * change (its meters), an instance costs the difference across its life; progress and served demand are
 * integrated over each interval.
 */
export class World {
  private now: number;
  readonly startMs: number;
  private readonly rng: Rng;
  private readonly offers: OfferState[] = [];
  private readonly offerById = new Map<string, OfferState>();
  private readonly regions = new Map<string, RegionState>();
  private readonly workloads = new Map<string, WorkloadState>();
  private readonly trainings: TrainingState[] = [];
  private readonly services: InferenceState[] = [];
  private readonly instances = new Map<string, InstanceRec>();
  private live: InstanceRec[] = [];
  /** Ended instances still in `live` (readers skip them; `advanceTo` drops them once they are many). */
  private endedInLive = 0;
  private readonly timers = new MinHeap<Timer>();
  private readonly log: SimEvent[] = [];
  private readonly modifiers: PriceModifier[] = [];
  private readonly idempotency = new Map<string, { fingerprint: string; result: unknown }>();
  private seq = 0;
  /** Bumped by anything that can change what the world reports (time moving, a changing call). */
  private epoch = 0;
  private statusCache: { epoch: number; statuses: WorkloadStatus[] } | null = null;
  private instanceCounter = 0;
  private modifierCounter = 0;
  /** Compute cost of ended instances (`totals` adds the live ones). */
  private settledComputeUsd = 0;
  private egressUsd = 0;
  private readonly egressMatrix = new Map<string, number>();
  /** What changed since the last `takeChanges` (see `WorldChanges`). */
  private readonly changes = new ChangeFeed();
  readonly clouds: readonly Cloud[];

  constructor(
    private readonly data: WorldData,
    readonly spec: WorldSpec,
    options: { logEvents?: boolean; maxLoggedEvents?: number } = {},
  ) {
    this.logEnabled = options.logEvents ?? true;
    const maxLogged = options.maxLoggedEvents ?? MAX_LOGGED_EVENTS;
    if (!Number.isSafeInteger(maxLogged) || maxLogged < 1) throw new SimError("invalid-argument", `maxLoggedEvents must be a whole number of at least 1, not ${maxLogged}`, "keep the default (10,000) or pass a positive integer", "maxLoggedEvents");
    this.maxLoggedEvents = maxLogged;
    this.now = spec.startMs;
    this.startMs = spec.startMs;
    this.rng = new Rng(spec.seed);
    this.clouds = [...new Set(spec.clouds)].sort();
    for (const e of data.interRegionEgress) this.egressMatrix.set(`${e.cloud}|${e.srcRegion}|${e.dstRegion}`, e.usdPerGb);
    this.buildOffers();
    this.buildFleet();
    for (const event of spec.events) {
      this.validateEvent(event);
      this.schedule({ atMs: this.startMs + event.at, kind: "event", event });
    }
    this.emit("world-started", { value: spec.seed, detail: `${spec.workloads.length} workloads, ${this.offers.length} offers` });
  }

  private readonly logEnabled: boolean;
  /** The event log keeps the newest this many (a world that runs for days must not grow without end). */
  private readonly maxLoggedEvents: number;
  /** Events emitted so far (the next one's `seq`), kept or not. */
  private logged = 0;

  // ---------------------------------------------------------------- construction

  private buildOffers(): void {
    const enabled = new Set(this.clouds);
    const seriesByKey = new Map<string, SeriesCursor[]>();
    for (const s of this.data.priceSeries) {
      if (s.kind !== "spot" || !enabled.has(s.cloud)) continue;
      const key = `${s.cloud}|${s.region}|${s.instanceType}`;
      const list = seriesByKey.get(key) ?? [];
      list.push(new SeriesCursor(s));
      seriesByKey.set(key, list);
    }
    const traces = this.data.traces.map((t) => new TraceCursor(t));
    const offers = this.data.offers.filter((o) => enabled.has(o.cloud)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // zones of each (cloud, region, type), to spread zone-level histories over catalog zones
    const zonesOf = new Map<string, string[]>();
    for (const o of offers) {
      const key = `${o.cloud}|${o.region}|${o.instanceType}`;
      const zones = zonesOf.get(key) ?? [];
      zones.push(o.zone ?? "");
      zonesOf.set(key, zones);
    }
    const seriesOffers = new Map<SeriesCursor, OfferState[]>();
    const traceOffers = new Map<TraceCursor, OfferState[]>();
    for (const offer of offers) {
      const regionKey = `${offer.cloud}/${offer.region}`;
      if (!this.regions.has(regionKey)) {
        this.regions.set(regionKey, {
          cloud: offer.cloud,
          region: offer.region,
          outages: 0,
          addedLatencyMs: 0,
          stockouts: new Map(),
          baseLatencyMs: 60 + (hash32(regionKey) % 60),
        });
      }
      const state: OfferState = {
        idx: this.offers.length,
        offer,
        locationKey: locationKey(offer.cloud, offer.region),
        spotNow: offer.spotUsdPerHour,
        odNow: offer.onDemandUsdPerHour,
        spotUsd: 0,
        odUsd: 0,
        meteredAtMs: this.now,
        availability: 1,
        series: null,
        trace: null,
        live: new Set(),
        regionState: this.regions.get(regionKey)!,
      };
      if (offer.spotUsdPerHour !== null) {
        const key = `${offer.cloud}|${offer.region}|${offer.instanceType}`;
        state.series = this.pickSeries(seriesByKey.get(key) ?? [], offer, zonesOf.get(key) ?? []);
        state.trace = this.pickTrace(traces, offer);
        if (state.series) (seriesOffers.get(state.series) ?? seriesOffers.set(state.series, []).get(state.series)!).push(state);
        if (state.trace) (traceOffers.get(state.trace) ?? traceOffers.set(state.trace, []).get(state.trace)!).push(state);
      }
      this.offers.push(state);
      this.offerById.set(offer.id, state);
      this.changes.offer(offer.id);
    }
    for (const [cursor, list] of seriesOffers) {
      for (const o of list) this.setPrice(o, true, cursor.priceAt(this.now));
      this.schedule({ atMs: cursor.nextChangeAfter(this.now), kind: "series", cursor, offers: list });
    }
    for (const [cursor, list] of traceOffers) {
      const a = cursor.availabilityAt(this.now);
      for (const o of list) o.availability = a;
      this.schedule({ atMs: cursor.nextChangeAfter(this.now), kind: "trace", cursor, offers: list });
    }
  }

  /**
   * The real spot price history an offer replays: same cloud, region and instance type; the exact zone
   * where the source names one; a series whose window covers the start if any; otherwise the source
   * with most points; among zones of one source, the catalog zone's rank picks the series.
   */
  private pickSeries(candidates: SeriesCursor[], offer: Offer, zones: string[]): SeriesCursor | null {
    if (candidates.length === 0) return null;
    const exact = candidates.filter((c) => c.series.zone !== null && c.series.zone === offer.zone);
    let pool = exact.length > 0 ? exact : candidates.filter((c) => c.series.source !== "aws-2022-05" || c.series.zone === null);
    if (pool.length === 0) pool = candidates;
    const covering = pool.filter((c) => c.firstMs <= this.now && this.now < c.firstMs + c.periodMs);
    if (covering.length > 0) pool = covering;
    const pointsBySource = new Map<string, number>();
    for (const c of pool) pointsBySource.set(c.series.source, (pointsBySource.get(c.series.source) ?? 0) + c.series.points.length);
    const source = [...pointsBySource.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    const fromSource = pool.filter((c) => c.series.source === source).sort((a, b) => (a.series.id < b.series.id ? -1 : 1));
    const rank = Math.max(0, zones.indexOf(offer.zone ?? ""));
    return fromSource[rank % fromSource.length]!;
  }

  /**
   * The real availability trace an offer's spot capacity follows: the best match by cloud (4), accelerator
   * (2) and region (1); ties are spread by a hash of the offer id, so one zone's offers share a trace.
   */
  private pickTrace(traces: TraceCursor[], offer: Offer): TraceCursor | null {
    if (traces.length === 0) return null;
    let best = -1;
    let pool: TraceCursor[] = [];
    for (const t of traces) {
      const tr = t.trace;
      const score =
        (tr.cloud === offer.cloud ? 4 : 0) +
        (tr.accelerator !== null && offer.accelerator !== null && tr.accelerator.toLowerCase() === offer.accelerator.toLowerCase() ? 2 : 0) +
        (tr.region === offer.region ? 1 : 0);
      if (score > best) {
        best = score;
        pool = [t];
      } else if (score === best) pool.push(t);
    }
    pool.sort((a, b) => (a.trace.id < b.trace.id ? -1 : 1));
    return pool[hash32(`${offer.cloud}:${offer.region}:${offer.zone ?? ""}`) % pool.length]!;
  }

  private buildFleet(): void {
    for (const w of this.spec.workloads) {
      if (this.workloads.has(w.id)) throw new SimError("invalid-argument", `workload "${w.id}" is defined twice`, "give each workload a unique id", "workloads");
      if (w.kind === "training") {
        if (!this.clouds.includes(w.at.cloud)) {
          throw new SimError("unknown-cloud", `workload "${w.id}" is placed on ${w.at.cloud}, which this world does not simulate`, `add ${w.at.cloud} to clouds or place it on ${this.clouds.join(", ")}`, "at.cloud");
        }
        const ws: TrainingState = {
          kind: "training",
          id: w.id,
          spec: w,
          deadlineMs: w.deadline === undefined ? null : this.startMs + w.deadline,
          everyH: w.checkpointEvery / HOUR_MS,
          progressH: 0,
          ckptBaseH: 0,
          ckptBaseCloud: w.at.cloud,
          ckptBaseRegion: w.at.region,
          active: [],
          needsResume: false,
          resumeReadyAtMs: this.startMs,
          running: false,
          runToken: 0,
          completedAtMs: null,
          deadlineMissed: false,
          generation: 0,
          checkpoints: new Map(),
          manualCount: 0,
          instances: new Set(),
          settledUsd: 0,
          notes: [],
        };
        this.workloads.set(w.id, ws);
        this.trainings.push(ws);
        this.touch(ws);
        const offer = this.chooseOffer(w.at.cloud, w.at.region, w.gpu, w.at.spot, false, `workload "${w.id}"`);
        const nodes = w.gpu.count / offer.offer.acceleratorCount;
        for (let i = 0; i < nodes; i++) ws.active.push(this.createInstance(offer, w.at.spot, ws, "node", null, true));
        if (ws.deadlineMs !== null) this.schedule({ atMs: ws.deadlineMs, kind: "deadline", ws });
        this.refreshTraining(ws);
      } else {
        const ws: InferenceState = {
          kind: "inference",
          id: w.id,
          spec: w,
          deployments: [],
          trafficFactors: [],
          psi: BASELINE_PSI,
          version: w.modelVersion,
          previousVersion: previousModelVersion(w.modelVersion),
          demandIntegral: 0,
          servedIntegral: 0,
          demandRps: 0,
          servedRps: 0,
          routed: false,
          instances: new Set(),
          settledUsd: 0,
          notes: [],
        };
        this.workloads.set(w.id, ws);
        this.services.push(ws);
        this.unroute(ws);
        this.changes.model(w.id);
        for (const [location, replicas] of Object.entries(w.replicas).sort(([a], [b]) => (a < b ? -1 : 1))) {
          const slash = location.indexOf("/");
          const cloud = location.slice(0, slash) as Cloud;
          const region = location.slice(slash + 1);
          if (!this.clouds.includes(cloud)) {
            throw new SimError("unknown-cloud", `workload "${w.id}" has replicas on ${cloud}, which this world does not simulate`, `add ${cloud} to clouds`, "replicas");
          }
          const offer = this.chooseOffer(cloud, region, w.gpu, w.spot, true, `workload "${w.id}"`);
          const dep = this.deployment(ws, cloud, region, w.spot, offer.idx, replicas);
          for (let i = 0; i < replicas; i++) this.createInstance(offer, w.spot, ws, "replica", null, true, dep);
        }
      }
    }
    // initial spot instances on capacity the trace says is gone get their notice at once
    for (const inst of this.live) {
      if (inst.spot && inst.offer.availability === 0) this.notify(inst);
    }
  }

  private deployment(ws: InferenceState, cloud: Cloud, region: string, spot: boolean, offerIdx: number, weight: number): DeploymentRec {
    const location = locationKey(cloud, region);
    let dep = ws.deployments.find((d) => d.location === location);
    if (!dep) {
      dep = { location, regionState: this.regions.get(location)!, cloud, region, spot, offerIdx, weight, running: 0, demandRps: 0, servedRps: 0, p99Ms: 0 };
      ws.deployments.push(dep);
      ws.deployments.sort((a, b) => (a.location < b.location ? -1 : 1));
      this.unroute(ws);
    }
    return dep;
  }

  /**
   * The offer a placement of `gpu` in a region uses: the accelerator by name, the count per instance
   * dividing the shape (exactly the shape for a serving replica), fewest instances, then the cheapest
   * price in force, then the id.
   */
  private chooseOffer(cloud: Cloud, region: string, gpu: GpuShape, spot: boolean, single: boolean, who: string, zone?: string): OfferState {
    this.requireRegion(cloud, region);
    let best: OfferState | null = null;
    let bestNodes = Infinity;
    let bestCost = Infinity;
    for (const o of this.offers) {
      const offer = o.offer;
      if (offer.cloud !== cloud || offer.region !== region || !offerMatchesAccelerator(offer, gpu.name)) continue;
      if (zone !== undefined && offer.zone !== zone) continue;
      const count = offer.acceleratorCount;
      if (count === 0 || count > gpu.count || gpu.count % count !== 0) continue;
      if (single && count !== gpu.count) continue;
      const price = spot ? o.spotNow : o.odNow;
      if (price === null) continue;
      const nodes = gpu.count / count;
      const cost = price * nodes;
      if (nodes < bestNodes || (nodes === bestNodes && cost < bestCost)) {
        best = o;
        bestNodes = nodes;
        bestCost = cost;
      }
    }
    if (!best) {
      const available = [...new Set(this.offers.filter((o) => o.offer.cloud === cloud && o.offer.region === region && o.offer.accelerator).map((o) => `${o.offer.accelerator}:${o.offer.acceleratorCount}`))].sort();
      throw new SimError(
        "unknown-offer",
        `${who}: no ${spot ? "spot" : "on-demand"} offer with ${gpu.name}:${gpu.count} in ${cloud}/${region}${zone ? ` zone ${zone}` : ""}`,
        available.length > 0 ? `accelerators offered there: ${available.join(", ")}; or call list_offers with accelerator=${gpu.name} to find regions that have it` : `call list_offers with accelerator=${gpu.name} to find regions that have it`,
        "gpu",
      );
    }
    return best;
  }

  private requireRegion(cloud: Cloud, region: string): RegionState {
    if (!this.clouds.includes(cloud)) {
      throw new SimError("unknown-cloud", `cloud "${cloud}" is not simulated in this world`, `use one of: ${this.clouds.join(", ")}`, "cloud");
    }
    const state = this.regions.get(`${cloud}/${region}`);
    if (!state) {
      const known = [...this.regions.values()].filter((r) => r.cloud === cloud).map((r) => r.region).sort();
      throw new SimError("unknown-region", `unknown region "${region}" for ${cloud}`, `use one of ${cloud}'s regions: ${known.join(", ")}`, "region");
    }
    return state;
  }

  /** A filter's cloud must be simulated and its region known (in that cloud, or in any when no cloud is given). */
  private checkScope(filter: { cloud?: Cloud | undefined; region?: string | undefined }): void {
    if (filter.cloud !== undefined && filter.region !== undefined) this.requireRegion(filter.cloud, filter.region);
    else if (filter.cloud !== undefined && !this.clouds.includes(filter.cloud)) {
      throw new SimError("unknown-cloud", `cloud "${filter.cloud}" is not simulated in this world`, `use one of: ${this.clouds.join(", ")}`, "cloud");
    } else if (filter.region !== undefined && ![...this.regions.values()].some((r) => r.region === filter.region)) {
      throw new SimError("unknown-region", `unknown region "${filter.region}"`, "call list_offers without a region to see the regions there are", "region");
    }
  }

  private validateEvent(event: EventSpec): void {
    const need = (id: string): void => {
      if (!this.workloads.has(id)) throw new SimError("unknown-workload", `event at ${event.at} ms names unknown workload "${id}"`, `define workload "${id}" or fix the event`, "events");
    };
    if ("preempt" in event) need(event.preempt.workload);
    else if ("drift" in event) need(event.drift.workload);
    else if ("traffic" in event) need(event.traffic.workload);
    else if ("note" in event) need(event.note.workload);
    else if ("price" in event) this.requireRegion(event.price.cloud, event.price.region);
    else if ("outage" in event) this.requireRegion(event.outage.cloud, event.outage.region);
    else if ("stockout" in event) this.requireRegion(event.stockout.cloud, event.stockout.region);
    else if ("latency" in event) this.requireRegion(event.latency.cloud, event.latency.region);
  }

  // ---------------------------------------------------------------- time

  /** Simulated now, ms since epoch. */
  get nowMs(): number {
    return this.now;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.now + ms);
  }

  /** Moves the clock to `targetMs`, applying every change point on the way. */
  advanceTo(targetMs: number): void {
    this.epoch++;
    if (!Number.isFinite(targetMs)) throw new SimError("invalid-argument", `cannot advance to ${targetMs}`, "pass a finite time in ms", "targetMs");
    if (targetMs < this.now) throw new SimError("invalid-argument", `cannot move the clock back from ${this.now} to ${targetMs}`, "time only moves forward", "targetMs");
    for (;;) {
      const top = this.timers.peek();
      const next = top !== undefined && top.atMs <= targetMs ? top.atMs : targetMs;
      if (next > this.now) {
        this.accrue(this.now, next);
        this.now = next;
      }
      if (top === undefined || top.atMs > targetMs) break;
      this.fire(this.timers.pop()!);
    }
    // ended instances leave `live` in batches, once they are an eighth of it: O(1) an end, not O(live) an interval
    if (this.endedInLive * 8 > this.live.length) {
      this.live = this.live.filter((i) => i.endedAtMs === null);
      this.endedInLive = 0;
    }
  }

  private schedule(timer: TimerInput): void {
    this.timers.push({ ...timer, seq: this.seq++ } as Timer);
  }

  /**
   * Training progress and served demand over [t0, t1), in which every rate is constant. An interval costs
   * O(workloads), not O(instances): instance cost needs nothing here (see the offers' meters), and a service
   * is routed anew only where an input of `route` changed since.
   */
  private accrue(t0: number, t1: number): void {
    const dtH = (t1 - t0) / HOUR_MS;
    for (const ws of this.trainings) {
      if (ws.running) ws.progressH = Math.min(ws.spec.workHours, ws.progressH + dtH);
    }
    for (const ws of this.services) {
      if (!ws.routed) this.route(ws);
      ws.demandIntegral += ws.demandRps * dtH;
      ws.servedIntegral += ws.servedRps * dtH;
    }
  }

  /** Splits demand over deployments by weight and works out latency and what is served within the SLO. */
  private route(ws: InferenceState): void {
    let demandSum = 0;
    let servedSum = 0;
    const factor = ws.trafficFactors.reduce((a, b) => a * b, 1);
    const demand = ws.spec.rps * factor;
    let weightSum = 0;
    for (const d of ws.deployments) weightSum += d.weight;
    for (const d of ws.deployments) {
      const region = d.regionState;
      const share = weightSum > 0 ? (demand * d.weight) / weightSum : 0;
      const capacity = healthyOf(d) * ws.spec.replicaRps;
      const utilisation = capacity > 0 ? share / capacity : share > 0 ? Infinity : 0;
      const base = region.baseLatencyMs + region.addedLatencyMs;
      const p99 = utilisation <= 1 ? base + 40 * utilisation : Number.isFinite(utilisation) ? (base + 40) * utilisation * utilisation : 60_000;
      d.demandRps = share;
      d.p99Ms = region.outages > 0 ? 60_000 : p99;
      d.servedRps = capacity > 0 && d.p99Ms <= ws.spec.sloP99Ms ? Math.min(share, capacity) : 0;
      demandSum += d.demandRps;
      servedSum += d.servedRps;
    }
    ws.demandRps = demandSum;
    ws.servedRps = servedSum;
    ws.routed = true;
  }

  /*
   * What changed (`takeChanges`): whatever changes what a workload's status (cost and progress apart), a
   * service's or replica's health, an instance's record or an offer's quote reports names that record where it
   * changes: `touch`, `unroute`, `regionChanged`, or `this.changes` there. See `WorldChanges` for what marking
   * more or less than changed costs.
   */

  /** Something a workload's status reports, cost and progress apart, may have changed. */
  private touch(ws: WorkloadState): void {
    this.changes.workload(asHandle(ws));
  }

  /** An input of `route` changed (replicas running, weights, traffic, its regions): the service routes anew, and its status and health may change. */
  private unroute(ws: InferenceState): void {
    ws.routed = false;
    this.changes.workload(asHandle(ws));
    this.changes.service(ws.spec.id);
  }

  /**
   * A region's outages, added latency or stock-outs changed: the services deployed there route anew and the
   * quotes of its offers may change (training jobs there are marked as they stop and restart). Rare: a pass
   * over the services and offers.
   */
  private regionChanged(region: RegionState): void {
    for (const ws of this.services) if (ws.deployments.some((d) => d.regionState === region)) this.unroute(ws);
    for (const o of this.offers) if (o.regionState === region) this.changes.offer(o.offer.id);
  }

  private fire(timer: Timer): void {
    switch (timer.kind) {
      case "event":
        this.applyEvent(timer.event);
        return;
      case "end":
        timer.undo();
        return;
      case "ready": {
        const inst = timer.inst;
        if (inst.endedAtMs !== null) return;
        inst.state = "running";
        this.changes.instance(asHandle(inst));
        if (inst.owner !== null) this.touch(inst.owner);
        this.replicaRunning(inst, 1);
        this.emit("instance-ready", { instanceId: inst.id, workloadId: inst.workloadId ?? undefined });
        const ws = inst.workloadId === null ? undefined : this.workloads.get(inst.workloadId);
        if (ws?.kind === "training") this.refreshTraining(ws);
        return;
      }
      case "reclaim":
        if (timer.inst.endedAtMs === null) this.endInstance(timer.inst, "preempted");
        return;
      case "series": {
        const price = timer.cursor.priceAt(this.now);
        for (const o of timer.offers) this.setPrice(o, true, this.modifiedPrice(o, true, price));
        this.schedule({ atMs: timer.cursor.nextChangeAfter(this.now), kind: "series", cursor: timer.cursor, offers: timer.offers });
        return;
      }
      case "trace": {
        const next = timer.cursor.availabilityAt(this.now);
        for (const o of timer.offers) {
          const before = o.availability;
          o.availability = next;
          if (next !== before) this.changes.offer(o.offer.id);
          if (next < before) {
            const survive = before > 0 ? next / before : 0;
            for (const inst of [...o.live].sort((a, b) => (a.id < b.id ? -1 : 1))) {
              if (!inst.spot || inst.interruptionAtMs !== null) continue;
              if (next === 0 || this.rng.next() >= survive) this.notify(inst);
            }
          }
          if (next !== before && [...o.live].some((i) => i.spot)) this.emit("spot-availability-changed", { detail: o.offer.id, value: next });
        }
        this.schedule({ atMs: timer.cursor.nextChangeAfter(this.now), kind: "trace", cursor: timer.cursor, offers: timer.offers });
        return;
      }
      case "checkpoint": {
        const { ws, ckpt } = timer;
        if (ckpt.generation !== ws.generation) return; // lost: the job rolled back before it was written
        ckpt.ready = true;
        this.touch(ws);
        if (ckpt.progressHours > this.checkpointedH(ws)) {
          ws.ckptBaseH = ckpt.progressHours;
          ws.ckptBaseCloud = ckpt.cloud;
          ws.ckptBaseRegion = ckpt.region;
        }
        this.emit("checkpoint-written", { workloadId: ws.spec.id, detail: ckpt.uri, value: ckpt.progressHours });
        return;
      }
      case "resume":
        // its status stops saying "resuming" at this moment, whether or not it runs again
        this.touch(timer.ws);
        this.refreshTraining(timer.ws);
        return;
      case "complete":
        if (timer.ws.running && timer.ws.runToken === timer.token) this.completeTraining(timer.ws);
        return;
      case "deadline": {
        const ws = timer.ws;
        if (ws.completedAtMs === null) {
          ws.deadlineMissed = true;
          this.emit("deadline-missed", { workloadId: ws.spec.id, value: round6(ws.progressH) });
        }
        return;
      }
    }
  }

  // ---------------------------------------------------------------- events

  private applyEvent(event: EventSpec): void {
    if ("price" in event) {
      const e = event.price;
      const mod: PriceModifier = {
        id: this.modifierCounter++,
        cloud: e.cloud,
        region: e.region,
        gpu: e.gpu.toLowerCase(),
        spot: e.spot,
        factor: e.factor ?? null,
        usdPerHour: e.usdPerHour ?? null,
        startMs: this.now,
        endMs: this.now + e.for,
      };
      this.modifiers.push(mod);
      this.repriceFor(mod);
      this.emit("price-event-started", { cloud: e.cloud, region: e.region, detail: `${e.gpu} ${e.spot ? "spot" : "on-demand"}`, value: e.factor ?? e.usdPerHour });
      this.schedule({
        atMs: mod.endMs,
        kind: "end",
        undo: () => {
          this.repriceFor(mod);
          this.emit("price-event-ended", { cloud: e.cloud, region: e.region, detail: `${e.gpu} ${e.spot ? "spot" : "on-demand"}` });
        },
      });
    } else if ("outage" in event) {
      const e = event.outage;
      const region = this.requireRegion(e.cloud, e.region);
      region.outages++;
      this.regionChanged(region);
      this.emit("outage-started", { cloud: e.cloud, region: e.region });
      if (region.outages === 1) this.onRegionDown(e.cloud, e.region);
      this.schedule({
        atMs: this.now + e.for,
        kind: "end",
        undo: () => {
          region.outages--;
          this.regionChanged(region);
          this.emit("outage-ended", { cloud: e.cloud, region: e.region });
          if (region.outages === 0) this.onRegionUp(e.cloud, e.region);
        },
      });
    } else if ("stockout" in event) {
      const e = event.stockout;
      const region = this.requireRegion(e.cloud, e.region);
      const gpu = e.gpu.toLowerCase();
      region.stockouts.set(gpu, (region.stockouts.get(gpu) ?? 0) + 1);
      this.regionChanged(region);
      this.emit("stockout-started", { cloud: e.cloud, region: e.region, detail: e.gpu });
      this.schedule({
        atMs: this.now + e.for,
        kind: "end",
        undo: () => {
          const left = (region.stockouts.get(gpu) ?? 1) - 1;
          if (left === 0) region.stockouts.delete(gpu);
          else region.stockouts.set(gpu, left);
          this.regionChanged(region);
          this.emit("stockout-ended", { cloud: e.cloud, region: e.region, detail: e.gpu });
        },
      });
    } else if ("preempt" in event) {
      const ws = this.workloads.get(event.preempt.workload)!;
      const targets = [...ws.instances].filter((i) => i.spot && i.interruptionAtMs === null).sort((a, b) => (a.id < b.id ? -1 : 1));
      if (targets.length === 0) this.emit("preempt-ignored", { workloadId: ws.spec.id, detail: "no spot instances to reclaim" });
      for (const inst of targets) this.notify(inst);
    } else if ("latency" in event) {
      const e = event.latency;
      const region = this.requireRegion(e.cloud, e.region);
      region.addedLatencyMs += e.addMs;
      this.regionChanged(region);
      this.emit("latency-started", { cloud: e.cloud, region: e.region, value: e.addMs });
      this.schedule({
        atMs: this.now + e.for,
        kind: "end",
        undo: () => {
          region.addedLatencyMs -= e.addMs;
          this.regionChanged(region);
          this.emit("latency-ended", { cloud: e.cloud, region: e.region, value: e.addMs });
        },
      });
    } else if ("drift" in event) {
      const ws = this.workloads.get(event.drift.workload)!;
      if (ws.kind === "inference") {
        ws.psi = event.drift.psi;
        this.changes.model(ws.spec.id);
      }
      this.emit("drift-set", { workloadId: ws.spec.id, value: event.drift.psi });
    } else if ("traffic" in event) {
      const e = event.traffic;
      const ws = this.workloads.get(e.workload)!;
      if (ws.kind !== "inference") return;
      ws.trafficFactors.push(e.factor);
      this.unroute(ws);
      this.emit("traffic-started", { workloadId: ws.spec.id, value: e.factor });
      this.schedule({
        atMs: this.now + e.for,
        kind: "end",
        undo: () => {
          ws.trafficFactors.splice(ws.trafficFactors.indexOf(e.factor), 1);
          this.unroute(ws);
          this.emit("traffic-ended", { workloadId: ws.spec.id, value: e.factor });
        },
      });
    } else if ("note" in event) {
      const ws = this.workloads.get(event.note.workload)!;
      ws.notes.push(event.note.text);
      // its instances' `note` label
      for (const inst of ws.instances) this.changes.instance(asHandle(inst));
      this.emit("note-added", { workloadId: ws.spec.id, detail: event.note.text });
    }
  }

  private modifiedPrice(o: OfferState, spot: boolean, base: number | null, t: number = this.now): number | null {
    if (base === null) return null;
    let price = base;
    const offer = o.offer;
    for (const m of this.modifiers) {
      if (m.startMs > t || m.endMs <= t || m.spot !== spot) continue;
      if (m.cloud !== offer.cloud || m.region !== offer.region || offer.accelerator === null || offer.accelerator.toLowerCase() !== m.gpu) continue;
      price = m.usdPerHour !== null ? m.usdPerHour : price * m.factor!;
    }
    return price;
  }

  private basePrice(o: OfferState, spot: boolean, t: number): number | null {
    if (spot) return o.series ? o.series.priceAt(t) : o.offer.spotUsdPerHour;
    return o.offer.onDemandUsdPerHour;
  }

  private repriceFor(mod: PriceModifier): void {
    for (const o of this.offers) {
      const offer = o.offer;
      if (offer.cloud !== mod.cloud || offer.region !== mod.region || offer.accelerator === null || offer.accelerator.toLowerCase() !== mod.gpu) continue;
      this.setPrice(o, mod.spot, this.modifiedPrice(o, mod.spot, this.basePrice(o, mod.spot, this.now)));
    }
  }

  /**
   * Sets an offer's spot or on-demand price in force now, its meters first brought to now at the old prices.
   * A new price changes the offer's quote and the cost rate of the workloads with instances on it bought that way.
   */
  private setPrice(o: OfferState, spot: boolean, usdPerHour: number | null): void {
    o.spotUsd = this.meter(o, true);
    o.odUsd = this.meter(o, false);
    o.meteredAtMs = this.now;
    if ((spot ? o.spotNow : o.odNow) === usdPerHour) return;
    if (spot) o.spotNow = usdPerHour;
    else o.odNow = usdPerHour;
    this.changes.offer(o.offer.id);
    for (const inst of o.live) {
      if (inst.spot !== spot) continue;
      this.changes.instance(asHandle(inst));
      if (inst.owner !== null) this.touch(inst.owner);
    }
  }

  /** What one instance on `o` (spot or on demand) has cost from the world's start until now, USD. */
  private meter(o: OfferState, spot: boolean): number {
    const price = spot ? o.spotNow : o.odNow;
    const usd = spot ? o.spotUsd : o.odUsd;
    // null: not sold that way, so no instance reads this meter
    return price === null ? usd : usd + price * ((this.now - o.meteredAtMs) / HOUR_MS);
  }

  /** What an instance has cost so far, USD. */
  private costOf(inst: InstanceRec): number {
    return inst.endedAtMs !== null ? inst.costUsd : this.meter(inst.offer, inst.spot) - inst.meterAtLaunchUsd;
  }

  /** What a workload has cost so far (its instances, ended and live, and its egress), USD. */
  private costOfWorkload(ws: WorkloadState): number {
    let usd = ws.settledUsd;
    for (const inst of ws.instances) usd += this.costOf(inst);
    return usd;
  }

  private onRegionDown(cloud: Cloud, region: string): void {
    for (const ws of this.workloads.values()) {
      if (ws.kind !== "training" || ws.active.length === 0) continue;
      if (ws.active.some((i) => i.offer.offer.cloud === cloud && i.offer.offer.region === region)) {
        this.rollBack(ws, "region outage");
        this.refreshTraining(ws);
      }
    }
  }

  private onRegionUp(cloud: Cloud, region: string): void {
    for (const ws of this.workloads.values()) {
      if (ws.kind !== "training" || ws.active.length === 0) continue;
      if (ws.active.some((i) => i.offer.offer.cloud === cloud && i.offer.offer.region === region)) {
        ws.resumeReadyAtMs = Math.max(ws.resumeReadyAtMs, this.now + RESTART_MS);
        this.touch(ws);
        this.schedule({ atMs: ws.resumeReadyAtMs, kind: "resume", ws });
        this.refreshTraining(ws);
      }
    }
  }

  private regionUp(cloud: Cloud, region: string): boolean {
    // cold path (tools, events); the hot loops read an instance's regionState directly
    return (this.regions.get(`${cloud}/${region}`)?.outages ?? 0) === 0;
  }

  // ---------------------------------------------------------------- instances and training

  private createInstance(
    offer: OfferState,
    spot: boolean,
    ws: WorkloadState | undefined,
    role: string,
    idempotencyKey: string | null,
    readyNow: boolean,
    dep: DeploymentRec | null = null,
  ): InstanceRec {
    const id = `i-${offer.offer.cloud}-${String(++this.instanceCounter).padStart(6, "0")}`;
    const inst: InstanceRec = {
      id,
      offer,
      spot,
      state: readyNow ? "running" : "provisioning",
      workloadId: ws ? ws.spec.id : null,
      launchedAtMs: this.now,
      readyAtMs: readyNow ? this.now : this.now + PROVISION_MS[offer.offer.cloud],
      endedAtMs: null,
      interruptionAtMs: null,
      meterAtLaunchUsd: this.meter(offer, spot),
      costUsd: 0,
      idempotencyKey,
      role,
      dep,
      owner: ws ?? null,
    };
    this.instances.set(id, inst);
    this.changes.instance(asHandle(inst));
    this.live.push(inst);
    offer.live.add(inst);
    if (ws !== undefined) {
      ws.instances.add(inst);
      this.touch(ws);
      // a replica added: its service's health changes
      if (ws.kind === "inference" && dep !== null) this.changes.service(ws.spec.id);
    }
    if (readyNow) this.replicaRunning(inst, 1);
    this.emit("instance-launched", { instanceId: id, workloadId: inst.workloadId ?? undefined, cloud: offer.offer.cloud, region: offer.offer.region, detail: `${offer.offer.instanceType} ${spot ? "spot" : "on-demand"}` });
    if (!readyNow) this.schedule({ atMs: inst.readyAtMs, kind: "ready", inst });
    return inst;
  }

  private notify(inst: InstanceRec): void {
    inst.interruptionAtMs = this.now + INTERRUPTION_NOTICE_MS;
    this.changes.instance(asHandle(inst));
    this.changes.notice(asHandle(inst));
    this.emit("interruption-notice", { instanceId: inst.id, workloadId: inst.workloadId ?? undefined, value: inst.interruptionAtMs });
    this.schedule({ atMs: inst.interruptionAtMs, kind: "reclaim", inst });
  }

  /** A serving replica started or stopped running: its deployment's count and its service's routing change. */
  private replicaRunning(inst: InstanceRec, delta: 1 | -1): void {
    if (inst.dep === null) return;
    inst.dep.running += delta;
    if (inst.owner?.kind === "inference") this.unroute(inst.owner);
  }

  private endInstance(inst: InstanceRec, how: "terminated" | "preempted"): void {
    inst.costUsd = this.costOf(inst);
    this.settledComputeUsd += inst.costUsd;
    if (inst.owner !== null) {
      inst.owner.settledUsd += inst.costUsd;
      inst.owner.instances.delete(inst);
      this.touch(inst.owner);
    }
    if (inst.state === "running") this.replicaRunning(inst, -1);
    inst.state = how;
    inst.endedAtMs = this.now;
    inst.offer.live.delete(inst);
    this.endedInLive++;
    this.changes.end(asHandle(inst));
    this.emit(how === "preempted" ? "instance-preempted" : "instance-terminated", { instanceId: inst.id, workloadId: inst.workloadId ?? undefined });
    const ws = inst.workloadId === null ? undefined : this.workloads.get(inst.workloadId);
    if (ws?.kind === "training") {
      const at = ws.active.indexOf(inst);
      if (at >= 0) {
        ws.active.splice(at, 1);
        if (ws.completedAtMs === null) {
          this.rollBack(ws, how === "preempted" ? "node preempted" : "node terminated");
          ws.needsResume = true;
        }
        this.refreshTraining(ws);
      }
    }
  }

  /** Progress saved by the newest durable checkpoint (periodic ones included). */
  private checkpointedH(ws: TrainingState): number {
    if (ws.everyH <= 0) return ws.ckptBaseH;
    const since = ws.progressH - ws.ckptBaseH;
    return ws.ckptBaseH + Math.floor(since / ws.everyH + 1e-9) * ws.everyH;
  }

  private latestCheckpoint(ws: TrainingState): { uri: string; progressH: number; cloud: Cloud; region: string } {
    const progressH = this.checkpointedH(ws);
    const periodic = progressH > ws.ckptBaseH;
    const where = periodic && ws.active[0] ? ws.active[0].offer.offer : { cloud: ws.ckptBaseCloud, region: ws.ckptBaseRegion };
    return { uri: `sim://checkpoints/${ws.spec.id}/${Math.round(progressH * 3600)}s`, progressH, cloud: where.cloud, region: where.region };
  }

  private rollBack(ws: TrainingState, why: string): void {
    const latest = this.latestCheckpoint(ws);
    const lost = ws.progressH - latest.progressH;
    ws.progressH = latest.progressH;
    ws.ckptBaseH = latest.progressH;
    ws.ckptBaseCloud = latest.cloud;
    ws.ckptBaseRegion = latest.region;
    ws.generation++;
    this.touch(ws);
    this.emit("training-stopped", { workloadId: ws.spec.id, detail: why, value: round6(lost) });
  }

  /** Whether the job makes progress now: all nodes running in regions that are up, enough GPUs, not restarting. */
  private refreshTraining(ws: TrainingState): void {
    let gpus = 0;
    let ok = ws.completedAtMs === null && !ws.needsResume && ws.active.length > 0 && this.now >= ws.resumeReadyAtMs;
    for (const inst of ws.active) {
      if (inst.state !== "running" || !this.regionUp(inst.offer.offer.cloud, inst.offer.offer.region)) ok = false;
      gpus += inst.offer.offer.acceleratorCount;
    }
    const running = ok && gpus >= ws.spec.gpu.count;
    if (running === ws.running) return;
    ws.running = running;
    ws.runToken++;
    this.touch(ws);
    if (running) {
      const remainingMs = Math.ceil((ws.spec.workHours - ws.progressH) * HOUR_MS - 1e-6);
      this.schedule({ atMs: this.now + Math.max(0, remainingMs), kind: "complete", ws, token: ws.runToken });
    }
  }

  private completeTraining(ws: TrainingState): void {
    ws.progressH = ws.spec.workHours;
    ws.completedAtMs = this.now;
    ws.running = false;
    ws.runToken++;
    this.touch(ws);
    this.emit("training-completed", { workloadId: ws.spec.id, value: ws.spec.workHours });
    // The job is done, but its cluster stays up and keeps billing until someone tears it down, as a cluster
    // launched by hand (no autostop) does: idle GPUs after a finished job are the commonest waste there is,
    // and finding them is skyops' job (the orphan-instance finding, a `terminate` a human approves).
  }

  // ---------------------------------------------------------------- the tool contract

  private once<T>(key: string, fingerprint: unknown, run: () => T): T {
    this.epoch++;
    if (typeof key !== "string" || key.length === 0 || key.length > 256) {
      throw new SimError("invalid-argument", "idempotencyKey must be a non-empty string of at most 256 characters", "derive it from the action and step, e.g. proposal-42/launch", "idempotencyKey");
    }
    const fp = JSON.stringify(fingerprint);
    const seen = this.idempotency.get(key);
    if (seen) {
      if (seen.fingerprint !== fp) {
        throw new SimError("idempotency-mismatch", `idempotencyKey "${key}" was already used with different arguments`, "use a new key for a different request, or repeat the original arguments", "idempotencyKey");
      }
      return seen.result as T;
    }
    const result = run();
    this.idempotency.set(key, { fingerprint: fp, result });
    return result;
  }

  private quote(o: OfferState): OfferQuote {
    const region = this.regions.get(`${o.offer.cloud}/${o.offer.region}`)!;
    const stocked = o.offer.accelerator !== null && region.stockouts.has(o.offer.accelerator.toLowerCase());
    return {
      ...o.offer,
      spotUsdPerHourNow: o.spotNow,
      onDemandUsdPerHourNow: o.odNow,
      spotAvailability: o.spotNow === null ? 0 : o.availability,
      launchable: region.outages === 0 && !stocked,
      spotPriceSource: o.series ? o.series.series.id : o.spotNow === null ? null : "catalog",
      spotAvailabilitySource: o.trace ? o.trace.trace.id : null,
    };
  }

  /** `list_offers`: every offer matching the filter, with the prices and spot availability in force now. */
  listOffers(filter: { cloud?: Cloud | undefined; region?: string | undefined; accelerator?: string | undefined; spot?: boolean | undefined; minAcceleratorCount?: number | undefined } = {}): OfferQuote[] {
    this.checkScope(filter);
    const out: OfferQuote[] = [];
    for (const o of this.offers) {
      const offer = o.offer;
      if (filter.cloud !== undefined && offer.cloud !== filter.cloud) continue;
      if (filter.region !== undefined && offer.region !== filter.region) continue;
      if (filter.accelerator !== undefined && !offerMatchesAccelerator(offer, filter.accelerator)) continue;
      if (filter.spot === true && o.spotNow === null) continue;
      if (filter.spot === false && o.odNow === null) continue;
      if (filter.minAcceleratorCount !== undefined && offer.acceleratorCount < filter.minAcceleratorCount) continue;
      out.push(this.quote(o));
    }
    return out;
  }

  /** How many offers the world has (every cloud, region and zone). */
  offerCount(): number {
    return this.offers.length;
  }

  /** The offer with this id, with prices now; null if unknown. */
  getOffer(id: string): OfferQuote | null {
    const o = this.offerById.get(id);
    return o ? this.quote(o) : null;
  }

  /**
   * `get_price_history`: the prices of one offer between two moments (never past now), as change points:
   * the replayed history with the timeline's price events applied.
   */
  getPriceHistory(q: { offerId: string; spot: boolean; sinceMs: number; untilMs?: number | undefined }): { offerId: string; spot: boolean; points: PricePoint[]; source: string; truncated: boolean } {
    const o = this.offerById.get(q.offerId);
    if (!o) throw new NotFoundError("unknown-offer", `unknown offer "${q.offerId}"`, "call list_offers and pass one of its ids", "offerId");
    const until = Math.min(q.untilMs ?? this.now, this.now);
    if (!Number.isSafeInteger(q.sinceMs) || q.sinceMs < 0 || q.sinceMs > until) {
      throw new SimError("invalid-argument", `sinceMs (${q.sinceMs}) must be a time before untilMs and now (${until})`, "pass sinceMs earlier than untilMs; the future has no history", "sinceMs");
    }
    if ((q.spot ? o.offer.spotUsdPerHour : o.offer.onDemandUsdPerHour) === null) {
      throw new SimError("no-spot-price", `${q.offerId} has no ${q.spot ? "spot" : "on-demand"} price`, q.spot ? "ask for spot=false" : "ask for spot=true", "spot");
    }
    const changes = new Set<number>([q.sinceMs]);
    for (const m of this.modifiers) {
      if (m.spot !== q.spot) continue;
      if (m.startMs > q.sinceMs && m.startMs <= until) changes.add(m.startMs);
      if (m.endMs > q.sinceMs && m.endMs <= until) changes.add(m.endMs);
    }
    const limit = 10_000;
    let truncated = false;
    if (q.spot && o.series) {
      let t = o.series.nextChangeAfter(q.sinceMs);
      while (t <= until) {
        if (changes.size >= limit) {
          truncated = true;
          break;
        }
        changes.add(t);
        t = o.series.nextChangeAfter(t);
      }
    }
    const points: PricePoint[] = [];
    for (const t of [...changes].sort((a, b) => a - b)) {
      const price = this.modifiedPrice(o, q.spot, this.basePrice(o, q.spot, t), t)!;
      if (points.length === 0 || points[points.length - 1]!.usdPerHour !== price) points.push({ atMs: t, usdPerHour: price });
    }
    return { offerId: q.offerId, spot: q.spot, points, source: q.spot && o.series ? o.series.series.id : "catalog", truncated };
  }

  /** The latest note on an instance's workload (its `note` label). */
  private noteOf(inst: InstanceRec): string | undefined {
    const notes = inst.owner?.notes;
    return notes !== undefined && notes.length > 0 ? notes[notes.length - 1] : undefined;
  }

  /** Price in force for a live instance, USD/hour. */
  private priceOf(inst: InstanceRec): number {
    return inst.spot ? inst.offer.spotNow! : inst.offer.odNow!;
  }

  // An instance's record changes only in its state, notice, price and note, where the world names it in
  // `WorldChanges.instances`, and in its cost; the rest is fixed at launch. Keep the two in step.
  private toInstance(inst: InstanceRec): Instance {
    const offer = inst.offer.offer;
    const labels: Record<string, string> = { "skyops/role": inst.role };
    if (inst.workloadId !== null) {
      labels["skyops/workload"] = inst.workloadId;
      const note = this.noteOf(inst);
      if (note !== undefined) labels["note"] = note;
    }
    const price = inst.endedAtMs !== null ? 0 : this.priceOf(inst);
    return {
      id: inst.id,
      cloud: offer.cloud,
      region: offer.region,
      zone: offer.zone,
      instanceType: offer.instanceType,
      offerId: offer.id,
      spot: inst.spot,
      state: inst.state,
      workloadId: inst.workloadId,
      launchedAtMs: inst.launchedAtMs,
      readyAtMs: inst.readyAtMs,
      endedAtMs: inst.endedAtMs,
      interruptionAtMs: inst.interruptionAtMs,
      usdPerHour: price,
      costUsd: this.costOf(inst),
      idempotencyKey: inst.idempotencyKey,
      labels,
    };
  }

  /** `list_instances`: instances (live by default) with their workload labels and cost so far. */
  listInstances(filter: { cloud?: Cloud | undefined; region?: string | undefined; workloadId?: string | undefined; includeEnded?: boolean | undefined } = {}): Instance[] {
    this.checkScope(filter);
    if (filter.workloadId !== undefined) this.requireWorkload(filter.workloadId);
    const out: Instance[] = [];
    for (const inst of this.instances.values()) {
      if (!filter.includeEnded && inst.endedAtMs !== null) continue;
      if (filter.cloud !== undefined && inst.offer.offer.cloud !== filter.cloud) continue;
      if (filter.region !== undefined && inst.offer.offer.region !== filter.region) continue;
      if (filter.workloadId !== undefined && inst.workloadId !== filter.workloadId) continue;
      out.push(this.toInstance(inst));
    }
    return out;
  }

  /** `get_health`: regions, serving replicas, spot interruption notices and service levels now. */
  getHealth(filter: { cloud?: Cloud | undefined; region?: string | undefined } = {}): HealthReport {
    this.checkScope(filter);
    const inScope = (cloud: Cloud, region: string): boolean => (filter.cloud === undefined || filter.cloud === cloud) && (filter.region === undefined || filter.region === region);
    const regions = this.getRegionHealth().filter((r) => inScope(r.cloud, r.region));
    const replicas: HealthReport["replicas"] = [];
    const services: HealthReport["services"] = [];
    for (const ws of this.workloads.values()) {
      if (ws.kind !== "inference") continue;
      this.route(ws);
      services.push(serviceLevel(ws));
      for (const inst of [...ws.instances].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        if (inst.dep && inScope(inst.dep.cloud, inst.dep.region)) replicas.push(replicaHealth(ws, inst, inst.dep));
      }
    }
    const interruptions: HealthReport["interruptions"] = [];
    for (const inst of this.live) {
      if (inst.endedAtMs !== null || inst.interruptionAtMs === null || !inScope(inst.offer.offer.cloud, inst.offer.offer.region)) continue;
      interruptions.push({ instanceId: inst.id, workloadId: inst.workloadId, cloud: inst.offer.offer.cloud, region: inst.offer.offer.region, atMs: inst.interruptionAtMs });
    }
    return { atMs: this.now, regions, replicas, interruptions, services };
  }

  /** A serving workload's service level, as `getHealth` reports it. */
  getServiceLevel(workloadId: string): HealthReport["services"][number] {
    const ws = this.requireInference(workloadId);
    if (!ws.routed) this.route(ws);
    return serviceLevel(ws);
  }

  /** A serving workload's replicas' health, as `getHealth` reports it, in the order they were launched. */
  getReplicaHealth(workloadId: string): HealthReport["replicas"] {
    const ws = this.requireInference(workloadId);
    if (!ws.routed) this.route(ws);
    const replicas: HealthReport["replicas"] = [];
    for (const inst of ws.instances) if (inst.dep !== null) replicas.push(replicaHealth(ws, inst, inst.dep));
    return replicas;
  }

  /** Every region's health now, sorted by cloud/region. */
  getRegionHealth(): RegionHealth[] {
    const regions: RegionHealth[] = [];
    for (const r of [...this.regions.values()].sort((a, b) => (`${a.cloud}/${a.region}` < `${b.cloud}/${b.region}` ? -1 : 1))) {
      regions.push({ cloud: r.cloud, region: r.region, state: r.outages > 0 ? "down" : "up", addedLatencyMs: r.addedLatencyMs, stockouts: [...r.stockouts.keys()].sort() });
    }
    return regions;
  }

  /**
   * `get_egress_price`: USD per GB to move data from one region to another. Inside one cloud, the
   * published inter-region matrix; between clouds (or where the matrix has no entry), the source cloud's
   * first internet egress tier; within a region, free.
   */
  getEgressPrice(from: { cloud: Cloud; region: string }, to: { cloud: Cloud; region: string }): { usdPerGb: number; basis: "same-region" | "inter-region" | "internet"; transferGbPerSecond: number } {
    this.requireRegion(from.cloud, from.region);
    this.requireRegion(to.cloud, to.region);
    if (from.cloud === to.cloud && from.region === to.region) return { usdPerGb: 0, basis: "same-region", transferGbPerSecond: TRANSFER_GBPS.sameRegion };
    if (from.cloud === to.cloud) {
      const matrix = this.egressMatrix.get(`${from.cloud}|${from.region}|${to.region}`);
      if (matrix !== undefined) return { usdPerGb: matrix, basis: "inter-region", transferGbPerSecond: TRANSFER_GBPS.sameCloud };
      const tier = this.internetTier(from.cloud);
      // same continent transfers inside one cloud cost at most the internet rate
      return { usdPerGb: geoOfRegion(from.cloud, from.region) === geoOfRegion(to.cloud, to.region) ? Math.min(0.02, tier) : tier, basis: "inter-region", transferGbPerSecond: TRANSFER_GBPS.sameCloud };
    }
    return { usdPerGb: this.internetTier(from.cloud), basis: "internet", transferGbPerSecond: TRANSFER_GBPS.crossCloud };
  }

  private internetTier(cloud: Cloud): number {
    const tiers = this.data.internetEgress.filter((t) => t.cloud === cloud && t.usdPerGb > 0).sort((a, b) => a.startGb - b.startGb);
    return tiers[0]?.usdPerGb ?? 0.09;
  }

  /** `launch`: starts `count` instances; the same idempotencyKey again returns the same instances. */
  launch(req: LaunchRequest): Instance[] {
    const ids = this.once(req.idempotencyKey, ["launch", req.cloud, req.region, req.zone ?? null, req.instanceType ?? null, req.gpu ?? null, req.spot, req.count, req.workloadId ?? null], () => {
      if (!Number.isInteger(req.count) || req.count < 1 || req.count > 1000) {
        throw new SimError("invalid-argument", `count must be a whole number from 1 to 1000, got ${req.count}`, "launch at least one instance, at most 1000 per call", "count");
      }
      const region = this.requireRegion(req.cloud, req.region);
      const ws = req.workloadId ? this.requireWorkload(req.workloadId) : undefined;
      if ((req.instanceType === undefined) === (req.gpu === undefined)) {
        throw new SimError("invalid-argument", "give exactly one of instanceType or gpu", "pass instanceType from list_offers, or gpu such as {name: A100, count: 8}", "instanceType");
      }
      let offer: OfferState;
      if (req.instanceType !== undefined) {
        const candidates = this.offers.filter(
          (o) => o.offer.cloud === req.cloud && o.offer.region === req.region && o.offer.instanceType === req.instanceType && (req.zone === undefined || o.offer.zone === req.zone),
        );
        if (candidates.length === 0) {
          throw new SimError("unknown-offer", `${req.cloud}/${req.region}${req.zone ? ` zone ${req.zone}` : ""} has no instance type "${req.instanceType}"`, `call list_offers with cloud=${req.cloud} region=${req.region} to see its instance types`, "instanceType");
        }
        const priced = candidates.filter((o) => (req.spot ? o.spotNow : o.odNow) !== null);
        if (priced.length === 0) {
          throw new SimError("no-spot-price", `${req.instanceType} in ${req.cloud}/${req.region} is not sold ${req.spot ? "as spot" : "on demand"}`, req.spot ? "launch it on demand (spot=false)" : "launch it as spot (spot=true)", "spot");
        }
        // cheapest zone with spot capacity (or any zone for on-demand), ties by id
        const usable = req.spot ? priced.filter((o) => o.availability > 0) : priced;
        offer = (usable.length > 0 ? usable : priced).reduce((a, b) => ((req.spot ? a.spotNow! : a.odNow!) <= (req.spot ? b.spotNow! : b.odNow!) ? a : b));
      } else {
        offer = this.chooseOffer(req.cloud, req.region, req.gpu!, req.spot, true, "launch", req.zone);
      }
      if (region.outages > 0) {
        throw new SimError("region-unavailable", `${req.cloud}/${req.region} is down (outage)`, "launch in another region, or wait for get_health to report it up", "region");
      }
      if (offer.offer.accelerator !== null && region.stockouts.has(offer.offer.accelerator.toLowerCase())) {
        throw new InsufficientCapacityError(`${req.cloud}/${req.region} is out of ${offer.offer.accelerator} capacity`, "try another region or cloud with this accelerator (list_offers shows launchable offers)");
      }
      if (req.spot && offer.availability === 0) {
        throw new InsufficientCapacityError(`no spot capacity for ${offer.offer.instanceType} in ${req.cloud}/${req.region}${offer.offer.zone ? ` (${offer.offer.zone})` : ""} now`, "launch on demand (spot=false), or try another zone or region with spotAvailability > 0");
      }
      let dep: DeploymentRec | null = null;
      if (ws?.kind === "inference") {
        if (offer.offer.acceleratorCount !== ws.spec.gpu.count || !offerMatchesAccelerator(offer.offer, ws.spec.gpu.name)) {
          throw new SimError("invalid-argument", `${offer.offer.instanceType} has ${offer.offer.accelerator ?? "no accelerator"}:${offer.offer.acceleratorCount} but replicas of "${ws.spec.id}" need ${ws.spec.gpu.name}:${ws.spec.gpu.count}`, `pick an instance type with exactly ${ws.spec.gpu.name}:${ws.spec.gpu.count}`, "instanceType");
        }
        dep = this.deployment(ws, req.cloud, req.region, req.spot, offer.idx, 0);
      }
      const launched: string[] = [];
      for (let i = 0; i < req.count; i++) launched.push(this.createInstance(offer, req.spot, ws, ws?.kind === "inference" ? "replica" : ws ? "node" : "unassigned", req.idempotencyKey, false, dep).id);
      return launched;
    });
    return ids.map((id) => this.toInstance(this.instances.get(id)!));
  }

  /** `terminate`: ends instances (already ended ones are left as they are). */
  terminate(req: { instanceIds: string[]; idempotencyKey: string }): Instance[] {
    req = { ...req, instanceIds: [...new Set(req.instanceIds)] };
    for (const id of req.instanceIds) {
      if (!this.instances.has(id)) throw new NotFoundError("unknown-instance", `unknown instance "${id}"`, "call list_instances for the ids that exist", "instanceIds");
    }
    const ids = this.once(req.idempotencyKey, ["terminate", [...req.instanceIds].sort()], () => {
      for (const id of [...req.instanceIds].sort()) {
        const inst = this.instances.get(id)!;
        if (inst.endedAtMs === null) this.endInstance(inst, "terminated");
      }
      return [...req.instanceIds];
    });
    return ids.map((id) => this.toInstance(this.instances.get(id)!));
  }

  private requireWorkload(id: string): WorkloadState {
    const ws = this.workloads.get(id);
    if (!ws) throw new NotFoundError("unknown-workload", `unknown workload "${id}"`, `call list_workloads for the ids that exist`, "workloadId");
    return ws;
  }

  private requireInference(id: string): InferenceState {
    const ws = this.requireWorkload(id);
    if (ws.kind !== "inference") throw new SimError("invalid-argument", `workload "${id}" is a training job, not a serving workload`, "use this tool on an inference workload", "workloadId");
    return ws;
  }

  private requireTraining(id: string): TrainingState {
    const ws = this.requireWorkload(id);
    if (ws.kind !== "training") throw new SimError("invalid-argument", `workload "${id}" is a serving workload, not a training job`, "use this tool on a training workload", "workloadId");
    return ws;
  }

  private status(ws: WorkloadState): WorkloadStatus {
    const spec = ws.spec;
    let usdPerHour = 0;
    for (const inst of ws.instances) usdPerHour += inst.spot ? inst.offer.spotNow! : inst.offer.odNow!;
    const costUsd = this.costOfWorkload(ws);
    if (ws.kind === "training") {
      // nodes by location, in the order first seen (a job's nodes are nearly always in one place: a list, not a map)
      const byLocation: { location: string; spot: boolean; instanceType: string; replicas: number; healthy: number }[] = [];
      for (const inst of ws.active) {
        const offer = inst.offer;
        let entry = byLocation.find((e) => e.location === offer.locationKey);
        if (entry === undefined) byLocation.push((entry = { location: offer.locationKey, spot: inst.spot, instanceType: offer.offer.instanceType, replicas: 0, healthy: 0 }));
        entry.replicas++;
        if (inst.state === "running" && offer.regionState.outages === 0) entry.healthy++;
      }
      const state: WorkloadStatus["state"] = ws.completedAtMs !== null ? "completed" : ws.running ? "running" : ws.active.length > 0 && !ws.needsResume && this.now < ws.resumeReadyAtMs ? "resuming" : "waiting";
      return {
        id: spec.id,
        kind: spec.kind,
        team: spec.team,
        tier: spec.tier,
        residency: spec.residency,
        frozen: spec.frozen,
        maxUsdPerHour: spec.maxUsdPerHour ?? null,
        gpu: spec.gpu,
        costUsd,
        usdPerHour,
        state,
        progressHours: ws.progressH,
        checkpointedHours: this.checkpointedH(ws),
        workHours: ws.spec.workHours,
        checkpointGb: ws.spec.checkpointGb,
        deadlineMs: ws.deadlineMs,
        deployments: byLocation.map((e) => ({ location: e.location, spot: e.spot, instanceType: e.instanceType, replicas: e.replicas, healthyReplicas: e.healthy, trafficWeight: 100 })),
        rps: null,
        replicaRps: null,
        sloP99Ms: null,
        modelVersion: null,
        previousModelVersion: null,
      };
    }
    const weightSum = ws.deployments.reduce((a, d) => a + d.weight, 0);
    const healthy = ws.deployments.reduce((a, d) => a + healthyOf(d), 0);
    return {
      id: spec.id,
      kind: spec.kind,
      team: spec.team,
      tier: spec.tier,
      residency: spec.residency,
      frozen: spec.frozen,
      maxUsdPerHour: spec.maxUsdPerHour ?? null,
      gpu: spec.gpu,
      costUsd,
      usdPerHour,
      state: healthy === 0 ? "down" : ws.deployments.some((d) => healthyOf(d) === 0 && d.weight > 0) ? "degraded" : "running",
      progressHours: null,
      checkpointedHours: null,
      workHours: null,
      checkpointGb: null,
      deadlineMs: null,
      deployments: ws.deployments.map((d) => {
        let live = 0;
        for (const i of ws.instances) if (i.dep === d) live++;
        const offer = this.offers[d.offerIdx]!.offer;
        return { location: d.location, spot: d.spot, instanceType: offer.instanceType, replicas: live, healthyReplicas: healthyOf(d), trafficWeight: weightSum > 0 ? round6((100 * d.weight) / weightSum) : 0 };
      }),
      rps: ws.spec.rps * ws.trafficFactors.reduce((a, b) => a * b, 1),
      replicaRps: ws.spec.replicaRps,
      sloP99Ms: ws.spec.sloP99Ms,
      modelVersion: ws.version,
      previousModelVersion: ws.previousVersion,
    };
  }

  /** `list_workloads`: every workload with its state, deployments and cost. */
  listWorkloads(): WorkloadStatus[] {
    return this.statuses().map(copyStatus);
  }

  /** Every workload's status, in fleet order: computed once per change of the world, shared (callers copy what they hand out). */
  private statuses(): readonly WorkloadStatus[] {
    // observe asks for every workload each tick (and get_drift again): compute once per change of the world
    if (this.statusCache?.epoch !== this.epoch) this.statusCache = { epoch: this.epoch, statuses: [...this.workloads.values()].map((ws) => this.status(ws)) };
    return this.statusCache.statuses;
  }

  /** Ids of the serving workloads, in fleet order. */
  serviceIds(): string[] {
    return this.services.map((ws) => ws.spec.id);
  }

  getWorkload(id: string): WorkloadStatus {
    return this.status(this.requireWorkload(id));
  }

  /** The newest durable checkpoint of a training job (what `resume_from_checkpoint` uses by default). */
  getLatestCheckpoint(workloadId: string): { uri: string; progressHours: number; cloud: Cloud; region: string } {
    const latest = this.latestCheckpoint(this.requireTraining(workloadId));
    return { uri: latest.uri, progressHours: latest.progressH, cloud: latest.cloud, region: latest.region };
  }

  /** `scale`: sets the number of replicas of a serving workload in one location (launching or draining). */
  scale(req: { workloadId: string; cloud: Cloud; region: string; replicas: number; spot?: boolean | undefined; idempotencyKey: string }): WorkloadStatus {
    const ws = this.requireInference(req.workloadId);
    if (!Number.isInteger(req.replicas) || req.replicas < 0 || req.replicas > 1000) {
      throw new SimError("invalid-argument", `replicas must be a whole number from 0 to 1000, got ${req.replicas}`, "pass the replica count wanted in this location", "replicas");
    }
    this.once(req.idempotencyKey, ["scale", req.workloadId, req.cloud, req.region, req.replicas, req.spot ?? null], () => {
      const region = this.requireRegion(req.cloud, req.region);
      const location = locationKey(req.cloud, req.region);
      const existing = ws.deployments.find((d) => d.location === location);
      const spot = req.spot ?? existing?.spot ?? false;
      const live = [...ws.instances].filter((i) => i.dep?.location === location).sort((a, b) => (a.id < b.id ? -1 : 1));
      if (req.replicas > live.length) {
        const offer = existing && existing.spot === spot ? this.offers[existing.offerIdx]! : this.chooseOffer(req.cloud, req.region, ws.spec.gpu, spot, true, `scale "${ws.spec.id}"`);
        if (region.outages > 0) throw new SimError("region-unavailable", `${location} is down (outage)`, "scale up in another region", "region");
        if (offer.offer.accelerator !== null && region.stockouts.has(offer.offer.accelerator.toLowerCase())) {
          throw new InsufficientCapacityError(`${location} is out of ${offer.offer.accelerator} capacity`, "scale up in another region or cloud");
        }
        if (spot && offer.availability === 0) throw new InsufficientCapacityError(`no spot capacity for ${offer.offer.instanceType} in ${location} now`, "scale up on demand (spot=false) or elsewhere");
        const dep = this.deployment(ws, req.cloud, req.region, spot, offer.idx, 0);
        // a deployment reports what it now adds: the latest purchase option and offer
        dep.spot = spot;
        dep.offerIdx = offer.idx;
        this.touch(ws);
        for (let i = live.length; i < req.replicas; i++) this.createInstance(offer, spot, ws, "replica", req.idempotencyKey, false, dep);
      } else {
        // drain the newest replicas first
        for (const inst of live.slice(req.replicas).reverse()) this.endInstance(inst, "terminated");
      }
      this.emit("scaled", { workloadId: ws.spec.id, cloud: req.cloud, region: req.region, value: req.replicas });
      return true;
    });
    return this.status(ws);
  }

  /** `set_traffic_weights`: shares of a serving workload's demand per deployment (any scale; normalised). */
  setTrafficWeights(req: { workloadId: string; weights: Record<string, number>; idempotencyKey: string }): WorkloadStatus {
    const ws = this.requireInference(req.workloadId);
    const entries = Object.entries(req.weights).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [location, weight] of entries) {
      if (!ws.deployments.some((d) => d.location === location)) {
        throw new SimError("invalid-argument", `"${req.workloadId}" has no deployment in ${location}`, `deployments are: ${ws.deployments.map((d) => d.location).join(", ")}; scale one up first`, `weights.${location}`);
      }
      if (!Number.isFinite(weight) || weight < 0 || weight > 100) {
        throw new SimError("invalid-argument", `weight for ${location} must be a number from 0 to 100, got ${weight}`, "pass weights from 0 to 100", `weights.${location}`);
      }
    }
    if (entries.length === 0 || entries.every(([, w]) => w === 0)) {
      throw new SimError("invalid-argument", "at least one weight must be above 0", "send traffic somewhere: give a healthy deployment a positive weight", "weights");
    }
    this.once(req.idempotencyKey, ["weights", req.workloadId, entries], () => {
      for (const d of ws.deployments) d.weight = req.weights[d.location] ?? 0;
      this.unroute(ws);
      this.emit("traffic-weights-set", { workloadId: ws.spec.id, detail: entries.map(([l, w]) => `${l}=${w}`).join(",") });
      return true;
    });
    return this.status(ws);
  }

  /** `set_model_version`: rolls every replica of a serving workload to a model version. */
  setModelVersion(req: { workloadId: string; version: string; idempotencyKey: string }): WorkloadStatus {
    const ws = this.requireInference(req.workloadId);
    if (typeof req.version !== "string" || req.version.trim().length === 0 || req.version.length > 128) {
      throw new SimError("invalid-argument", "version must be a non-empty name of at most 128 characters", "pass the model version to roll to, e.g. v1", "version");
    }
    this.once(req.idempotencyKey, ["model", req.workloadId, req.version], () => {
      if (req.version !== ws.version) {
        ws.previousVersion = ws.version;
        ws.version = req.version;
        ws.psi = BASELINE_PSI;
        this.touch(ws);
        this.changes.model(ws.spec.id);
      }
      this.emit("model-version-set", { workloadId: ws.spec.id, detail: req.version });
      return true;
    });
    return this.status(ws);
  }

  /**
   * `request_checkpoint`: a training job writes a checkpoint of its progress now to its region's object
   * store; it is durable once `readyAtMs` passes. The same key returns the same checkpoint (poll it).
   * A job that is not running returns its newest durable checkpoint.
   */
  requestCheckpoint(req: { workloadId: string; idempotencyKey: string }): CheckpointInfo {
    const ws = this.requireTraining(req.workloadId);
    const uri = this.once(req.idempotencyKey, ["checkpoint", req.workloadId], () => {
      if (!ws.running) {
        const latest = this.latestCheckpoint(ws);
        const rec: CheckpointRec = { uri: latest.uri, workloadId: ws.spec.id, progressHours: latest.progressH, gb: ws.spec.checkpointGb, cloud: latest.cloud, region: latest.region, requestedAtMs: this.now, readyAtMs: this.now, ready: true, generation: ws.generation };
        ws.checkpoints.set(rec.uri, rec);
        this.emit("checkpoint-requested", { workloadId: ws.spec.id, detail: `${rec.uri} (not running: newest durable checkpoint)`, value: rec.progressHours });
        return rec.uri;
      }
      const where = ws.active[0]!.offer.offer;
      const writeMs = Math.ceil((ws.spec.checkpointGb / CHECKPOINT_WRITE_GBPS) * 1000);
      const rec: CheckpointRec = {
        uri: `sim://checkpoints/${ws.spec.id}/manual-${++ws.manualCount}`,
        workloadId: ws.spec.id,
        progressHours: ws.progressH,
        gb: ws.spec.checkpointGb,
        cloud: where.cloud,
        region: where.region,
        requestedAtMs: this.now,
        readyAtMs: this.now + writeMs,
        ready: writeMs === 0,
        generation: ws.generation,
      };
      ws.checkpoints.set(rec.uri, rec);
      this.emit("checkpoint-requested", { workloadId: ws.spec.id, detail: rec.uri, value: rec.progressHours });
      if (rec.ready) this.fire({ atMs: this.now, seq: -1, kind: "checkpoint", ws, ckpt: rec });
      else this.schedule({ atMs: rec.readyAtMs, kind: "checkpoint", ws, ckpt: rec });
      return rec.uri;
    });
    const { generation: _generation, ...info } = ws.checkpoints.get(uri)!;
    return { ...info };
  }

  /**
   * `resume_from_checkpoint`: the given instances (launched for this job) pull a checkpoint and the job
   * continues there from its progress. Egress is charged from the checkpoint's region; the job is down for
   * the transfer and a restart. Progress after the checkpoint is lost.
   */
  resumeFromCheckpoint(req: { workloadId: string; instanceIds: string[]; checkpointUri?: string | undefined; idempotencyKey: string }): ResumeResult {
    const ws = this.requireTraining(req.workloadId);
    return this.once(req.idempotencyKey, ["resume", req.workloadId, [...req.instanceIds].sort(), req.checkpointUri ?? null], () => {
      if (ws.completedAtMs !== null) throw new SimError("conflict", `"${ws.spec.id}" has already completed`, "nothing to resume", "workloadId");
      let ckpt: { uri: string; progressH: number; cloud: Cloud; region: string };
      if (req.checkpointUri === undefined) ckpt = this.latestCheckpoint(ws);
      else {
        const manual = ws.checkpoints.get(req.checkpointUri);
        const latest = this.latestCheckpoint(ws);
        if (manual) {
          // a checkpoint written before the job stopped is durable; one the job stopped in the middle of is lost
          if (!manual.ready && manual.generation !== ws.generation) throw new SimError("unknown-checkpoint", `checkpoint ${manual.uri} was lost when the job stopped before it was written`, "resume from the newest checkpoint (omit checkpointUri)", "checkpointUri");
          if (!manual.ready) throw new SimError("conflict", `checkpoint ${manual.uri} is still being written (ready at ${manual.readyAtMs})`, "wait until readyAtMs, then resume", "checkpointUri");
          ckpt = { uri: manual.uri, progressH: manual.progressHours, cloud: manual.cloud, region: manual.region };
        } else if (req.checkpointUri === latest.uri) ckpt = latest;
        else throw new SimError("unknown-checkpoint", `unknown checkpoint "${req.checkpointUri}"`, "omit checkpointUri to use the newest, or call request_checkpoint", "checkpointUri");
      }
      if (req.instanceIds.length === 0) throw new SimError("invalid-argument", "instanceIds is empty", "launch instances for the job, then pass their ids", "instanceIds");
      const targets: InstanceRec[] = [];
      for (const id of [...new Set(req.instanceIds)].sort()) {
        const inst = this.instances.get(id);
        if (!inst) throw new NotFoundError("unknown-instance", `unknown instance "${id}"`, "call list_instances for the ids that exist", "instanceIds");
        if (inst.endedAtMs !== null) throw new SimError("conflict", `instance ${id} has ended (${inst.state})`, "launch a new instance and resume on it", "instanceIds");
        if (inst.workloadId !== ws.spec.id) throw new SimError("invalid-argument", `instance ${id} does not belong to "${ws.spec.id}"`, `launch instances with workloadId=${ws.spec.id}`, "instanceIds");
        targets.push(inst);
      }
      const target = targets[0]!.offer.offer;
      if (targets.some((i) => i.offer.offer.cloud !== target.cloud || i.offer.offer.region !== target.region)) {
        throw new SimError("invalid-argument", "the instances are in more than one region", "resume on instances of one region", "instanceIds");
      }
      const gpus = targets.reduce((a, i) => a + (offerMatchesAccelerator(i.offer.offer, ws.spec.gpu.name) ? i.offer.offer.acceleratorCount : 0), 0);
      if (gpus < ws.spec.gpu.count) {
        throw new SimError("invalid-argument", `the instances have ${gpus} × ${ws.spec.gpu.name}; "${ws.spec.id}" needs ${ws.spec.gpu.count}`, `launch instances with ${ws.spec.gpu.name} totalling ${ws.spec.gpu.count}`, "instanceIds");
      }
      if (!this.regionUp(target.cloud, target.region)) throw new SimError("region-unavailable", `${target.cloud}/${target.region} is down (outage)`, "resume in another region", "instanceIds");
      const egress = this.getEgressPrice({ cloud: ckpt.cloud, region: ckpt.region }, { cloud: target.cloud, region: target.region });
      const gb = egress.basis === "same-region" ? 0 : ws.spec.checkpointGb;
      const egressUsd = gb * egress.usdPerGb;
      const transferMs = gb === 0 ? 0 : Math.ceil((gb / egress.transferGbPerSecond) * 1000);
      const bootedAt = Math.max(this.now, ...targets.map((i) => i.readyAtMs));
      // stop the old placement's progress line and adopt the checkpoint
      ws.progressH = ckpt.progressH;
      ws.ckptBaseH = ckpt.progressH;
      ws.ckptBaseCloud = target.cloud;
      ws.ckptBaseRegion = target.region;
      ws.generation++;
      ws.active = targets;
      ws.needsResume = false;
      ws.resumeReadyAtMs = bootedAt + transferMs + RESTART_MS;
      this.touch(ws);
      if (egressUsd > 0) {
        this.egressUsd += egressUsd;
        ws.settledUsd += egressUsd;
        this.emit("egress-charged", { workloadId: ws.spec.id, detail: `${ckpt.cloud}/${ckpt.region} → ${target.cloud}/${target.region} ${gb} GB`, value: egressUsd });
      }
      this.emit("training-resumed", { workloadId: ws.spec.id, cloud: target.cloud, region: target.region, detail: ckpt.uri, value: ckpt.progressH });
      this.schedule({ atMs: ws.resumeReadyAtMs, kind: "resume", ws });
      this.refreshTraining(ws);
      return {
        workloadId: ws.spec.id,
        checkpointUri: ckpt.uri,
        progressHours: ckpt.progressH,
        fromRegion: `${ckpt.cloud}/${ckpt.region}`,
        toRegion: `${target.cloud}/${target.region}`,
        egressGb: gb,
        egressUsd,
        transferMs,
        resumesAtMs: ws.resumeReadyAtMs,
        instanceIds: targets.map((i) => i.id),
      };
    });
  }

  /** `get_drift`: per-feature PSI/KS and prediction drift of a serving workload over the last hour. */
  getDrift(workloadId: string): DriftReport {
    const ws = this.requireInference(workloadId);
    return {
      workloadId,
      modelVersion: ws.version,
      atMs: this.now,
      windowMs: DRIFT_WINDOW_MS,
      features: DRIFT_FEATURES.map(([feature, weight]) => {
        const psi = round6(ws.psi * weight);
        return { feature, psi, ks: round6(Math.min(1, Math.sqrt(psi) / 3)) };
      }),
      predictionPsi: ws.psi,
    };
  }

  // ---------------------------------------------------------------- what changed, and what accrues

  /** What changed since the last call; see `WorldChanges`. One reader drains it, from the start: the first take names every record. */
  takeChanges(): WorldChanges {
    return this.changes.take();
  }

  /** Every workload, in fleet order, as a reader of `takeChanges` holds it. */
  workloadHandles(): WorkloadHandle[] {
    return [...this.workloads.values()].map((ws) => asHandle(ws));
  }

  /** One instance's record, as `listInstances` gives it. */
  getInstance(inst: InstanceHandle): Instance {
    return this.toInstance(instanceOf(inst));
  }

  /** What an instance has cost so far, USD (its record's `costUsd`). */
  instanceCostUsd(inst: InstanceHandle): number {
    return this.costOf(instanceOf(inst));
  }

  /** What a workload has cost so far, USD (its status's `costUsd`). */
  workloadCostUsd(ws: WorkloadHandle): number {
    return this.costOfWorkload(workloadOf(ws));
  }

  /** A training job's progress, hours (its status's `progressHours`; null for a serving workload). */
  progressHours(ws: WorkloadHandle): number | null {
    const state = workloadOf(ws);
    return state.kind === "training" ? state.progressH : null;
  }

  /** A training job's checkpointed progress, hours (its status's `checkpointedHours`, which moves with the progress of a job that runs; null for a serving workload). */
  checkpointedHours(ws: WorkloadHandle): number | null {
    const state = workloadOf(ws);
    return state.kind === "training" ? this.checkpointedH(state) : null;
  }

  /** What every live instance costs together now, USD/hour. */
  liveUsdPerHour(): number {
    let rate = 0;
    for (const inst of this.live) if (inst.endedAtMs === null) rate += this.priceOf(inst);
    return rate;
  }

  // ---------------------------------------------------------------- accounting and log

  private emit(type: SimEventType, fields: Omit<SimEvent, "seq" | "atMs" | "type">): void {
    if (!this.logEnabled && type !== "world-started") return;
    const event: SimEvent = { seq: this.logged++, atMs: this.now, type };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) (event as unknown as Record<string, unknown>)[k] = v;
    this.log.push(event);
    // dropped in batches, so a full log costs one splice per `maxLoggedEvents` events, not one per event
    if (this.log.length >= 2 * this.maxLoggedEvents) this.log.splice(0, this.log.length - this.maxLoggedEvents);
  }

  /** The newest events (at most `maxLoggedEvents`, oldest first; `seq` counts from the world's start), as a copy. */
  events(): SimEvent[] {
    return this.log.slice(-this.maxLoggedEvents).map((e) => ({ ...e }));
  }

  /** How many events the world has emitted, including those the log no longer keeps. */
  eventCount(): number {
    return this.logged;
  }

  totals(): Totals {
    const availability: Record<string, number> = {};
    const perWorkloadCostUsd: Record<string, number> = {};
    let deadlinesMissed = 0;
    let trainingCompleted = 0;
    for (const ws of this.workloads.values()) {
      perWorkloadCostUsd[ws.spec.id] = this.costOfWorkload(ws);
      if (ws.kind === "inference") availability[ws.spec.id] = ws.demandIntegral > 0 ? ws.servedIntegral / ws.demandIntegral : 1;
      else {
        if (ws.deadlineMissed) deadlinesMissed++;
        if (ws.completedAtMs !== null) trainingCompleted++;
      }
    }
    let liveInstances = 0;
    let computeUsd = this.settledComputeUsd;
    for (const inst of this.live) {
      if (inst.endedAtMs !== null) continue;
      liveInstances++;
      computeUsd += this.costOf(inst);
    }
    return { atMs: this.now, computeUsd, egressUsd: this.egressUsd, costUsd: computeUsd + this.egressUsd, liveInstances, deadlinesMissed, trainingCompleted, availability, perWorkloadCostUsd };
  }

  /** Regions this world simulates. */
  listRegions(): { cloud: Cloud; region: string; geo: ReturnType<typeof geoOfRegion> }[] {
    return [...this.regions.values()].map((r) => ({ cloud: r.cloud, region: r.region, geo: geoOfRegion(r.cloud, r.region) })).sort((a, b) => (`${a.cloud}/${a.region}` < `${b.cloud}/${b.region}` ? -1 : 1));
  }
}

/**
 * A record as a reader of `takeChanges` holds it (see `WorkloadHandle`): the record itself, typed so that only
 * the world reads it.
 */
function asHandle(ws: WorkloadState): WorkloadHandle;
function asHandle(inst: InstanceRec): InstanceHandle;
function asHandle(record: WorkloadState | InstanceRec): WorkloadHandle | InstanceHandle {
  return record as unknown as WorkloadHandle | InstanceHandle;
}

function workloadOf(ws: WorkloadHandle): WorkloadState {
  return ws as unknown as WorkloadState;
}

function instanceOf(inst: InstanceHandle): InstanceRec {
  return inst as unknown as InstanceRec;
}

/** Replicas of a deployment that serve: those running, unless its region is down. */
function healthyOf(d: DeploymentRec): number {
  return d.regionState.outages === 0 ? d.running : 0;
}

/** A serving replica's health line (its service routed). */
function replicaHealth(ws: InferenceState, inst: InstanceRec, dep: DeploymentRec): HealthReport["replicas"][number] {
  const healthy = inst.state === "running" && dep.regionState.outages === 0;
  return {
    workloadId: ws.spec.id,
    location: dep.location,
    instanceId: inst.id,
    state: inst.state === "provisioning" ? "provisioning" : healthy ? "healthy" : "unhealthy",
    latencyP99Ms: dep.p99Ms,
    servedRps: healthy && healthyOf(dep) > 0 ? dep.servedRps / healthyOf(dep) : 0,
  };
}

/** A status to hand out: its own objects, so no caller can change one the world (or a reader) keeps. */
export function copyStatus(s: WorkloadStatus): WorkloadStatus {
  return { ...s, deployments: s.deployments.map((d) => ({ ...d })) };
}
