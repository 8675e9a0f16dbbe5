import { OfferQuoteSchema, WorkloadStatusSchema, type DriftReport, type HealthReport, type Instance, type WorkloadStatus } from "../../src/domain/index.js";
import { copyStatus, type InstanceHandle, type OfferQuote, type WorkloadHandle, type World } from "../../src/sim/index.js";
import { sameFields } from "./same.js";

/*
 * Incremental listing (src/domain/contract/listing.ts), the world's side: what changed since an
 * earlier listing. One `WorldListings` per world, shared by every MCP session of the process; each session's
 * revision chains (listing.ts) sit on top and hand it the mark of their last answer.
 *
 * Every listing takes a new mark and compares each record with how the last listing (of any caller) saw it:
 * a record that differs gets the new mark as its `rev`, so a caller whose last listing had mark S is sent
 * exactly the records with rev > S. Records that changed and changed back between two listings are not sent:
 * they are as that caller has them. Only the records the world named as changed since (`World.takeChanges`)
 * are compared, so a listing costs what changed plus the accruing columns of the rest. Nothing here changes
 * what the world simulates.
 */

/**
 * `delta` false: the records are the whole list (no `since`, or one no longer answered); true: only records new
 * or changed in anything but their accruing fields, with `removed` naming those gone and `accrued` the accruing
 * fields of every other record.
 */
export interface InstanceChanges {
  mark: number;
  delta: boolean;
  instances: Instance[];
  removed: string[];
  accrued: { ids: string[]; costUsd: number[] };
}

export interface WorkloadChanges {
  mark: number;
  delta: boolean;
  workloads: WorkloadStatus[];
  accrued: { ids: string[]; costUsd: number[]; progressHours: (number | null)[] };
}

/** Regions are always the whole list; replicas, notices and services are changes in a delta. */
export interface HealthChanges {
  mark: number;
  delta: boolean;
  report: HealthReport;
  removed: { replicas: string[]; interruptions: string[]; services: string[] };
}

export interface OfferChanges {
  mark: number;
  delta: boolean;
  offers: OfferQuote[];
}

export interface DriftChanges {
  mark: number;
  delta: boolean;
  reports: DriftReport[];
}

type Replica = HealthReport["replicas"][number];
type Service = HealthReport["services"][number];
type Notice = HealthReport["interruptions"][number];

/** How many instances' ends are kept to answer deltas with (marks older than the oldest kept get full listings). */
const MAX_ENDED_LOG = 200_000;

/** A record as the last listing that compared it saw it, and `rev`, the mark of the listing that first saw it so. */
interface Seen<T> {
  value: T;
  rev: number;
}

interface WorkloadSide {
  id: string;
  workload: WorkloadHandle;
  seen: Seen<WorkloadStatus> | null;
  /** Named as changed since it was last compared. */
  stale: boolean;
}

interface OfferSide {
  id: string;
  seen: Seen<OfferQuote> | null;
  stale: boolean;
}

interface ServiceSide {
  id: string;
  service: Seen<Service> | null;
  healthStale: boolean;
  /** The newest `rev` of its service's and replicas' health: a listing since a later mark skips them all. */
  healthRev: number;
  /** Its replicas, as the world orders them (launch order). */
  replicas: InstanceSide[];
  model: Seen<{ version: string; psi: number }> | null;
  modelStale: boolean;
}

/**
 * A live instance: how listings saw it as an instance (what of its record changes, cost apart), a serving
 * replica and an interruption notice. `firstRev`: the mark of the first listing that saw it so at all (a delta
 * since an earlier mark never had it, so is not told it ended).
 */
interface InstanceSide {
  id: string;
  inst: InstanceHandle;
  /** Its place in launch order (notices are listed in it). */
  order: number;
  instance: { state: Instance["state"]; interruptionAtMs: number | null; usdPerHour: number; note: string | undefined; rev: number; firstRev: number } | null;
  stale: boolean;
  replica: (Seen<Replica> & { firstRev: number }) | null;
  /** The service whose replica it is. */
  service: ServiceSide | null;
  /** Its interruption notice (made when first sent), and the first listing that saw it. */
  notice: Notice | null;
  noticeFirstRev: number | null;
}

/** Every field of an offer's quote. */
const QUOTE_FIELDS: readonly string[] = Object.keys(OfferQuoteSchema.shape);

