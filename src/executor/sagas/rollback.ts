import { GET_DRIFT, SET_MODEL_VERSION, type DriftReport, type ProposalOf } from "../../domain/index.js";
import type { SagaData } from "../../store/executions.js";
import { SagaError } from "../errors.js";
import { defineSaga, done, wait, type SagaStep, type StepContext } from "../saga.js";
import { SETTLE_MS, SETTLE_POLL_MS, need } from "./common.js";

type P = ProposalOf<"rollback">;

/** Prediction PSI under this counts as stable (the usual reading: < 0.1 stable, 0.1-0.2 moderate, > 0.2 significant). */
export const STABLE_PSI = 0.1;

export interface RollbackData extends SagaData {
  psiBefore?: number;
  versionBefore?: string;
}

async function drift(ctx: StepContext<P, RollbackData>): Promise<DriftReport> {
  const out = await ctx.call(GET_DRIFT, { workloadId: ctx.proposal.workloadId });
  const r = out.reports.find((x) => x.workloadId === ctx.proposal.workloadId);
  if (!r) throw new SagaError("unexpected-state", `get_drift reports nothing for ${ctx.proposal.workloadId}`, false, "get_drift");
  return r;
}

const inspectDrift: SagaStep<P, RollbackData> = {
  name: "inspect-drift",
  async run(ctx) {
    const r = await drift(ctx);
    const { fromVersion, toVersion } = ctx.proposal;
    if (r.modelVersion !== fromVersion && r.modelVersion !== toVersion) {
      throw new SagaError("unexpected-state", `${ctx.proposal.workloadId} serves ${r.modelVersion}, not ${fromVersion}: the world changed since the proposal`, false, "get_drift");
    }
    ctx.data.psiBefore = r.predictionPsi;
    ctx.data.versionBefore = r.modelVersion;
    return done({ modelVersion: r.modelVersion, predictionPsi: r.predictionPsi });
  },
};

const setVersion: SagaStep<P, RollbackData> = {
  name: "set-version",
  async run(ctx) {
    const out = await ctx.call(SET_MODEL_VERSION, { workloadId: ctx.proposal.workloadId, version: ctx.proposal.toVersion, idempotencyKey: ctx.key });
    return done({ modelVersion: out.workload.modelVersion });
  },
  async compensate(ctx) {
    // back to what served before (fromVersion, unless the rollback had in fact already happened)
    const version = ctx.data.versionBefore ?? ctx.proposal.fromVersion;
    await ctx.call(SET_MODEL_VERSION, { workloadId: ctx.proposal.workloadId, version, idempotencyKey: ctx.key });
  },
};

/** Prediction PSI dropped below what it was, or is stable. */
const verifyDrift: SagaStep<P, RollbackData> = {
  name: "verify-drift",
  timeoutMs: SETTLE_MS + SETTLE_POLL_MS,
  async run(ctx) {
    const before = need(ctx.data.psiBefore, "PSI before");
    const r = await drift(ctx);
    if (r.modelVersion === ctx.proposal.toVersion && (r.predictionPsi < before || r.predictionPsi <= STABLE_PSI)) {
      return done({ modelVersion: r.modelVersion, predictionPsi: r.predictionPsi, psiBefore: before });
    }
    if (ctx.nowMs - ctx.startedAtMs < SETTLE_MS) return wait(`${r.workloadId} on ${r.modelVersion}: prediction PSI ${r.predictionPsi} (before ${before})`, ctx.nowMs + SETTLE_POLL_MS);
    throw new SagaError("verification", `after rolling to ${ctx.proposal.toVersion}, ${r.workloadId} serves ${r.modelVersion} with prediction PSI ${r.predictionPsi} (before ${before})`, false, "get_drift");
  },
};

/** rollback: roll the serving model to `toVersion` and verify drift dropped. Compensation: back to the version that served before (`fromVersion`). */
export const ROLLBACK = defineSaga<"rollback", RollbackData>({
  type: "rollback",
  steps: [inspectDrift, setVersion, verifyDrift],
});
