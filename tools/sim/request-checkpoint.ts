import type { REQUEST_CHECKPOINT } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { iso } from "./result.js";

export function requestCheckpointHandler(ctx: SimContext): Handler<typeof REQUEST_CHECKPOINT> {
  return (args) => {
    const { world } = ctx;
    const c = ctx.ops.requestCheckpoint(args);
    const text =
      `Checkpoint ${c.uri} of ${c.workloadId}: ${c.gb} GB holding ${Math.round(c.progressHours * 100) / 100} h of progress in ${c.cloud}/${c.region}; ` +
      (c.ready ? "ready now." : `being written, ready at ${iso(c.readyAtMs)} (poll with the same idempotencyKey).`);
    return { value: { atMs: world.nowMs, ...c }, text };
  };
}
