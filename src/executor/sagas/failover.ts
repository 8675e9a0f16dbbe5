import { GET_HEALTH, SET_TRAFFIC_WEIGHTS, locationKey, type HealthReport, type ProposalOf } from "../../domain/index.js";
import type { SagaData } from "../../store/executions.js";
import { SagaError } from "../errors.js";
import { defineSaga, done, wait, type SagaStep, type StepContext } from "../saga.js";
import { SETTLE_MS, SETTLE_POLL_MS, getWorkload, need } from "./common.js";

type P = ProposalOf<"failover">;

export interface FailoverData extends SagaData {
  /** Traffic weights per deployment before the change, to restore. */
  previousWeights?: Record<string, number>;
  /** Requests/second served within SLO before the change. */
  servedWithinSloBefore?: number;
}

async function service(ctx: StepContext<P, FailoverData>): Promise<{ report: HealthReport; served: number; demand: number }> {
  const report = await ctx.call(GET_HEALTH, {});
  const s = report.services.find((x) => x.workloadId === ctx.proposal.workloadId);
  if (!s) throw new SagaError("unexpected-state", `get_health reports no service for ${ctx.proposal.workloadId}`, false, "get_health");
  return { report, served: s.servedWithinSloRps, demand: s.demandRps };
}

const recordWeights: SagaStep<P, FailoverData> = {
  name: "record-weights",
  async run(ctx) {
    const w = await getWorkload(ctx);
    if (w.kind !== "inference") throw new SagaError("unexpected-state", `${w.id} is a training job; failover shifts a serving workload's traffic`, false);
    const { served } = await service(ctx);
    ctx.data.previousWeights = Object.fromEntries(w.deployments.map((d) => [d.location, d.trafficWeight]));
    ctx.data.servedWithinSloBefore = served;
    return done({ previousWeights: ctx.data.previousWeights, servedWithinSloRps: served });
  },
};

const setWeights: SagaStep<P, FailoverData> = {
  name: "set-weights",
  async run(ctx) {
    const out = await ctx.call(SET_TRAFFIC_WEIGHTS, { workloadId: ctx.proposal.workloadId, weights: ctx.proposal.weights, idempotencyKey: ctx.key });
    return done({ weights: Object.fromEntries(out.workload.deployments.map((d) => [d.location, d.trafficWeight])) });
  },
  async compensate(ctx) {
    const previous = ctx.data.previousWeights;
    // nothing recorded, or nothing to send traffic to: leave the weights as they are
    if (!previous || !Object.values(previous).some((w) => w > 0)) return;
    await ctx.call(SET_TRAFFIC_WEIGHTS, { workloadId: ctx.proposal.workloadId, weights: previous, idempotencyKey: ctx.key });
  },
};

/** Served within SLO went up, or the target deployment has healthy replicas in a region that is up. */
const verifyTraffic: SagaStep<P, FailoverData> = {
  name: "verify-traffic",
  timeoutMs: SETTLE_MS + SETTLE_POLL_MS,
  async run(ctx) {
    const before = need(ctx.data.servedWithinSloBefore, "served within SLO before");
    const { report, served, demand } = await service(ctx);
    const target = locationKey(ctx.proposal.target.cloud, ctx.proposal.target.region);
    const regionUp = report.regions.some((r) => `${r.cloud}/${r.region}` === target && r.state === "up");
    const healthy = report.replicas.filter((r) => r.workloadId === ctx.proposal.workloadId && r.location === target && r.state === "healthy").length;
    const improved = served > before + 1e-9;
    if (improved || (regionUp && healthy > 0)) return done({ servedWithinSloRps: served, demandRps: demand, targetHealthyReplicas: healthy, improved });
    if (ctx.nowMs - ctx.startedAtMs < SETTLE_MS) return wait(`${ctx.proposal.workloadId}: ${served} of ${demand} requests/second within SLO, target ${target} not healthy yet`, ctx.nowMs + SETTLE_POLL_MS);
    throw new SagaError("verification", `after the shift ${ctx.proposal.workloadId} serves ${served} requests/second within SLO (before: ${before}) and ${target} has no healthy replica`, false, "get_health");
  },
};

/**
 * failover: remember the traffic split, shift it, verify the service got better.
 * Compensation: the previous split is restored (also when verification fails).
 */
export const FAILOVER = defineSaga<"failover", FailoverData>({
  type: "failover",
  steps: [recordWeights, setWeights, verifyTraffic],
});
