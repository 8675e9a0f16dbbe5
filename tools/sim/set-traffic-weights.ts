import type { SET_TRAFFIC_WEIGHTS } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { workloadLine } from "./workload-text.js";

export function setTrafficWeightsHandler(ctx: SimContext): Handler<typeof SET_TRAFFIC_WEIGHTS> {
  return (args) => {
    const { world } = ctx;
    const workload = ctx.ops.setTrafficWeights(args);
    return { value: { atMs: world.nowMs, workload }, text: `Traffic weights set.\n${workloadLine(workload)}` };
  };
}
