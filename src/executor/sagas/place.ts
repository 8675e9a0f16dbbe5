import type { ProposalOf } from "../../domain/index.js";
import { SagaError } from "../errors.js";
import { defineSaga } from "../saga.js";
import { awaitInstancesRunning, awaitJobRunning, inspectWorkload, launchStep, resumeStep, selectDrain, terminateDrain, type LaunchData } from "./common.js";

type P = ProposalOf<"place">;

/**
 * place: give a stalled training job (its nodes were reclaimed) new instances, resume it there from its
 * newest durable checkpoint, see it run, then end whatever it ran on before that is still up (a node that
 * survived a partial reclaim); for a serving workload, add `count` replicas in the target location.
 *
 * Compensation: the launched instances are terminated. Resuming is not the point of no return here: the
 * job was stalled before, and terminating its new nodes leaves it stalled again at the same checkpoint. Once
 * it runs on them (`await-job-running`), the saga only rolls forward.
 */
export const PLACE = defineSaga<"place", LaunchData>({
  type: "place",
  steps: [
    inspectWorkload((w) => {
      if (w.kind === "training" && w.state !== "waiting") {
        throw new SagaError("unexpected-state", `${w.id} is ${w.state}, not stalled: place resumes a stalled job (to move a running one, migrate it)`, false);
      }
    }),
    launchStep("launch", (p: P) => p.target, async (ctx) => ctx.proposal.count),
    awaitInstancesRunning("await-running"),
    resumeStep("resume", () => null, { pointOfNoReturn: false }),
    awaitJobRunning("await-job-running", { pointOfNoReturn: true }),
    selectDrain("select-leftover"),
    terminateDrain("terminate-leftover"),
  ],
});
