import type { RESUME_FROM_CHECKPOINT } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { iso, usd } from "./result.js";

export function resumeFromCheckpointHandler(ctx: SimContext): Handler<typeof RESUME_FROM_CHECKPOINT> {
  return (args) => {
    const { world } = ctx;
    const r = ctx.ops.resumeFromCheckpoint(args);
    const text =
      `${r.workloadId} resumes from ${r.checkpointUri} (${Math.round(r.progressHours * 100) / 100} h) on ${r.instanceIds.join(", ")} in ${r.toRegion}; ` +
      `egress ${r.egressGb} GB from ${r.fromRegion} cost ${usd(r.egressUsd)}, transfer ${Math.round(r.transferMs / 1000)} s; running again at ${iso(r.resumesAtMs)}.`;
    return { value: { atMs: world.nowMs, ...r }, text };
  };
}
