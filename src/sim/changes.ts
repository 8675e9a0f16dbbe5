declare const recordKind: unique symbol;

/**
 * A workload or an instance as a reader of `WorldChanges` holds it: its id, and what the world's accessors of
 * accruing values (`World.instanceCostUsd` and the like) take without looking it up. A reader asks them of
 * every record each time it reads them all (~29,000 instances at 10,000 workloads), where a lookup by id
 * each doubled what the sim tool server spends on `list_instances` a tick (3 → 7.5 ms). Opaque: only the world
 * that gave it reads it.
 */
export interface WorkloadHandle {
  readonly id: string;
  readonly [recordKind]: "workload";
}
export interface InstanceHandle {
  readonly id: string;
  readonly [recordKind]: "instance";
}

/**
 * What the world changed since the last `World.takeChanges()` (since it was built, for the first: then every
 * record is new, and named). A reader that keeps copies of what the world reports (the sim tool server's
 * incremental answers) looks again only at the records named here, so the world names a record wherever it
 * changes something that record reports. Marking more than changed costs the reader time (it compares and
 * finds the record as it was); marking less is a change the reader never looks at: a lost delta
 * (test/sim/listing.test.ts follows a world through every kind of change). What accrues with the clock is
 * never named: cost so far, a training job's progress, and with it the checkpointed hours of a job that runs.
 */
export interface WorldChanges {
  /** Workloads whose status, cost and progress apart, may differ. */
  workloads: WorkloadHandle[];
  /**
   * Instances launched, or whose record, cost apart, may differ (its state, notice, price or note label);
   * the launched in the order they were launched. An instance that ended is not named again.
   */
  instances: InstanceHandle[];
  /** Instances given a spot interruption notice. */
  notices: InstanceHandle[];
  /** Instances that ended, in the order they ended. */
  ended: InstanceHandle[];
  /** Ids of offers whose quote may differ. */
  offers: string[];
  /** Ids of serving workloads whose service level or replicas' health may differ (a replica added included). */
  health: string[];
  /** Ids of serving workloads whose model version or drift may differ. */
  models: string[];
}

/** The world's side of `WorldChanges`: sets, so a record changed many times between two takes is named once. */
export class ChangeFeed {
  private workloads = new Set<WorkloadHandle>();
  private instances = new Set<InstanceHandle>();
  private notices: InstanceHandle[] = [];
  private ended: InstanceHandle[] = [];
  private offers = new Set<string>();
  private health = new Set<string>();
  private models = new Set<string>();

  workload(ws: WorkloadHandle): void {
    this.workloads.add(ws);
  }

  instance(inst: InstanceHandle): void {
    this.instances.add(inst);
  }

  /** An instance got its notice (once in its life: a notice is never withdrawn). */
  notice(inst: InstanceHandle): void {
    this.notices.push(inst);
  }

  /** An instance ended (once in its life). */
  end(inst: InstanceHandle): void {
    this.ended.push(inst);
  }

  offer(id: string): void {
    this.offers.add(id);
  }

  service(id: string): void {
    this.health.add(id);
  }

  model(id: string): void {
    this.models.add(id);
  }

  take(): WorldChanges {
    const changes: WorldChanges = {
      workloads: [...this.workloads],
      instances: [...this.instances],
      notices: this.notices,
      ended: this.ended,
      offers: [...this.offers],
      health: [...this.health],
      models: [...this.models],
    };
    this.workloads = new Set();
    this.instances = new Set();
    this.notices = [];
    this.ended = [];
    this.offers = new Set();
    this.health = new Set();
    this.models = new Set();
    return changes;
  }
}
