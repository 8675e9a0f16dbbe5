import type { Finding, Proposal } from "../../domain/index.js";
import { isWorkloadId, type PlanContext } from "../context.js";
import { common } from "../proposal.js";
import { isToken, usd } from "../text.js";
import type { Skip } from "../types.js";

/**
 * Priority 6. Instances of no workload: `terminate`, one proposal per owner (the orphans' configured id, or
 * a completed job whose instances linger). An instance is terminated only when the snapshot lists it live
 * and it serves no live workload — the finding's word alone is not enough. Terminating always needs a
 * human (policy), and saving money is the only reason (`costOnly`).
 */
export function planOrphans(
  ctx: PlanContext,
  findings: readonly Finding[],
  busy: ReadonlySet<string>,
): { proposals: Proposal[]; skipped: Skip[] } {
  const groups = new Map<string, { ids: Set<string>; findings: Finding[]; usdPerHour: number }>();
  const skipped: Skip[] = [];
  const skip = (workloadId: string, reason: Skip["reason"], f: Finding): void => {
    skipped.push({ workloadId, strategy: "orphans", reason, findingIds: [f.id] });
  };
  for (const f of [...findings].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const id = f.facts["instanceId"];
    const inst = typeof id === "string" && isToken(id) ? ctx.liveInstance(id) : undefined;
    if (inst === undefined) {
      skip(f.workloadId ?? ctx.config.orphanWorkloadId, "unknown-instance", f);
      continue;
    }
    const owner = inst.workloadId === null ? undefined : ctx.workload(inst.workloadId);
    if (owner !== undefined && owner.state !== "completed") {
      skip(owner.id, "unknown-instance", f);
      continue;
    }
    const groupId = owner !== undefined && isWorkloadId(owner.id) ? owner.id : ctx.config.orphanWorkloadId;
    if (owner?.frozen === true) {
      skip(groupId, "frozen", f);
      continue;
    }
    if (busy.has(groupId)) {
      skip(groupId, "busy", f);
      continue;
    }
    const group = groups.get(groupId) ?? { ids: new Set<string>(), findings: [], usdPerHour: 0 };
    if (!group.ids.has(inst.id)) {
      group.ids.add(inst.id);
      group.usdPerHour += inst.usdPerHour;
    }
    group.findings.push(f);
    groups.set(groupId, group);
  }
  const proposals: Proposal[] = [];
  for (const [workloadId, g] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ids = [...g.ids].sort();
    proposals.push({
      ...common(ctx, workloadId, "terminate", g.findings, {
        costDeltaUsdPerHour: -g.usdPerHour,
        oneOffCostUsd: 0,
        expectedDowntimeMs: 0,
        // nothing that serves a workload is touched
        blastRadius: 0,
        rationale: `${ids.length} instance${ids.length === 1 ? "" : "s"} serving no live workload (${ids.join(", ")}) cost ${usd(g.usdPerHour)}/h. Terminate ${ids.length === 1 ? "it" : "them"}.`,
        costOnly: true,
      }),
      type: "terminate",
      instanceIds: ids,
    });
  }
  return { proposals, skipped };
}
