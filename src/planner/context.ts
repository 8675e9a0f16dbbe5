import {
  checkpointGbOf,
  geoOfRegion,
  mergeRegionHealth,
  type RegionView,
  type Cloud,
  type Geo,
  type EgressMatrix,
  type Finding,
  type Snapshot,
  type SnapshotInstance,
  type SnapshotOffer,
  type SnapshotWorkload,
} from "../domain/index.js";
import type { PlannerConfig } from "./config.js";
import type { PlannerInput } from "./types.js";

const LOCATION = /^(aws|gcp|azure)\/[a-z][a-z0-9-]*[a-z0-9]$/;
const REGION = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const WORKLOAD_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const HOUR_MS = 3_600_000;

/**
 * An offer with what every placement asks of it, copied once per `plan` call into one object shape:
 * the snapshot's records come from many servers in many shapes, and the placement loop reads these
 * fields for every offer of an accelerator, for every workload it places.
 */
export interface OfferEntry {
  offer: SnapshotOffer;
  id: string;
  cloud: Cloud;
  region: string;
  zone: string | null;
  instanceType: string;
  acceleratorCount: number;
  launchable: boolean;
  onDemandUsdPerHour: number | null;
  spotUsdPerHour: number | null;
  spotAvailability: number;
  /** `cloud/region`. */
  location: string;
  /** Index of the location in `PlanContext.locations`. */
  locationIndex: number;
  /** Down in the snapshot or named by a region-unhealthy finding. */
  unhealthy: boolean;
}

/** A location that has offers, with its geography (for residency). */
export interface LocationEntry {
  key: string;
  cloud: Cloud;
  region: string;
  geo: Geo;
}

/**
 * The indices one `plan` call builds once and every strategy shares. Offers are indexed by accelerator
 * (lower-case) so a placement looks only at the offers that can run the workload; the rest are built on
 * first use, so a tick whose findings touch a few workloads never walks the whole fleet twice.
 */
export interface PlanContext {
  readonly nowMs: number;
  readonly config: PlannerConfig;
  readonly snapshot: Snapshot;
  readonly egress: EgressMatrix;
  readonly findings: readonly Finding[];
  /** Offers by accelerator name (lower case), with their location worked out. */
  readonly offersByAccelerator: ReadonlyMap<string, readonly OfferEntry[]>;
  /** Every location that has an offer; `OfferEntry.locationIndex` points here. */
  readonly locations: readonly LocationEntry[];
  readonly regions: ReadonlyMap<string, RegionView>;
  /** Locations not to place on: down in the snapshot, or named by a region-unhealthy finding. */
  readonly unhealthy: ReadonlySet<string>;
  /** Highest p99 latency reported by a healthy replica of a workload in a location, or null. */
  replicaLatencyMs(workloadId: string, location: string): number | null;
  /** A live instance (not terminated or preempted) by id. */
  liveInstance(id: string): SnapshotInstance | undefined;
  /** The workloads with a deployment in a location. */
  workloadsAt(location: string): readonly SnapshotWorkload[];
  /** A workload by id (the first record of it in the snapshot). */
  workload(id: string): SnapshotWorkload | undefined;
}

export function isLocationKey(value: unknown): value is string {
  return typeof value === "string" && LOCATION.test(value);
}

export function isWorkloadId(value: unknown): value is string {
  return typeof value === "string" && WORKLOAD_ID.test(value);
}

export function locationOf(cloud: Cloud, region: string): string {
  return `${cloud}/${region}`;
}

export function splitLocation(key: string): { cloud: Cloud; region: string } {
  const slash = key.indexOf("/");
  return { cloud: key.slice(0, slash) as Cloud, region: key.slice(slash + 1) };
}

/**
 * The location a finding names in its facts (`location`, or `cloud` and `region`), when it is a
 * well-formed `cloud/region`; anything else is ignored (facts come from telemetry).
 */
export function findingLocation(f: Finding): string | null {
  const { location, cloud, region } = f.facts;
  if (isLocationKey(location)) return location;
  if (typeof cloud === "string" && typeof region === "string" && REGION.test(region)) {
    const key = `${cloud}/${region}`;
    if (isLocationKey(key)) return key;
  }
  return null;
}

/**
 * Builds the shared indices. `interest`, when given, names the only workloads whose replica latencies
 * will be asked for (the ones findings name), so the replica index skips the rest of the fleet.
 */
