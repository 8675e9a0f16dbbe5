import type { ActionType, Finding, Placement, SnapshotWorkload } from "../domain/index.js";
import type { PlanContext } from "./context.js";
import type { PlacementOption } from "./placement.js";
import { hours, minutes, proposalId, round6, usd, verdictText, where } from "./text.js";

const MAX_DOWNTIME_MS = 30 * 86_400_000;
const MAX_RATE = 100_000;

export interface CommonFields {
  costDeltaUsdPerHour: number;
  oneOffCostUsd: number;
  expectedDowntimeMs: number;
  blastRadius: number;
  rationale: string;
  costOnly: boolean;
}

/** The fields every proposal carries, inside ProposalSchema's bounds, stamped by the built-in planner. */
export function common(ctx: PlanContext, workloadId: string, type: ActionType, findings: readonly Finding[], f: CommonFields) {
  return {
    id: proposalId(ctx.nowMs, workloadId, type),
    workloadId,
    proposer: "builtin" as const,
    createdAtMs: ctx.nowMs,
    costDeltaUsdPerHour: round6(Math.min(MAX_RATE, Math.max(-MAX_RATE, f.costDeltaUsdPerHour))),
    oneOffCostUsd: round6(Math.min(10_000_000, Math.max(0, f.oneOffCostUsd))),
    expectedDowntimeMs: Math.min(MAX_DOWNTIME_MS, Math.max(0, Math.ceil(f.expectedDowntimeMs))),
    blastRadius: round6(Math.min(1, Math.max(0, f.blastRadius))),
    rationale: f.rationale.length > 4_000 ? `${f.rationale.slice(0, 3_999)}…` : f.rationale,
    findingIds: [...new Set(findings.map((x) => x.id))].sort(),
    costOnly: f.costOnly,
  };
}

/** The placement of a workload's deployment in a location, as a proposal's source. */
export function deploymentPlacement(d: SnapshotWorkload["deployments"][number]): Placement {
  const slash = d.location.indexOf("/");
  const p: Placement = { cloud: d.location.slice(0, slash) as Placement["cloud"], region: d.location.slice(slash + 1), spot: d.spot };
  if (/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/.test(d.instanceType)) p.instanceType = d.instanceType;
  return p;
}

/** The deployment a training job runs on now (the one with most nodes), or null. */
export function trainingDeployment(w: SnapshotWorkload): SnapshotWorkload["deployments"][number] | null {
  let best: SnapshotWorkload["deployments"][number] | null = null;
  for (const d of w.deployments) if (d.replicas > 0 && (best === null || d.replicas > best.replicas)) best = d;
  return best;
}

/** A move's numbers in words: where, price, egress, downtime and the deadline rule's judgement. */
export function moveText(w: SnapshotWorkload, o: PlacementOption, remainingHours: number): string {
  const egress = o.egress.known ? usd(o.egress.usd) : `${usd(o.egress.usd)} (estimated at the fallback rate)`;
  return (
    `${where(o.target)} ×${o.nodes} at ${usd(o.usdPerHour)}/h (now ${usd(w.usdPerHour)}/h); ` +
    `egress ${egress} for ${o.egress.gb} GB; about ${minutes(o.downtimeMs)} down; ` +
    `${hours(remainingHours)} of work left; ${verdictText(o.verdict)}.`
  );
}

/** A checkpoint migration of a training job from its deployment to a placement option. */
export function migrateProposal(
  ctx: PlanContext,
  w: SnapshotWorkload,
  findings: readonly Finding[],
  dep: SnapshotWorkload["deployments"][number],
  o: PlacementOption,
  checkpointGb: number,
  rationale: string,
  costOnly: boolean,
) {
  return {
    ...common(ctx, w.id, "migrate", findings, {
      costDeltaUsdPerHour: o.usdPerHour - w.usdPerHour,
      oneOffCostUsd: o.egress.usd,
      expectedDowntimeMs: o.downtimeMs,
      // every node of the job restarts
      blastRadius: 1,
      rationale,
      costOnly,
    }),
    type: "migrate" as const,
    source: deploymentPlacement(dep),
    target: o.target,
    checkpointGb,
  };
}
