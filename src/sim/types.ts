import type { Cloud, GpuShape, Offer } from "../domain/index.js";

/** One line of the simulator's event log. Same seed and timeline → the same log, bit for bit. */
export interface SimEvent {
  seq: number;
  atMs: number;
  type: SimEventType;
  workloadId?: string;
  instanceId?: string;
  cloud?: Cloud;
  region?: string;
  detail?: string;
  value?: number;
}

export type SimEventType =
  | "world-started"
  | "instance-launched"
  | "instance-ready"
  | "instance-terminated"
  | "instance-preempted"
  | "interruption-notice"
  | "spot-availability-changed"
  | "price-event-started"
  | "price-event-ended"
  | "outage-started"
  | "outage-ended"
  | "stockout-started"
  | "stockout-ended"
  | "latency-started"
  | "latency-ended"
  | "traffic-started"
  | "traffic-ended"
  | "drift-set"
  | "note-added"
  | "preempt-ignored"
  | "training-stopped"
  | "training-resumed"
  | "training-completed"
  | "deadline-missed"
  | "checkpoint-requested"
  | "checkpoint-written"
  | "egress-charged"
  | "traffic-weights-set"
  | "model-version-set"
  | "scaled";

/** An offer with the prices and spot availability in force now. */
export interface OfferQuote extends Offer {
  /** Spot price in force now (after replayed history and price events), USD/hour; null if not sold. */
  spotUsdPerHourNow: number | null;
  /** On-demand price in force now, USD/hour; null if not sold. */
  onDemandUsdPerHourNow: number | null;
  /** Share of spot capacity available now (0..1), from the replayed availability trace. */
  spotAvailability: number;
  /** Whether a launch here can succeed now (region up, not stocked out); a spot launch also needs spotAvailability > 0. */
  launchable: boolean;
  /** Where this offer's spot price and availability come from (trace ids), for transparency. */
  spotPriceSource: string | null;
  spotAvailabilitySource: string | null;
}

export interface LaunchRequest {
  cloud: Cloud;
  region: string;
  zone?: string | undefined;
  /** Either an instance type … */
  instanceType?: string | undefined;
  /** … or an accelerator shape: the cheapest offer with it is chosen (count in `gpu` is per instance). */
  gpu?: GpuShape | undefined;
  spot: boolean;
  /** Number of instances. */
  count: number;
  workloadId?: string | null | undefined;
  idempotencyKey: string;
}

export interface CheckpointInfo {
  uri: string;
  workloadId: string;
  progressHours: number;
  gb: number;
  cloud: Cloud;
  region: string;
  requestedAtMs: number;
  readyAtMs: number;
  ready: boolean;
}

export interface ResumeResult {
  workloadId: string;
  checkpointUri: string;
  progressHours: number;
  fromRegion: string;
  toRegion: string;
  egressGb: number;
  egressUsd: number;
  transferMs: number;
  resumesAtMs: number;
  instanceIds: string[];
}

export interface Totals {
  atMs: number;
  /** Instance-hours × price in force, USD. */
  computeUsd: number;
  /** Checkpoint transfers, USD. */
  egressUsd: number;
  costUsd: number;
  liveInstances: number;
  deadlinesMissed: number;
  trainingCompleted: number;
  /** Per inference workload: share of demand served within SLO so far. */
  availability: Record<string, number>;
  perWorkloadCostUsd: Record<string, number>;
}