export function createPlanContext(input: PlannerInput, interest?: ReadonlySet<string>): PlanContext {
  const { snapshot, config } = input;
  const regions = new Map<string, RegionView>();
  for (const report of snapshot.health) {
    for (const r of report.regions) mergeRegionHealth(regions, report.server, r);
  }
  const unhealthy = new Set<string>();
  for (const [key, r] of regions) if (r.down) unhealthy.add(key);
  for (const f of input.findings) {
    if (f.kind !== "region-unhealthy") continue;
    const where = findingLocation(f);
    if (where !== null) unhealthy.add(where);
  }

  const offersByAccelerator = new Map<string, OfferEntry[]>();
  const locations: LocationEntry[] = [];
  const locationIndex = new Map<string, number>();
  for (const offer of snapshot.offers) {
    if (offer.accelerator === null || offer.acceleratorCount <= 0) continue;
    const location = locationOf(offer.cloud, offer.region);
    let index = locationIndex.get(location);
    if (index === undefined) {
      index = locations.length;
      locations.push({ key: location, cloud: offer.cloud, region: offer.region, geo: geoOfRegion(offer.cloud, offer.region) });
      locationIndex.set(location, index);
    }
    const entry: OfferEntry = {
      offer,
      id: offer.id,
      cloud: offer.cloud,
      region: offer.region,
      zone: offer.zone,
      instanceType: offer.instanceType,
      acceleratorCount: offer.acceleratorCount,
      launchable: offer.launchable,
      onDemandUsdPerHour: offer.onDemandUsdPerHourNow,
      spotUsdPerHour: offer.spotUsdPerHourNow,
      spotAvailability: offer.spotAvailability,
      location: locations[index]!.key,
      locationIndex: index,
      unhealthy: unhealthy.has(location),
    };
    const key = offer.accelerator.toLowerCase();
    const list = offersByAccelerator.get(key);
    if (list) list.push(entry);
    else offersByAccelerator.set(key, [entry]);
  }

  let latency: Map<string, Map<string, number>> | null = null;
  let live: Map<string, SnapshotInstance> | null = null;
  let byLocation: Map<string, SnapshotWorkload[]> | null = null;
  let byId: Map<string, SnapshotWorkload> | null = null;
  return {
    nowMs: input.nowMs,
    config,
    snapshot,
    egress: input.egress,
    findings: input.findings,
    offersByAccelerator,
    locations,
    regions,
    unhealthy,
    replicaLatencyMs(workloadId, location) {
      if (latency === null) {
        latency = new Map();
        for (const report of snapshot.health) {
          for (const r of report.replicas) {
            if (r.state !== "healthy" || (interest !== undefined && !interest.has(r.workloadId))) continue;
            let byLocation = latency.get(r.workloadId);
            if (byLocation === undefined) latency.set(r.workloadId, (byLocation = new Map()));
            byLocation.set(r.location, Math.max(byLocation.get(r.location) ?? 0, r.latencyP99Ms));
          }
        }
      }
      return latency.get(workloadId)?.get(location) ?? null;
    },
    liveInstance(id) {
      if (live === null) {
        live = new Map();
        for (const inst of snapshot.instances) {
          if (inst.state === "terminated" || inst.state === "preempted" || inst.endedAtMs !== null) continue;
          if (!live.has(inst.id)) live.set(inst.id, inst);
        }
      }
      return live.get(id);
    },
    workloadsAt(location) {
      if (byLocation === null) {
        byLocation = new Map();
        for (const w of snapshot.workloads) {
          for (const d of w.deployments) {
            const list = byLocation.get(d.location);
            if (list) list.push(w);
            else byLocation.set(d.location, [w]);
          }
        }
      }
      return byLocation.get(location) ?? [];
    },
    workload(id) {
      if (byId === null) {
        byId = new Map();
        for (const w of snapshot.workloads) if (!byId.has(w.id)) byId.set(w.id, w);
      }
      return byId.get(id);
    },
  };
}

/** Checkpoint size of a training workload, GB: as its tool server reports it, else as configured. */
export function checkpointGb(config: PlannerConfig, w: SnapshotWorkload): number {
  return checkpointGbOf(w.checkpointGb, config.checkpointGb, config.defaultCheckpointGb, w.id);
}

export interface EgressEstimate {
  /** GB that cross a region boundary (0 when the checkpoint is already there). */
  gb: number;
  usd: number;
  transferMs: number;
  /** False when the matrix had no entry (or the source is unknown) and the fallback was used. */
  known: boolean;
}

/**
 * What moving a checkpoint of `gb` from `from` to `to` costs and takes: free and at the in-region
 * bandwidth within one location, the matrix's price and bandwidth between two, and the configured
 * fallback where the matrix has no entry or the checkpoint's location is unknown.
 */
export function egressBetween(ctx: PlanContext, from: string | null, to: string, gb: number): EgressEstimate {
  const { config } = ctx;
  if (from === to) return { gb: 0, usd: 0, transferMs: 0, known: true };
  const entry = from === null ? undefined : ctx.egress[from]?.[to];
  const usdPerGb = entry?.usdPerGb ?? config.egressFallback.usdPerGb;
  const gbps = entry?.transferGbPerSecond ?? config.egressFallback.transferGbPerSecond;
  return { gb, usd: gb * usdPerGb, transferMs: Math.ceil((gb / gbps) * 1000), known: entry !== undefined };
}
