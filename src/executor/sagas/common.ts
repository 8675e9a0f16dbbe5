import {
  LAUNCH,
  LIST_INSTANCES,
  LIST_OFFERS,
  LIST_WORKLOADS,
  RESUME_FROM_CHECKPOINT,
  TERMINATE,
  locationKey,
  type GpuShape,
  type Instance,
  type Placement,
  type Proposal,
  type ToolArgs,
  type WorkloadStatus,
} from "../../domain/index.js";
import type { SagaData } from "../../store/executions.js";
import { SagaError } from "../errors.js";
import { done, wait, type SagaStep, type StepContext } from "../saga.js";

/*
 * Steps that several sagas share: inspecting the workload, launching instances for it and undoing that,
 * waiting for them, resuming a training job on them and waiting for it to run, and draining what it ran on
 * before. Each reads and writes the saga variables declared here.
 */

export const MINUTE_MS = 60_000;
/** Longest wait for launched instances to be ready (clouds take 1-2 minutes; stock-outs can stall them). */
export const PROVISION_TIMEOUT_MS = 30 * MINUTE_MS;
/** Longest wait for a checkpoint write or for a job to restart from one (transfer + restart). */
export const TRANSFER_TIMEOUT_MS = 2 * 60 * MINUTE_MS;
/** How long a verification may wait for the world to settle before it fails, and how often it looks. */
export const SETTLE_MS = 5 * MINUTE_MS;
export const SETTLE_POLL_MS = 30_000;

/** What the sagas remember about the workload when they start. */
export interface WorkloadFacts {
  kind: WorkloadStatus["kind"];
  gpu: GpuShape;
  state: WorkloadStatus["state"];
  /** `cloud/region` where it runs (training: the active placement), empty when nowhere. */
  locations: string[];
  checkpointedHours: number | null;
  progressHours: number | null;
}

export interface LaunchData extends SagaData {
  workload?: WorkloadFacts;
  launched?: { ids: string[]; location: string };
  resume?: { checkpointUri: string; progressHours: number; resumesAtMs: number; toRegion: string; egressUsd: number };
  /** Instances the job ran on before, to drain: chosen once, so a re-run terminates the same set under the same key. */
  drainIds?: string[];
}

type Ctx<P extends Proposal, D extends SagaData> = StepContext<P, D>;

export async function getWorkload<P extends Proposal, D extends SagaData>(ctx: Ctx<P, D>): Promise<WorkloadStatus> {
  const out = await ctx.call(LIST_WORKLOADS, { workloadId: ctx.proposal.workloadId });
  const w = out.workloads.find((x) => x.id === ctx.proposal.workloadId);
  if (!w) throw new SagaError("unexpected-state", `workload "${ctx.proposal.workloadId}" is not listed`, false, "list_workloads");
  return w;
}

export function facts(w: WorkloadStatus): WorkloadFacts {
  return {
    kind: w.kind,
    gpu: w.gpu,
    state: w.state,
    locations: w.deployments.filter((d) => d.replicas > 0).map((d) => d.location),
    checkpointedHours: w.checkpointedHours,
    progressHours: w.progressHours,
  };
}

export function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new SagaError("unexpected-state", `saga data has no ${what} (a step ran out of order)`, false);
  return value;
}

/** Every instance of the workload, ended ones too (so a set found by it does not change as they end). */
async function allInstances<P extends Proposal, D extends SagaData>(ctx: Ctx<P, D>): Promise<Instance[]> {
  const out = await ctx.call(LIST_INSTANCES, { workloadId: ctx.proposal.workloadId, includeEnded: true });
  return out.instances;
}

/**
 * Instances per launch: with an instance type pinned, as many as the workload's accelerators need (from the
 * offer's accelerator count); by accelerator shape, one instance that has the whole shape. Both depend only
 * on static facts, so a re-run sends the same launch arguments (the key would refuse others).
 */
async function nodesFor<P extends Proposal, D extends SagaData>(ctx: Ctx<P, D>, target: Placement, gpu: GpuShape): Promise<number> {
  if (target.instanceType === undefined) return 1;
  const out = await ctx.call(LIST_OFFERS, { cloud: target.cloud, region: target.region });
  const offer = out.offers.find((o) => o.instanceType === target.instanceType);
  if (!offer) throw new SagaError("unexpected-state", `${target.cloud}/${target.region} has no instance type ${target.instanceType}`, false, "list_offers");
  if (offer.acceleratorCount === 0) throw new SagaError("unexpected-state", `${target.instanceType} has no accelerator; the workload needs ${gpu.name}:${gpu.count}`, false, "list_offers");
  return Math.ceil(gpu.count / offer.acceleratorCount);
}