/** What makes a workload's status change for incremental listing: every field but the accruing cost and progress. */
const STATUS_FIELDS: readonly string[] = Object.keys(WorkloadStatusSchema.shape).filter((f) => f !== "costUsd" && f !== "progressHours");

/** The incremental listings of one world (see the comment at the top). */
export class WorldListings {
  private mark = 0;
  /** Ends of instances a listing had seen, oldest first, each with the first marks that saw it and the mark that saw it gone. */
  private endedLog: { id: string; instance: number | null; replica: number | null; notice: number | null; endRev: number }[] = [];
  private endedPrunedThrough = 0;
  /** Side tables, in the world's order: workloads (fleet order), offers, serving workloads; live instances in launch order. */
  private readonly workloads: WorkloadSide[] = [];
  private readonly offers: OfferSide[] = [];
  private readonly services: ServiceSide[] = [];
  private readonly workloadById = new Map<string, WorkloadSide>();
  private readonly offerById = new Map<string, OfferSide>();
  private readonly serviceById = new Map<string, ServiceSide>();
  private readonly live = new Map<string, InstanceSide>();
  /** Live instances with an interruption notice. */
  private readonly noticed = new Set<InstanceSide>();
  private launched = 0;

  /**
   * Takes over `world`'s changes: it must be their one reader (two would each see part of them), from the world's
   * start (the first take names every instance there is; workloads, offers and services are listed here).
   */
  constructor(private readonly world: World) {
    for (const workload of world.workloadHandles()) {
      const id = workload.id;
      const side: WorkloadSide = { id, workload, seen: null, stale: true };
      this.workloads.push(side);
      this.workloadById.set(id, side);
    }
    for (const { id } of world.listOffers()) {
      const side: OfferSide = { id, seen: null, stale: true };
      this.offers.push(side);
      this.offerById.set(id, side);
    }
    for (const id of world.serviceIds()) {
      const side: ServiceSide = { id, service: null, healthStale: true, healthRev: 0, replicas: [], model: null, modelStale: true };
      this.services.push(side);
      this.serviceById.set(id, side);
    }
  }

  private launch(inst: InstanceHandle): InstanceSide {
    const side: InstanceSide = { id: inst.id, inst, order: this.launched++, instance: null, stale: false, replica: null, service: null, notice: null, noticeFirstRev: null };
    this.live.set(inst.id, side);
    return side;
  }

  /** Starts a listing: its mark; what the world changed since the last one is marked stale, instances ended move to the log of ends. */
  private beginListing(): number {
    const mark = ++this.mark;
    const changes = this.world.takeChanges();
    for (const { id } of changes.workloads) this.workloadById.get(id)!.stale = true;
    for (const id of changes.offers) this.offerById.get(id)!.stale = true;
    for (const id of changes.health) this.serviceById.get(id)!.healthStale = true;
    for (const id of changes.models) this.serviceById.get(id)!.modelStale = true;
    for (const inst of changes.instances) {
      const side = this.live.get(inst.id);
      if (side !== undefined) side.stale = true;
      else this.launch(inst);
    }
    for (const { id } of changes.notices) {
      const side = this.live.get(id);
      if (side !== undefined) this.noticed.add(side);
    }
    for (const { id } of changes.ended) {
      const side = this.live.get(id);
      if (side === undefined) continue;
      if (side.instance !== null || side.replica !== null || side.noticeFirstRev !== null) {
        this.endedLog.push({ id, instance: side.instance?.firstRev ?? null, replica: side.replica?.firstRev ?? null, notice: side.noticeFirstRev, endRev: mark });
      }
      this.live.delete(id);
      this.noticed.delete(side);
      const replicas = side.service?.replicas ?? [];
      const at = replicas.indexOf(side);
      if (at >= 0) replicas.splice(at, 1);
    }
    if (this.endedLog.length > MAX_ENDED_LOG) {
      const cut = this.endedLog.length - MAX_ENDED_LOG / 2;
      this.endedPrunedThrough = this.endedLog[cut - 1]!.endRev;
      this.endedLog.splice(0, cut);
    }
    return mark;
  }

  /** Whether a listing can answer what changed since mark `since` (a mark it gave, whose ends it still has). */
  private answersSince(since: number | null | undefined): since is number {
    return since !== null && since !== undefined && Number.isInteger(since) && since >= this.endedPrunedThrough && since < this.mark;
  }

