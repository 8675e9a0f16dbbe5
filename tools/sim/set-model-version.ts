import type { SET_MODEL_VERSION } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { workloadLine } from "./workload-text.js";

export function setModelVersionHandler(ctx: SimContext): Handler<typeof SET_MODEL_VERSION> {
  return (args) => {
    const { world } = ctx;
    const workload = ctx.ops.setModelVersion(args);
    return { value: { atMs: world.nowMs, workload }, text: `Serving model ${workload.modelVersion} (previous ${workload.previousModelVersion ?? "none"}).\n${workloadLine(workload)}` };
  };
}
