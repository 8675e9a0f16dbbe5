import type { Finding, SnapshotWorkload } from "../../domain/index.js";
import { checkpointGb, findingLocation, HOUR_MS, isLocationKey } from "../context.js";
import { choosePlacement } from "../placement.js";
import { common, migrateProposal, moveText, trainingDeployment } from "../proposal.js";
import { hours } from "../text.js";
import type { Strategy, StrategyOutcome } from "../types.js";
import { aheadOfLine } from "../uniform-progress.js";

/** Where a stalled job's checkpoint lives: a location the finding gives, else its deployment's; null: unknown. */
function checkpointLocation(w: SnapshotWorkload, findings: readonly Finding[]): string | null {
  for (const f of findings) {
    if (isLocationKey(f.facts["checkpointLocation"])) return f.facts["checkpointLocation"] as string;
  }
  for (const f of findings) {
    const at = findingLocation(f);
    if (at !== null) return at;
  }
  return trainingDeployment(w)?.location ?? null;
}

/**
 * Priority 2. A training job that is losing (or has lost) its placement:
 * - its region is down or unhealthy → `migrate` from there, resuming from the latest durable checkpoint
 *   (a job in a down region cannot write a fresh one);
 * - a preemption notice on its spot capacity → `migrate`: checkpoint now (nothing is lost) and move, never
 *   onto the spot capacity being reclaimed;
 * - stalled with no placement → `place`: relaunch and resume from the latest checkpoint; except that a job
 *   with a deadline, ahead of its uniform-progress line, whose best option is on demand only because no
 *   admissible location has spot capacity now, waits for spot (skip "waiting-for-spot"), as Uniform
 *   Progress does (uniform-progress.ts `aheadOfLine`; the deadline rule's margin bounds the wait).
 * The target is `choosePlacement`'s best, deadline-aware.
 */
export const trainingRecoveryStrategy: Strategy = {
  name: "training-recovery",
  kinds: ["preemption-notice", "workload-stalled", "region-unhealthy"],
  plan(ctx, w, findings): StrategyOutcome {
    if (w.kind !== "training") return null;
    if (w.state === "completed" || w.workHours === null) return { skip: "stale-finding" };
    const dep = trainingDeployment(w);
    const progress = w.progressHours ?? 0;
    const checkpointed = Math.min(progress, w.checkpointedHours ?? 0);
    const gb = checkpointGb(ctx.config, w);
    const has = (kind: Finding["kind"]): boolean => findings.some((f) => f.kind === kind);

    if (dep !== null && ctx.unhealthy.has(dep.location)) {
      const remaining = w.workHours - checkpointed;
      if (remaining <= 0) return { skip: "stale-finding" };
      const choice = choosePlacement(ctx, { workload: w, remainingWorkHours: remaining, checkpointFrom: dep.location, checkpointGb: gb, current: { location: dep.location, spot: dep.spot } });
      const o = choice.best;
      if (o === null) return { skip: "no-placement" };
      const rationale = `${w.id} runs in ${dep.location}, which is down or unhealthy; its progress since the last checkpoint (${hours(progress - checkpointed)}) is lost either way. Resume from the checkpoint at ${hours(checkpointed)} on ${moveText(w, o, remaining)}`;
      return { proposals: [migrateProposal(ctx, w, findings, dep, o, gb, rationale, false)] };
    }

    if (dep !== null && dep.spot && has("preemption-notice")) {
      const remaining = w.workHours - progress;
      if (remaining <= 0) return { skip: "stale-finding" };
      const choice = choosePlacement(ctx, {
        workload: w,
        remainingWorkHours: remaining,
        checkpointFrom: dep.location,
        checkpointGb: gb,
        current: { location: dep.location, spot: dep.spot },
        avoid: [{ location: dep.location, spotOnly: true }],
      });
      const o = choice.best;
      if (o === null) return { skip: "no-placement" };
      const rationale = `The spot capacity of ${w.id} in ${dep.location} has a preemption notice. Checkpoint now (${gb} GB, ${hours(progress)} of progress kept) and move to ${moveText(w, o, remaining)}`;
      return { proposals: [migrateProposal(ctx, w, findings, dep, o, gb, rationale, false)] };
    }

    if (has("workload-stalled")) {
      const placed = w.deployments.some((d) => d.replicas > 0);
      if (placed || w.state === "running" || w.state === "resuming") return { skip: "stale-finding" };
      const remaining = w.workHours - checkpointed;
      if (remaining <= 0) return { skip: "stale-finding" };
      const from = checkpointLocation(w, findings);
      const choice = choosePlacement(ctx, { workload: w, remainingWorkHours: remaining, checkpointFrom: from, checkpointGb: gb, current: null });
      const o = choice.best;
      if (o === null) return { skip: "no-placement" };
      if (w.deadlineMs !== null && !o.target.spot && !choice.spotCapacity && aheadOfLine(o.verdict, remaining, (w.deadlineMs - ctx.nowMs) / HOUR_MS, ctx.config)) {
        return { skip: "waiting-for-spot" };
      }
      const rationale = `${w.id} is stalled with no running placement. Relaunch and resume from the checkpoint at ${hours(checkpointed)}${from === null ? " (its location is not in the snapshot)" : ` in ${from}`} on ${moveText(w, o, remaining)}`;
      return {
        proposals: [
          {
            ...common(ctx, w.id, "place", findings, {
              costDeltaUsdPerHour: o.usdPerHour - w.usdPerHour,
              oneOffCostUsd: o.egress.usd,
              expectedDowntimeMs: o.downtimeMs,
              blastRadius: 1,
              rationale,
              costOnly: false,
            }),
            type: "place",
            target: o.target,
            count: o.nodes,
          },
        ],
      };
    }
    return { skip: "stale-finding" };
  },
};