  /** Ends since `since` of instances that a listing had seen as `kind` (at or before `since`). */
  private endedSince(since: number, kind: "instance" | "replica" | "notice"): string[] {
    const out: string[] = [];
    for (let i = this.endedLog.length - 1; i >= 0; i--) {
      const e = this.endedLog[i]!;
      if (e.endRev <= since) break;
      const first = e[kind];
      if (first !== null && first <= since) out.push(e.id);
    }
    return out.reverse();
  }

  /** `list_offers` (every offer) as changes since the listing of mark `since`. */
  listOfferChanges(since?: number | null): OfferChanges {
    const mark = this.beginListing();
    const delta = this.answersSince(since);
    const all = delta ? null : this.world.listOffers();
    const offers: OfferQuote[] = [];
    for (let i = 0; i < this.offers.length; i++) {
      const side = this.offers[i]!;
      if (side.stale) {
        const quote = this.world.getOffer(side.id)!;
        if (side.seen === null || !sameFields(side.seen.value, quote, QUOTE_FIELDS)) side.seen = { value: quote, rev: mark };
        side.stale = false;
      }
      if (!delta || side.seen!.rev > since) offers.push(all?.[i] ?? this.world.getOffer(side.id)!);
    }
    return { mark, delta, offers };
  }

  /** `list_instances` (live ones) as changes since the listing of mark `since`; see `InstanceChanges`. */
  listInstanceChanges(since?: number | null): InstanceChanges {
    const mark = this.beginListing();
    const delta = this.answersSince(since);
    const out: InstanceChanges = { mark, delta, instances: [], removed: delta ? this.endedSince(since, "instance") : [], accrued: { ids: [], costUsd: [] } };
    for (const side of this.live.values()) {
      let seen = side.instance;
      let record: Instance | null = null;
      if (seen === null || side.stale) {
        record = this.world.getInstance(side.inst);
        const { state, interruptionAtMs, usdPerHour } = record;
        const note = record.labels["note"];
        if (seen === null) side.instance = seen = { state, interruptionAtMs, usdPerHour, note, rev: mark, firstRev: mark };
        else if (seen.state !== state || seen.interruptionAtMs !== interruptionAtMs || seen.usdPerHour !== usdPerHour || seen.note !== note) {
          Object.assign(seen, { state, interruptionAtMs, usdPerHour, note, rev: mark });
        }
        side.stale = false;
      }
      if (!delta || seen.rev > since) out.instances.push(record ?? this.world.getInstance(side.inst));
      else {
        out.accrued.ids.push(side.id);
        out.accrued.costUsd.push(this.world.instanceCostUsd(side.inst));
      }
    }
    return out;
  }

  /** `list_workloads` as changes since the listing of mark `since`; see `WorkloadChanges`. */
  listWorkloadChanges(since?: number | null): WorkloadChanges {
    const mark = this.beginListing();
    const delta = this.answersSince(since);
    const out: WorkloadChanges = { mark, delta, workloads: [], accrued: { ids: [], costUsd: [], progressHours: [] } };
    // a full listing hands out every status; a delta builds only those that may have changed or are sent
    const given = delta ? null : this.world.listWorkloads();
    for (let i = 0; i < this.workloads.length; i++) {
      const side = this.workloads[i]!;
      /** Its status now, where this listing builds it: kept as seen, so never handed out itself. */
      let status: WorkloadStatus | null = null;
      let seen = side.seen;
      // A running job's checkpointed hours move with its progress, with no change named: look. (Its status says it
      // runs until the world names it again, since the world names a job wherever it starts or stops running.)
      if (seen === null || side.stale || (seen.value.kind === "training" && seen.value.state === "running" && this.world.checkpointedHours(side.workload) !== seen.value.checkpointedHours)) {
        status = given !== null ? copyStatus(given[i]!) : this.world.getWorkload(side.id);
        if (seen === null) side.seen = seen = { value: status, rev: mark };
        else {
          if (!sameFields(seen.value, status, STATUS_FIELDS)) seen.rev = mark;
          seen.value = status;
        }
        side.stale = false;
      }
      if (!delta || seen.rev > since) out.workloads.push(given?.[i] ?? (status !== null ? copyStatus(status) : this.world.getWorkload(side.id)));
      else {
        out.accrued.ids.push(side.id);
        out.accrued.costUsd.push(status?.costUsd ?? this.world.workloadCostUsd(side.workload));
        out.accrued.progressHours.push(this.world.progressHours(side.workload));
      }
    }
    return out;
  }

