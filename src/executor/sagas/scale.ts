import { LIST_INSTANCES, SCALE as SCALE_TOOL, locationKey, type ProposalOf, type ToolArgs } from "../../domain/index.js";
import type { SagaData } from "../../store/executions.js";
import { SagaError } from "../errors.js";
import { defineSaga, done, wait, type SagaStep, type StepContext } from "../saga.js";
import { PROVISION_TIMEOUT_MS, getWorkload } from "./common.js";

type P = ProposalOf<"scale">;

export interface ScaleData extends SagaData {
  /** Replicas in the target location before the change (what compensation restores). */
  previousReplicas?: number;
}

function scaleArgs(ctx: StepContext<P, ScaleData>, replicas: number): ToolArgs<typeof SCALE_TOOL> {
  const t = ctx.proposal.target;
  return { workloadId: ctx.proposal.workloadId, cloud: t.cloud, region: t.region, replicas, spot: t.spot, idempotencyKey: ctx.key };
}

/** Notes the replicas there now: compensation goes back to what was, even if the proposal's `fromReplicas` is stale. */
const recordReplicas: SagaStep<P, ScaleData> = {
  name: "record-replicas",
  async run(ctx) {
    const { target, fromReplicas } = ctx.proposal;
    const at = locationKey(target.cloud, target.region);
    const w = await getWorkload(ctx);
    if (w.kind !== "inference") throw new SagaError("unexpected-state", `${w.id} is a training job; scale changes a serving deployment`, false);
    const replicas = w.deployments.find((d) => d.location === at)?.replicas ?? 0;
    ctx.data.previousReplicas = replicas;
    return done({ location: at, replicas, fromReplicas });
  },
};

const scaleStep: SagaStep<P, ScaleData> = {
  name: "scale",
  async run(ctx) {
    const out = await ctx.call(SCALE_TOOL, scaleArgs(ctx, ctx.proposal.toReplicas));
    const at = locationKey(ctx.proposal.target.cloud, ctx.proposal.target.region);
    return done({ location: at, replicas: out.workload.deployments.find((d) => d.location === at)?.replicas ?? 0 });
  },
  async compensate(ctx) {
    await ctx.call(SCALE_TOOL, scaleArgs(ctx, ctx.data.previousReplicas ?? ctx.proposal.fromReplicas));
  },
};

/** Waits until the deployment has exactly `toReplicas` replicas, all healthy. */
const awaitReplicas: SagaStep<P, ScaleData> = {
  name: "await-replicas",
  timeoutMs: PROVISION_TIMEOUT_MS,
  async run(ctx) {
    const { target, toReplicas, workloadId } = ctx.proposal;
    const at = locationKey(target.cloud, target.region);
    const w = await getWorkload(ctx);
    const d = w.deployments.find((x) => x.location === at);
    const replicas = d?.replicas ?? 0;
    const healthy = d?.healthyReplicas ?? 0;
    if (replicas === toReplicas && healthy >= toReplicas) return done({ location: at, replicas, healthyReplicas: healthy });
    if (replicas < toReplicas) throw new SagaError("unexpected-state", `${at} has ${replicas} replicas of ${workloadId}, fewer than the ${toReplicas} asked for (some ended)`, false, "list_workloads");
    const out = await ctx.call(LIST_INSTANCES, { workloadId, cloud: target.cloud, region: target.region });
    const readyAt = Math.max(0, ...out.instances.filter((i) => i.state === "provisioning").map((i) => i.readyAtMs ?? 0));
    return wait(`${at}: ${healthy} of ${toReplicas} replicas healthy`, readyAt > ctx.nowMs ? readyAt : null);
  },
};

/**
 * scale: note the replicas in the target location, set them to `toReplicas`, wait until all are healthy.
 * Compensation: back to the replicas noted (the proposal's `fromReplicas` if none were noted).
 */
export const SCALE = defineSaga<"scale", ScaleData>({
  type: "scale",
  steps: [recordReplicas, scaleStep, awaitReplicas],
});
