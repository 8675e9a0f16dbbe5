import type { SCALE } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { workloadLine } from "./workload-text.js";

export function scaleHandler(ctx: SimContext): Handler<typeof SCALE> {
  return (args) => {
    const { world } = ctx;
    const workload = ctx.ops.scale(args);
    return { value: { atMs: world.nowMs, workload }, text: `Scaled ${args.cloud}/${args.region} to ${args.replicas} replicas.\n${workloadLine(workload)}` };
  };
}
