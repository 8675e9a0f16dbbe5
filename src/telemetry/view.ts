import {
  geoOfRegion,
  mergeRegionHealth,
  type RegionView,
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

export interface OfferView {
  offer: SnapshotOffer;
  location: string;
  geo: Geo;
}

/**
 * A workload with what else the snapshot says about it, gathered while the view is built so that the
 * detectors, which go through every workload, look nothing up by id.
 */
export interface WorkloadView {
  workload: SnapshotWorkload;
  /** Live (provisioning or running) instances, sorted by id. */
  instances: SnapshotInstance[];
  /** Its line in a health report (the first believed one to list it), and that report's server. */
  service: Service | null;
  serviceServer: string;
  /** Its latest drift report. */
  drift: DriftReport | null;
}

/**
 * One snapshot, indexed once per tick for the detectors: only records from sources that answered, only
 * records whose numbers are sane and whose identifiers (ids, locations, instance types) look like
 * identifiers. Accelerator names are matched, never trusted as identifiers: real ones have spaces. Everything else is counted
 * as rejected (a telemetry-invalid finding) and never reaches a detector.
 */
export interface SnapshotView {
  atMs: number;
  /** In the snapshot's order; where two servers report one workload id, the first. */
  workloads: WorkloadView[];
  workloadById: Map<string, WorkloadView>;
  /** Live instances naming a workload id that is not listed (or not believed), by that id, sorted by id. */
  instancesOfUnlisted: Map<string, SnapshotInstance[]>;
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
  /** Interruption notices from health reports, by workload id. */
  interruptions: Map<string, (InterruptionNotice & { server: string })[]>;
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

/**
 * `passed`: the deployment locations and instance types that passed already in this view, which need no
 * second look (a fleet has thousands of deployments, and a few dozen of each).
 */
function validWorkload(w: SnapshotWorkload, passed: { locations: Set<string>; instanceTypes: Set<string> }): boolean {
  if (!isSafeId(w.id) || !Number.isInteger(w.gpu.count) || w.gpu.count <= 0) return false;
  if (!nonNegative(w.costUsd) || !usdRate(w.usdPerHour)) return false;
  if (!nullable(w.progressHours, nonNegative) || !nullable(w.checkpointedHours, nonNegative) || !nullable(w.workHours, nonNegative)) return false;
  if (!nullable(w.deadlineMs, time) || !nullable(w.rps, nonNegative) || !nullable(w.replicaRps, (x) => nonNegative(x) && x > 0)) return false;
  if (!nullable(w.sloP99Ms, (x) => nonNegative(x) && x > 0)) return false;
  for (const d of w.deployments) {
    if (!passed.locations.has(d.location)) {
      if (!LOCATION.test(d.location)) return false;
      passed.locations.add(d.location);
    }
    if (!passed.instanceTypes.has(d.instanceType)) {
      if (!isSafeId(d.instanceType)) return false;
      passed.instanceTypes.add(d.instanceType);
    }
    if (!Number.isInteger(d.replicas) || d.replicas < 0 || !Number.isInteger(d.healthyReplicas) || d.healthyReplicas < 0) return false;
    if (!nonNegative(d.trafficWeight) || d.trafficWeight > 100) return false;
  }
  return true;
}

/** `checkedWorkloadId`, `checkedInstanceType`: values that passed already, which need no second look. */
function validInstance(i: SnapshotInstance, checkedWorkloadId: string | null, checkedInstanceType: string | null): boolean {
  return (
    isSafeId(i.id) &&
    (i.workloadId === null || i.workloadId === checkedWorkloadId || isSafeId(i.workloadId)) &&
    (i.instanceType === checkedInstanceType || isSafeId(i.instanceType)) &&
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
  // (every source answered, the usual tick: nothing to look up)
  const anyFailed = sources.failed.size > 0;
  const believed = (server: string): boolean => !anyFailed || !sources.failed.has(server);

  const workloads: WorkloadView[] = [];
  const workloadById = new Map<string, WorkloadView>();
  const passed = { locations: new Set<string>(), instanceTypes: new Set<string>() };
  for (const w of snapshot.workloads) {
    if (!believed(w.server)) continue;
    if (!validWorkload(w, passed)) {
      reject(w.server);
      continue;
    }
    if (workloadById.has(w.id)) continue; // the first server to report a workload speaks for it
    const entry: WorkloadView = { workload: w, instances: [], service: null, serviceServer: "", drift: null };
    workloadById.set(w.id, entry);
    workloads.push(entry);
  }

  const instancesOfUnlisted = new Map<string, SnapshotInstance[]>();
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
  // A workload's instances mostly come one after another (launched together, listed by id) with one
  // instance type: what the previous instance had (its workload id and type, both checked; its workload's
  // list) is reused rather than checked and looked up again. Lists are sorted by id at the end, only those
  // that did not come sorted (each instance is compared with the last as it is added, while it is at hand).
  const unsorted = new Set<SnapshotInstance[]>();
  const add = (list: SnapshotInstance[], i: SnapshotInstance): void => {
    if (list.length > 0 && list[list.length - 1]!.id > i.id) unsorted.add(list);
    list.push(i);
  };
  let runWorkloadId: string | null = null;
  let runInstanceType: string | null = null;
  let runList: SnapshotInstance[] = [];
  let runCompleted = false;
  for (const i of snapshot.instances) {
    if (!believed(i.server)) continue;
    if (!validInstance(i, runWorkloadId, runInstanceType)) {
      reject(i.server);
      continue;
    }
    runInstanceType = i.instanceType;
    if (i.endedAtMs !== null || (i.state !== "running" && i.state !== "provisioning")) {
      endedInstanceIds.add(i.id);
      continue;
    }
    if (seenInstances !== null) {
      if (seenInstances.has(i.id)) continue;
      seenInstances.add(i.id);
    }
    liveInstances.push(i);
    if (i.workloadId === null) {
      add(orphans, i);
      continue;
    }
    if (i.workloadId !== runWorkloadId) {
      runWorkloadId = i.workloadId;
      const entry = workloadById.get(i.workloadId);
      // a completed training job's instances serve nothing: orphans too
      runCompleted = entry?.workload.state === "completed";
      if (entry) runList = entry.instances;
      else {
        const seen = instancesOfUnlisted.get(i.workloadId);
        if (seen) runList = seen;
        else instancesOfUnlisted.set(i.workloadId, (runList = []));
      }
    }
    if (runCompleted) add(orphans, i);
    add(runList, i);
  }
  for (const list of unsorted) list.sort(byId);

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
  const interruptions = new Map<string, (InterruptionNotice & { server: string })[]>();
  for (const report of snapshot.health) {
    if (!believed(report.server)) continue;
    for (const r of report.regions) {
      if (!nonNegative(r.addedLatencyMs)) {
        reject(report.server);
        continue;
      }
      mergeRegionHealth(regions, report.server, r);
    }
    for (const s of report.services) {
      // the id of a listed workload was checked with it; a line about another one is checked, and then read by no detector
      const entry = workloadById.get(s.workloadId);
      if ((entry === undefined && !isSafeId(s.workloadId)) || !nonNegative(s.demandRps) || !nonNegative(s.servedWithinSloRps) || !nonNegative(s.latencyP99Ms)) {
        reject(report.server);
        continue;
      }
      if (entry !== undefined && entry.service === null) {
        entry.service = s;
        entry.serviceServer = report.server;
      }
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

  for (const d of snapshot.drift) {
    if (!believed(d.server)) continue;
    // as with service lines: the id was checked with its workload, or is checked here (and then read by no detector)
    const entry = workloadById.get(d.workloadId);
    if ((entry === undefined && !isSafeId(d.workloadId)) || !nonNegative(d.predictionPsi) || !d.features.every((f) => nonNegative(f.psi)) || !time(d.atMs)) {
      reject(d.server);
      continue;
    }
    if (entry !== undefined && (entry.drift === null || d.atMs > entry.drift.atMs)) entry.drift = d;
  }

  return { atMs: snapshot.atMs, workloads, workloadById, instancesOfUnlisted, orphans, liveInstances, endedInstanceIds, offerById, offersByAccelerator, regions, anyRegionDown, anyStockout, interruptions, rejected, sources };
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
