import { REQUEST_CHECKPOINT, locationKey, type ProposalOf } from "../../domain/index.js";
import { SagaError } from "../errors.js";
import { defineSaga, done, wait, type SagaStep } from "../saga.js";
import {
  TRANSFER_TIMEOUT_MS,
  awaitInstancesRunning,
  awaitJobRunning,
  inspectWorkload,
  launchStep,
  need,
  resumeStep,
  selectDrain,
  terminateDrain,
  type LaunchData,
} from "./common.js";

type P = ProposalOf<"migrate">;

export interface MigrateData extends LaunchData {
  checkpoint?: { uri: string; progressHours: number; gb: number; location: string; readyAtMs: number; ready: boolean };
}

/** How long past its readyAtMs a checkpoint may still become durable before it counts as lost (readyAtMs is the cloud's estimate). */
export const CHECKPOINT_GRACE_MS = 2 * 60_000;

const requestCheckpoint: SagaStep<P, MigrateData> = {
  name: "request-checkpoint",
  async run(ctx) {
    const c = await ctx.call(REQUEST_CHECKPOINT, { workloadId: ctx.proposal.workloadId, idempotencyKey: ctx.key });
    ctx.data.checkpoint = { uri: c.uri, progressHours: c.progressHours, gb: c.gb, location: locationKey(c.cloud, c.region), readyAtMs: c.readyAtMs, ready: c.ready };
    return done(ctx.data.checkpoint);
  },
};

/** Polls the checkpoint with the key that requested it (the same key returns the same checkpoint). */
const awaitCheckpoint: SagaStep<P, MigrateData> = {
  name: "await-checkpoint",
  timeoutMs: TRANSFER_TIMEOUT_MS,
  async run(ctx) {
    const c = await ctx.call(REQUEST_CHECKPOINT, { workloadId: ctx.proposal.workloadId, idempotencyKey: ctx.keyOf("request-checkpoint") });
    const known = need(ctx.data.checkpoint, "checkpoint");
    if (c.uri !== known.uri) throw new SagaError("unexpected-state", `polling the checkpoint returned ${c.uri}, not ${known.uri}`, false, "request_checkpoint");
    ctx.data.checkpoint = { ...known, ready: c.ready, readyAtMs: c.readyAtMs };
    if (c.ready) return done({ uri: c.uri, progressHours: c.progressHours });
    // well past its ready time and still not durable: the job stopped before the write finished and lost it
    if (c.atMs > c.readyAtMs + CHECKPOINT_GRACE_MS) throw new SagaError("unexpected-state", `checkpoint ${c.uri} was lost before it was written (the job stopped)`, false, "request_checkpoint");
    return wait(`checkpoint ${c.uri} being written`, c.readyAtMs > c.atMs ? c.readyAtMs : null);
  },
};

/**
 * migrate: checkpoint the training job where it runs, launch the target, move the job there from that
 * checkpoint, see it run, then drain the source.
 *
 * Compensation: launching the target is undone by terminating what was launched. `resume` is the point of
 * no return: once the job has moved, a later failure (it does not come up, the drain fails) ends the
 * execution `failed` with the job left on the target; undoing it would need another checkpoint and move,
 * which is a new proposal, not a rollback. The checkpoint itself needs no undoing.
 */
export const MIGRATE = defineSaga<"migrate", MigrateData>({
  type: "migrate",
  steps: [
    inspectWorkload((w) => {
      if (w.kind !== "training") throw new SagaError("unexpected-state", `${w.id} is a serving workload; migrate moves training jobs (use scale and failover)`, false);
      if (w.state === "completed") throw new SagaError("unexpected-state", `${w.id} has completed; nothing to migrate`, false);
    }),
    requestCheckpoint,
    awaitCheckpoint,
    launchStep("launch-target", (p: P) => p.target, null),
    awaitInstancesRunning("await-target-running"),
    resumeStep("resume", (ctx) => need(ctx.data.checkpoint, "checkpoint").uri, { pointOfNoReturn: true }),
    awaitJobRunning("await-job-running"),
    selectDrain("select-source"),
    terminateDrain("terminate-source"),
  ],
});
