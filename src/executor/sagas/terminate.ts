import { TERMINATE as TERMINATE_TOOL, type ProposalOf } from "../../domain/index.js";
import type { SagaData } from "../../store/executions.js";
import { defineSaga, done, type SagaStep } from "../saga.js";

type P = ProposalOf<"terminate">;

const terminate: SagaStep<P, SagaData> = {
  name: "terminate",
  async run(ctx) {
    const ids = [...new Set(ctx.proposal.instanceIds)].sort();
    const out = await ctx.call(TERMINATE_TOOL, { instanceIds: ids, idempotencyKey: ctx.key });
    return done({ terminated: out.instances.map((i) => ({ id: i.id, state: i.state })) });
  },
};

/** terminate: end the given instances (orphans). Nothing to compensate: an ended instance cannot be restarted. */
export const TERMINATE = defineSaga<"terminate", SagaData>({
  type: "terminate",
  steps: [terminate],
});
