import {
  geoOfRegion,
  type Geo,
  type InterruptionNotice,
  type Snapshot,
  type SnapshotInstance,
  type SnapshotOffer,
  type SnapshotWorkload,
} from "../domain/index.js";
import type { SourceAssessment } from "./sources.js";
import { isSafeId } from "./text.js";

type HealthReport = Snapshot["health"][number];
type Service = HealthReport["services"][number];
type DriftReport = Snapshot["drift"][number];

export interface RegionView {
  /** Down if any believed report says so. */
  down: boolean;
  /** Accelerators out of stock, lower-case. */
  stockouts: Set<string>;
  addedLatencyMs: number;
  server: string;
}

export interface OfferView {
  offer: SnapshotOffer;
  location: string;
  geo: Geo;
}

/**
 * One snapshot, indexed once per tick for the detectors: only records from sources that answered, only
 * records whose numbers are sane and whose identifiers (ids, locations, instance types) look like
 * identifiers. Accelerator names are matched, never trusted as identifiers: real ones have spaces. Everything else is counted
 * as rejected (a telemetry-invalid finding) and never reaches a detector.
 */
export interface SnapshotView {
  atMs: number;
  workloads: SnapshotWorkload[];
  workloadById: Map<string, SnapshotWorkload>;
  /** Live (provisioning or running) instances by workload id, sorted by id. */
  instancesByWorkload: Map<string, SnapshotInstance[]>;
  /** Live instances that serve nothing: of no workload, or left running by a training job that has completed; sorted by id. */
  orphans: SnapshotInstance[];
  liveInstances: SnapshotInstance[];
  /** Instances listed as ended (terminated or preempted). */
  endedInstanceIds: Set<string>;
  offerById: Map<string, SnapshotOffer>;
  /** Offers by accelerator name, lower-case. */
  offersByAccelerator: Map<string, OfferView[]>;
  regions: Map<string, RegionView>;
  /** Whether any believed region is down, or out of anything (lets quiet ticks skip those detectors). */
  anyRegionDown: boolean;
  anyStockout: boolean;
  services: Map<string, { service: Service; server: string }>;
  /** Interruption notices from health reports, by workload id. */
  interruptions: Map<string, (InterruptionNotice & { server: string })[]>;
  drift: Map<string, DriftReport>;
  /** Records rejected here, by server. */
  rejected: Map<string, number>;
  sources: SourceAssessment;
}

const USD_MAX = 100_000;
const LOCATION = /^(aws|gcp|azure)\/[a-z][a-z0-9-]*[a-z0-9]$/;

const nonNegative = (x: number): boolean => Number.isFinite(x) && x >= 0;
const usdRate = (x: number): boolean => nonNegative(x) && x <= USD_MAX;
const time = (x: number): boolean => Number.isSafeInteger(x);
const nullable = (x: number | null, ok: (v: number) => boolean): boolean => x === null || ok(x);

function validWorkload(w: SnapshotWorkload): boolean {
  if (!isSafeId(w.id) || !Number.isInteger(w.gpu.count) || w.gpu.count <= 0) return false;
  if (!nonNegative(w.costUsd) || !usdRate(w.usdPerHour)) return false;
  if (!nullable(w.progressHours, nonNegative) || !nullable(w.checkpointedHours, nonNegative) || !nullable(w.workHours, nonNegative)) return false;
  if (!nullable(w.deadlineMs, time) || !nullable(w.rps, nonNegative) || !nullable(w.replicaRps, (x) => nonNegative(x) && x > 0)) return false;
  if (!nullable(w.sloP99Ms, (x) => nonNegative(x) && x > 0)) return false;
  for (const d of w.deployments) {
    if (!LOCATION.test(d.location) || !isSafeId(d.instanceType)) return false;
    if (!Number.isInteger(d.replicas) || d.replicas < 0 || !Number.isInteger(d.healthyReplicas) || d.healthyReplicas < 0) return false;
    if (!nonNegative(d.trafficWeight) || d.trafficWeight > 100) return false;
  }
  return true;
}

function validInstance(i: SnapshotInstance): boolean {
  return (
    isSafeId(i.id) &&
    (i.workloadId === null || isSafeId(i.workloadId)) &&
    isSafeId(i.instanceType) &&
    usdRate(i.usdPerHour) &&
    nonNegative(i.costUsd) &&
    time(i.launchedAtMs) &&
    nullable(i.interruptionAtMs, time) &&
    nullable(i.endedAtMs, time)
  );
}

function validOffer(o: SnapshotOffer): boolean {
  return (
    isSafeId(o.instanceType) &&
    Number.isInteger(o.acceleratorCount) &&
    o.acceleratorCount >= 0 &&
    nullable(o.spotUsdPerHourNow, usdRate) &&
    nullable(o.onDemandUsdPerHourNow, usdRate) &&
    Number.isFinite(o.spotAvailability) &&
    o.spotAvailability >= 0 &&
    o.spotAvailability <= 1
  );
}