/** Inspects the workload and records what the later steps need; `check` refuses a world that changed. */
export function inspectWorkload<P extends Proposal, D extends LaunchData>(check: (w: WorkloadStatus, ctx: Ctx<P, D>) => void): SagaStep<P, D> {
  return {
    name: "inspect-workload",
    async run(ctx) {
      const w = await getWorkload(ctx);
      check(w, ctx);
      ctx.data.workload = facts(w);
      return done(ctx.data.workload);
    },
  };
}

/**
 * Launches the target instances for the workload (labelled with it). Compensation terminates every
 * instance this step's key launched, found by that key among the workload's instances, ended ones
 * included: a launch whose answer was lost is undone too, and the set (so the terminate call) is the same
 * on every re-run.
 */
export function launchStep<P extends Proposal, D extends LaunchData>(
  name: string,
  target: (p: P) => Placement,
  count: ((ctx: Ctx<P, D>, gpu: GpuShape) => Promise<number>) | null,
): SagaStep<P, D> {
  return {
    name,
    async run(ctx) {
      const place = target(ctx.proposal);
      const gpu = need(ctx.data.workload, "workload facts").gpu;
      const n = count ? await count(ctx, gpu) : await nodesFor(ctx, place, gpu);
      const args: ToolArgs<typeof LAUNCH> = {
        cloud: place.cloud,
        region: place.region,
        ...(place.zone !== undefined ? { zone: place.zone } : {}),
        ...(place.instanceType !== undefined ? { instanceType: place.instanceType } : { gpu }),
        spot: place.spot,
        count: n,
        workloadId: ctx.proposal.workloadId,
        idempotencyKey: ctx.key,
      };
      const out = await ctx.call(LAUNCH, args);
      const ids = out.instances.map((i) => i.id).sort();
      ctx.data.launched = { ids, location: locationKey(place.cloud, place.region) };
      return done({ instanceIds: ids, usdPerHour: out.usdPerHour });
    },
    async compensate(ctx) {
      const launchKey = ctx.keyOf(name);
      const byKey = (await allInstances(ctx)).filter((i) => i.idempotencyKey === launchKey);
      const ids = [...new Set([...byKey.map((i) => i.id), ...(ctx.data.launched?.ids ?? [])])].sort();
      if (ids.length === 0) return;
      const live = byKey.filter((i) => i.endedAtMs === null);
      if (live.length === 0 && byKey.length === ids.length) return; // all ended already
      await ctx.call(TERMINATE, { instanceIds: ids, idempotencyKey: ctx.key });
    },
  };
}

/** Waits until every launched instance is running; one that ended (a spot reclaim) fails the step. */
export function awaitInstancesRunning<P extends Proposal, D extends LaunchData>(name: string): SagaStep<P, D> {
  return {
    name,
    timeoutMs: PROVISION_TIMEOUT_MS,
    async run(ctx) {
      const { ids } = need(ctx.data.launched, "launched instances");
      const all = await allInstances(ctx);
      let readyAt = 0;
      for (const id of ids) {
        const inst = all.find((i) => i.id === id);
        if (!inst) throw new SagaError("unexpected-state", `launched instance ${id} is not listed`, false, "list_instances");
        if (inst.endedAtMs !== null) throw new SagaError("unexpected-state", `launched instance ${id} ended (${inst.state}) before the job moved`, false, "list_instances");
        if (inst.state !== "running") readyAt = Math.max(readyAt, inst.readyAtMs ?? 0);
      }
      if (readyAt === 0) return done({ instanceIds: ids });
      return wait(`instances ${ids.join(", ")} provisioning`, readyAt);
    },
  };
}

/**
 * Moves the training job onto the launched instances from a checkpoint (`checkpointUri` null: the newest
 * durable one). No compensation: the job cannot be moved back without another checkpoint; what undoes a
 * failed placement is terminating the launched instances (the launch step's compensation), after which the
 * job restarts from its checkpoint where it can.
 */
