import { checkpointGb, HOUR_MS } from "../context.js";
import { choosePlacement } from "../placement.js";
import { migrateProposal, moveText, trainingDeployment } from "../proposal.js";
import { hours } from "../text.js";
import type { Strategy, StrategyOutcome } from "../types.js";

/**
 * Priority 5. A training job on spot whose deadline is at risk: checkpoint and `migrate` to on-demand
 * capacity (the cheapest that can still meet the deadline, often the same region: no egress). Once there,
 * the deadline rule keeps it on demand (uniform-progress.ts).
 */
export const deadlineStrategy: Strategy = {
  name: "deadline",
  kinds: ["deadline-at-risk"],
  plan(ctx, w, findings): StrategyOutcome {
    if (w.kind !== "training") return null;
    const dep = trainingDeployment(w);
    if (dep === null || !dep.spot || w.state === "completed" || w.workHours === null || w.deadlineMs === null) return { skip: "stale-finding" };
    const remaining = w.workHours - (w.progressHours ?? 0);
    if (remaining <= 0) return { skip: "stale-finding" };
    const gb = checkpointGb(ctx.config, w);
    const o = choosePlacement(ctx, {
      workload: w,
      remainingWorkHours: remaining,
      checkpointFrom: dep.location,
      checkpointGb: gb,
      current: { location: dep.location, spot: true },
      requireOnDemand: true,
    }).best;
    if (o === null) return { skip: "no-placement" };
    const left = (w.deadlineMs - ctx.nowMs) / HOUR_MS;
    const rationale =
      `The deadline of ${w.id} is at risk on spot in ${dep.location} (${hours(left)} to the deadline, ${hours(remaining)} of work left). ` +
      `Checkpoint now and move to on-demand capacity: ${moveText(w, o, remaining)}`;
    return { proposals: [migrateProposal(ctx, w, findings, dep, o, gb, rationale, false)] };
  },
};
