import { checkpointGb } from "../context.js";
import { choosePlacement } from "../placement.js";
import { migrateProposal, moveText, trainingDeployment } from "../proposal.js";
import { hours, usd } from "../text.js";
import { spotOverheadShare } from "../uniform-progress.js";
import type { Strategy, StrategyOutcome } from "../types.js";

/**
 * Priority 4. A running training job whose price surged: `migrate` only when the move pays back before
 * the job ends. With R hours of work left, staying costs current rate × R; moving costs target rate × R
 * + egress + target rate × downtime (`choosePlacement`'s total). The move is proposed when staying costs
 * more than moving by over `minNetSavingsUsd`, i.e.
 *
 *     (current − target rate) × R  >  egress + downtime × target rate + minNetSavingsUsd
 *
 * Spot on either side is charged its expected interruption overhead (R × (1 + λ(d + ℓ)) hours). Cost is
 * the only reason, so the proposal is `costOnly` (change windows apply to prod).
 */
export const priceSurgeStrategy: Strategy = {
  name: "price-surge",
  kinds: ["price-surge"],
  plan(ctx, w, findings): StrategyOutcome {
    if (w.kind !== "training") return null;
    const dep = trainingDeployment(w);
    if (dep === null || w.state !== "running" || w.workHours === null) return { skip: "stale-finding" };
    const remaining = w.workHours - (w.progressHours ?? 0);
    if (remaining <= 0) return { skip: "stale-finding" };
    const gb = checkpointGb(ctx.config, w);
    const current = { location: dep.location, spot: dep.spot };
    const o = choosePlacement(ctx, { workload: w, remainingWorkHours: remaining, checkpointFrom: dep.location, checkpointGb: gb, current }).best;
    if (o === null) return { skip: "no-placement" };
    const sameSpot = `${o.target.cloud}/${o.target.region}` === dep.location && o.target.spot === dep.spot && o.target.instanceType === dep.instanceType;
    if (sameSpot) return { skip: "no-payback" };
    const { config } = ctx;
    const cloud = dep.location.slice(0, dep.location.indexOf("/")) as keyof typeof config.provisionMs;
    const stayHours = dep.spot ? remaining * (1 + spotOverheadShare(config, config.provisionMs[cloud] + config.restartMs)) : remaining;
    const stayUsd = w.usdPerHour * stayHours;
    const net = stayUsd - o.totalCostUsd;
    if (!(net > config.minNetSavingsUsd)) return { skip: "no-payback" };
    const rationale =
      `${w.id} pays ${usd(w.usdPerHour)}/h in ${dep.location} ${dep.spot ? "spot" : "on demand"}: ${usd(stayUsd)} for the rest of the job. ` +
      `Moving costs ${usd(o.totalCostUsd)} (compute over ${hours(o.expectedHours)}, egress and downtime included): net saving ${usd(net)}, above the ${usd(config.minNetSavingsUsd)} minimum. ` +
      `Checkpoint now and move to ${moveText(w, o, remaining)}`;
    return { proposals: [migrateProposal(ctx, w, findings, dep, o, gb, rationale, true)] };
  },
};