export function resumeStep<P extends Proposal, D extends LaunchData>(
  name: string,
  checkpointUri: (ctx: Ctx<P, D>) => string | null,
  options: { pointOfNoReturn: boolean },
): SagaStep<P, D> {
  return {
    name,
    pointOfNoReturn: options.pointOfNoReturn,
    async run(ctx) {
      if (need(ctx.data.workload, "workload facts").kind !== "training") return done({ skipped: "a serving workload has no job to resume" });
      const { ids } = need(ctx.data.launched, "launched instances");
      const uri = checkpointUri(ctx);
      const args: ToolArgs<typeof RESUME_FROM_CHECKPOINT> = { workloadId: ctx.proposal.workloadId, instanceIds: ids, idempotencyKey: ctx.key };
      if (uri !== null) args.checkpointUri = uri;
      const r = await ctx.call(RESUME_FROM_CHECKPOINT, args);
      ctx.data.resume = { checkpointUri: r.checkpointUri, progressHours: r.progressHours, resumesAtMs: r.resumesAtMs, toRegion: r.toRegion, egressUsd: r.egressUsd };
      return done(ctx.data.resume);
    },
  };
}

/** Waits until the job runs on the launched instances (or has completed); a launched node that ended fails it. */
export function awaitJobRunning<P extends Proposal, D extends LaunchData>(name: string, options: { pointOfNoReturn: boolean } = { pointOfNoReturn: false }): SagaStep<P, D> {
  return {
    name,
    timeoutMs: TRANSFER_TIMEOUT_MS,
    pointOfNoReturn: options.pointOfNoReturn,
    async run(ctx) {
      if (need(ctx.data.workload, "workload facts").kind !== "training") return done({ skipped: "a serving workload has no job to wait for" });
      const launched = need(ctx.data.launched, "launched instances");
      const resume = need(ctx.data.resume, "resume result");
      const w = await getWorkload(ctx);
      if (w.state === "completed") return done({ state: w.state, progressHours: w.progressHours });
      if (w.state === "running" && w.deployments.some((d) => d.location === launched.location)) {
        return done({ state: w.state, location: launched.location, progressHours: w.progressHours });
      }
      if (w.state === "resuming") return wait(`${w.id} restarting from ${resume.checkpointUri}`, resume.resumesAtMs);
      const ended = (await allInstances(ctx)).filter((i) => launched.ids.includes(i.id) && i.endedAtMs !== null);
      if (ended.length > 0) {
        throw new SagaError("unexpected-state", `${w.id} stopped on the target: ${ended.map((i) => `${i.id} ${i.state}`).join(", ")}`, false, "list_instances");
      }
      return wait(`${w.id} is ${w.state} on ${launched.location}`, resume.resumesAtMs > ctx.nowMs ? resume.resumesAtMs : null);
    },
  };
}

/**
 * Chooses what to drain: the training job's live instances that are not the launched ones (what it ran
 * on before). Recorded in the saga data before anything is terminated, so a re-run after a crash sends the
 * same set with the same key. A serving workload's other replicas are its deployment: nothing to drain.
 */
export function selectDrain<P extends Proposal, D extends LaunchData>(name: string): SagaStep<P, D> {
  return {
    name,
    async run(ctx) {
      if (need(ctx.data.workload, "workload facts").kind !== "training") {
        ctx.data.drainIds = [];
        return done({ drain: [], skipped: "a serving workload's other replicas stay" });
      }
      const launched = need(ctx.data.launched, "launched instances");
      const out = await ctx.call(LIST_INSTANCES, { workloadId: ctx.proposal.workloadId });
      const ids = out.instances.filter((i) => i.endedAtMs === null && !launched.ids.includes(i.id)).map((i) => i.id).sort();
      ctx.data.drainIds = ids;
      return done({ drain: ids });
    },
  };
}

/** Terminates the instances `selectDrain` chose (none: nothing to do). */
export function terminateDrain<P extends Proposal, D extends LaunchData>(name: string): SagaStep<P, D> {
  return {
    name,
    async run(ctx) {
      const ids = need(ctx.data.drainIds, "instances to drain");
      if (ids.length === 0) return done({ terminated: [] });
      const out = await ctx.call(TERMINATE, { instanceIds: ids, idempotencyKey: ctx.key });
      return done({ terminated: out.instances.map((i) => i.id) });
    },
  };
}