  /** `get_health` (every region) as changes since the listing of mark `since`; see `HealthChanges`. */
  getHealthChanges(since?: number | null): HealthChanges {
    const mark = this.beginListing();
    const delta = this.answersSince(since);
    if (!delta) {
      const report = this.world.getHealth();
      // every record as this listing saw it, for the next delta
      this.listHealth(mark, null);
      return { mark, delta, report, removed: { replicas: [], interruptions: [], services: [] } };
    }
    const { replicas, services, interruptions } = this.listHealth(mark, since);
    return {
      mark,
      delta,
      report: { atMs: this.world.nowMs, regions: this.world.getRegionHealth(), replicas, interruptions, services },
      removed: { replicas: this.endedSince(since, "replica"), interruptions: this.endedSince(since, "notice"), services: [] },
    };
  }

  /**
   * Works out the health of every service and replica that may have changed (`healthStale`), compares each
   * with how the last listing saw it, and returns those changed since `since` (with `since` null, nothing: the
   * caller lists all). The others are as listed, so what is sent of them comes from there.
   */
  private listHealth(mark: number, since: number | null): Pick<HealthReport, "replicas" | "services" | "interruptions"> {
    const out: Pick<HealthReport, "replicas" | "services" | "interruptions"> = { replicas: [], services: [], interruptions: [] };
    for (const svc of this.services) {
      if (svc.healthStale) this.relistHealth(svc, mark);
      if (since === null || svc.healthRev <= since) continue;
      const service = svc.service!;
      if (service.rev > since) out.services.push({ ...service.value });
      for (const inst of svc.replicas) {
        const r = inst.replica!;
        if (r.rev > since) out.replicas.push({ ...r.value });
      }
    }
    const sent: InstanceSide[] = [];
    for (const side of this.noticed) {
      side.noticeFirstRev ??= mark;
      if (since !== null && side.noticeFirstRev > since) sent.push(side);
    }
    // in launch order, as the world lists instances
    sent.sort((a, b) => a.order - b.order);
    for (const side of sent) out.interruptions.push({ ...this.noticeOf(side) });
    return out;
  }

  private noticeOf(side: InstanceSide): Notice {
    if (side.notice === null) {
      const inst = this.world.getInstance(side.inst);
      side.notice = { instanceId: inst.id, workloadId: inst.workloadId, cloud: inst.cloud, region: inst.region, atMs: inst.interruptionAtMs! };
    }
    return side.notice;
  }

  /** Compares a service's health and its replicas' with how the last listing saw them; what differs gets `mark`. */
  private relistHealth(svc: ServiceSide, mark: number): void {
    const level = this.world.getServiceLevel(svc.id);
    const seen = svc.service;
    if (seen === null || seen.value.demandRps !== level.demandRps || seen.value.servedWithinSloRps !== level.servedWithinSloRps || seen.value.latencyP99Ms !== level.latencyP99Ms) {
      svc.service = { value: level, rev: mark };
      svc.healthRev = mark;
    }
    svc.replicas = [];
    for (const value of this.world.getReplicaHealth(svc.id)) {
      const inst = this.live.get(value.instanceId)!;
      inst.service = svc;
      svc.replicas.push(inst);
      const r = inst.replica;
      if (r === null) inst.replica = { value, rev: mark, firstRev: mark };
      else if (r.value.state !== value.state || r.value.latencyP99Ms !== value.latencyP99Ms || r.value.servedRps !== value.servedRps) Object.assign(r, { value, rev: mark });
      else continue;
      svc.healthRev = mark;
    }
    svc.healthStale = false;
  }

  /** `get_drift` of every serving workload as changes since the listing of mark `since` (a report's atMs is no change). */
  getDriftChanges(since?: number | null): DriftChanges {
    const mark = this.beginListing();
    const delta = this.answersSince(since);
    const reports: DriftReport[] = [];
    for (const svc of this.services) {
      let report: DriftReport | null = null;
      if (svc.modelStale) {
        report = this.world.getDrift(svc.id);
        const seen = svc.model;
        if (seen === null || seen.value.version !== report.modelVersion || seen.value.psi !== report.predictionPsi) svc.model = { value: { version: report.modelVersion, psi: report.predictionPsi }, rev: mark };
        svc.modelStale = false;
      }
      if (!delta || svc.model!.rev > since) reports.push(report ?? this.world.getDrift(svc.id));
    }
    return { mark, delta, reports };
  }
}