export function buildView(snapshot: Snapshot, sources: SourceAssessment): SnapshotView {
  const rejected = new Map<string, number>();
  const reject = (server: string): void => {
    rejected.set(server, (rejected.get(server) ?? 0) + 1);
  };
  const believed = (server: string): boolean => !sources.failed.has(server);

  const workloads: SnapshotWorkload[] = [];
  const workloadById = new Map<string, SnapshotWorkload>();
  for (const w of snapshot.workloads) {
    if (!believed(w.server)) continue;
    if (!validWorkload(w)) {
      reject(w.server);
      continue;
    }
    if (workloadById.has(w.id)) continue; // the first server to report a workload speaks for it
    workloadById.set(w.id, w);
    workloads.push(w);
  }

  const instancesByWorkload = new Map<string, SnapshotInstance[]>();
  const orphans: SnapshotInstance[] = [];
  const liveInstances: SnapshotInstance[] = [];
  const endedInstanceIds = new Set<string>();
  // the same instance from two servers would count twice; with one server (the usual case) ids are unique
  let instanceServer: string | null = null;
  let oneInstanceServer = true;
  for (const i of snapshot.instances) {
    if (instanceServer === null) instanceServer = i.server;
    else if (i.server !== instanceServer) oneInstanceServer = false;
  }
  const seenInstances = oneInstanceServer ? null : new Set<string>();
  for (const i of snapshot.instances) {
    if (!believed(i.server)) continue;
    if (!validInstance(i)) {
      reject(i.server);
      continue;
    }
    if (i.endedAtMs !== null || (i.state !== "running" && i.state !== "provisioning")) {
      endedInstanceIds.add(i.id);
      continue;
    }
    if (seenInstances !== null) {
      if (seenInstances.has(i.id)) continue;
      seenInstances.add(i.id);
    }
    liveInstances.push(i);
    if (i.workloadId === null || workloadById.get(i.workloadId)?.state === "completed") orphans.push(i);
    if (i.workloadId !== null) {
      const list = instancesByWorkload.get(i.workloadId);
      if (list) list.push(i);
      else instancesByWorkload.set(i.workloadId, [i]);
    }
  }
  sortById(orphans);
  for (const list of instancesByWorkload.values()) if (list.length > 1) sortById(list);

  const offerById = new Map<string, SnapshotOffer>();
  const offersByAccelerator = new Map<string, OfferView[]>();
  for (const o of snapshot.offers) {
    if (!believed(o.server)) continue;
    if (!validOffer(o)) {
      reject(o.server);
      continue;
    }
    if (offerById.has(o.id)) continue;
    offerById.set(o.id, o);
    if (o.accelerator === null || o.acceleratorCount === 0) continue;
    const key = o.accelerator.toLowerCase();
    const entry: OfferView = { offer: o, location: `${o.cloud}/${o.region}`, geo: geoOfRegion(o.cloud, o.region) };
    const list = offersByAccelerator.get(key);
    if (list) list.push(entry);
    else offersByAccelerator.set(key, [entry]);
  }

  const regions = new Map<string, RegionView>();
  const services = new Map<string, { service: Service; server: string }>();
  const interruptions = new Map<string, (InterruptionNotice & { server: string })[]>();
  for (const report of snapshot.health) {
    if (!believed(report.server)) continue;
    for (const r of report.regions) {
      if (!nonNegative(r.addedLatencyMs)) {
        reject(report.server);
        continue;
      }
      const key = `${r.cloud}/${r.region}`;
      const seen = regions.get(key);
      if (seen) {
        seen.down ||= r.state === "down";
        for (const s of r.stockouts) seen.stockouts.add(s.toLowerCase());
        seen.addedLatencyMs = Math.max(seen.addedLatencyMs, r.addedLatencyMs);
      } else {
        regions.set(key, { down: r.state === "down", stockouts: new Set(r.stockouts.map((s) => s.toLowerCase())), addedLatencyMs: r.addedLatencyMs, server: report.server });
      }
    }
    for (const s of report.services) {
      if (!isSafeId(s.workloadId) || !nonNegative(s.demandRps) || !nonNegative(s.servedWithinSloRps) || !nonNegative(s.latencyP99Ms)) {
        reject(report.server);
        continue;
      }
      if (!services.has(s.workloadId)) services.set(s.workloadId, { service: s, server: report.server });
    }
    for (const n of report.interruptions) {
      if (!isSafeId(n.instanceId) || (n.workloadId !== null && !isSafeId(n.workloadId)) || !time(n.atMs)) {
        reject(report.server);
        continue;
      }
      if (n.workloadId === null) continue;
      const list = interruptions.get(n.workloadId);
      const notice = { ...n, server: report.server };
      if (list) list.push(notice);
      else interruptions.set(n.workloadId, [notice]);
    }
  }

  let anyRegionDown = false;
  let anyStockout = false;
  for (const r of regions.values()) {
    anyRegionDown ||= r.down;
    anyStockout ||= r.stockouts.size > 0;
  }

  const drift = new Map<string, DriftReport>();
  for (const d of snapshot.drift) {
    if (!believed(d.server)) continue;
    if (!isSafeId(d.workloadId) || !nonNegative(d.predictionPsi) || !d.features.every((f) => nonNegative(f.psi)) || !time(d.atMs)) {
      reject(d.server);
      continue;
    }
    const seen = drift.get(d.workloadId);
    if (!seen || d.atMs > seen.atMs) drift.set(d.workloadId, d);
  }

  return { atMs: snapshot.atMs, workloads, workloadById, instancesByWorkload, orphans, liveInstances, endedInstanceIds, offerById, offersByAccelerator, regions, anyRegionDown, anyStockout, services, interruptions, drift, rejected, sources };
}

/** Sorts by id in place; lists that come sorted (most do) are left alone without the sort's allocations. */
function sortById(list: { id: string }[]): void {
  for (let k = 1; k < list.length; k++) {
    if (list[k - 1]!.id > list[k]!.id) {
      list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return;
    }
  }
}

/** Whether a placement in `cloud/region` is allowed by a residency list (geos or region names; empty: anywhere). */
export function withinResidency(residency: readonly string[], region: string, geo: Geo): boolean {
  if (residency.length === 0) return true;
  for (const entry of residency) if (entry === geo || entry === region) return true;
  return false;
}
