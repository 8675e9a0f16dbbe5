import type { Finding, FindingKind, Proposal, SnapshotWorkload } from "../domain/index.js";
import { createPlanContext, findingLocation, isWorkloadId } from "./context.js";
import { deadlineStrategy } from "./strategies/deadline.js";
import { driftStrategy } from "./strategies/drift.js";
import { healthStrategy } from "./strategies/health.js";
import { planOrphans } from "./strategies/orphans.js";
import { priceSurgeStrategy } from "./strategies/price-surge.js";
import { trainingRecoveryStrategy } from "./strategies/training-recovery.js";
import type { PlannerInput, PlanResult, Skip, Strategy } from "./types.js";

/**
 * Strategies in priority order: keeping service up before recovering training, before model quality,
 * before saving money, before deadlines that are merely at risk. Per workload the first strategy that
 * proposes something wins (as Karpenter's disruption methods); orphans are handled last, on their own.
 */
export const STRATEGIES: readonly Strategy[] = [healthStrategy, trainingRecoveryStrategy, driftStrategy, priceSurgeStrategy, deadlineStrategy];

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The built-in planner: findings and a snapshot in, typed proposals out, plus why nothing was proposed
 * where findings were. Pure and deterministic: the same input gives deep-equal output, whatever the
 * order of findings. Workloads that are busy (a proposal pending or executing) or frozen get nothing.
 */
export function planWithReasons(input: PlannerInput): PlanResult {
  // filled below, before any strategy runs: the context's replica index (built on first use) covers these
  const named = new Set<string>();
  const ctx = createPlanContext(input, named);
  const busy = new Set(input.busy);

  const handled = new Set<FindingKind>(STRATEGIES.flatMap((s) => s.kinds));
  const perWorkload = new Map<string, Map<string, Finding>>();
  const add = (workloadId: string, f: Finding): void => {
    const list = perWorkload.get(workloadId) ?? new Map<string, Finding>();
    list.set(f.id, f);
    perWorkload.set(workloadId, list);
    named.add(workloadId);
  };
  const orphans: Finding[] = [];
  for (const f of input.findings) {
    if (f.kind === "orphan-instance") orphans.push(f);
    else if (!handled.has(f.kind)) continue;
    else if (f.workloadId !== null) add(f.workloadId, f);
    else {
      // a finding about a place rather than a workload reaches every workload deployed there
      const at = findingLocation(f);
      const places = at !== null ? [at] : f.kind === "region-unhealthy" ? [...ctx.unhealthy].sort() : [];
      for (const place of places) for (const w of ctx.workloadsAt(place)) add(w.id, f);
    }
  }

  // only the workloads findings name are looked up (the first record of an id wins)
  const workloads = new Map<string, SnapshotWorkload>();
  for (const w of input.snapshot.workloads) if (perWorkload.has(w.id) && !workloads.has(w.id)) workloads.set(w.id, w);

  const proposals: Proposal[] = [];
  const skipped: Skip[] = [];
  for (const workloadId of [...perWorkload.keys()].sort()) {
    const findings = [...perWorkload.get(workloadId)!.values()].sort(byId);
    const findingIds = findings.map((f) => f.id);
    const w = isWorkloadId(workloadId) ? workloads.get(workloadId) : undefined;
    const first = STRATEGIES.find((s) => findings.some((f) => s.kinds.includes(f.kind)))!.name;
    if (w === undefined) {
      skipped.push({ workloadId, strategy: first, reason: "unknown-workload", findingIds });
      continue;
    }
    if (busy.has(workloadId)) {
      skipped.push({ workloadId, strategy: first, reason: "busy", findingIds });
      continue;
    }
    if (w.frozen) {
      skipped.push({ workloadId, strategy: first, reason: "frozen", findingIds });
      continue;
    }
    for (const strategy of STRATEGIES) {
      const mine = findings.filter((f) => strategy.kinds.includes(f.kind));
      if (mine.length === 0) continue;
      const outcome = strategy.plan(ctx, w, mine);
      if (outcome === null) continue;
      if ("proposals" in outcome) {
        proposals.push(...outcome.proposals);
        break;
      }
      skipped.push({ workloadId, strategy: strategy.name, reason: outcome.skip, findingIds: mine.map((f) => f.id) });
    }
  }
  if (orphans.length > 0) {
    const o = planOrphans(ctx, orphans, busy);
    proposals.push(...o.proposals);
    skipped.push(...o.skipped);
  }
  return { proposals, skipped };
}

/** The built-in planner's proposals for one tick (see `planWithReasons`). */
export function plan(input: PlannerInput): Proposal[] {
  return planWithReasons(input).proposals;
}
