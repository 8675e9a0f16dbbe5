import { pendingApprovals, type ApprovalRequestView } from "../approvals/index.js";
import { SKIP_REASON_TEXT, type FindingKind, type SkipReason, type StrategyName } from "../domain/index.js";
import type { ProposalStatus, Store, WorkloadLine } from "../store/index.js";

export type { WorkloadLine } from "../store/index.js";

export interface StatusReport {
  clock: { nowMs: number | null; ticks: number; lastTickWallMs: number | null };
  workloads: WorkloadLine[];
  findings: { open: number; byKind: Record<string, number> };
  /** "Why nothing happened": open findings a planner looked at and proposed nothing for, and why. */
  skipped: { finding: string; kind: FindingKind; workload: string | null; planner: string; strategy: StrategyName; reason: SkipReason; why: string; sinceMs: number }[];
  proposals: Partial<Record<ProposalStatus, number>>;
  decisions: { allow: number; "needs-approval": number; deny: number };
  executions: { succeeded: number; failed: number; compensated: number; running: number; refused: number };
  pendingApprovals: ApprovalRequestView[];
  spend: { totalUsd: number; usdPerHour: number; todayUsd: number };
}

/** Everything `skyops status` shows, from the state alone (the daemon need not run). */
export async function statusReport(store: Store): Promise<StatusReport> {
  const clock = await store.kv.get<{ nowMs: number; ticks: number; lastTickWallMs: number }>("clock");
  const spend = await store.kv.get<{ totalUsd: number; usdPerHour: number; todayUsd: number }>("spend-now");
  const findings = await store.findings.countOpenByKind();
  const skipped: StatusReport["skipped"] = [];
  for (const f of await store.findings.listOpen()) {
    if (f.skip === null) continue;
    skipped.push({ finding: f.id, kind: f.kind, workload: f.workloadId, planner: f.skip.planner, strategy: f.skip.strategy, reason: f.skip.reason, why: SKIP_REASON_TEXT[f.skip.reason] ?? f.skip.reason, sinceMs: f.skip.atMs });
  }
  // each proposal counts once, by its initial decision (a recheck before execution is counted apart)
  const decisions = await store.decisions.countInitialByOutcome();
  const executions = await store.executions.countByState();
  return {
    clock: { nowMs: clock?.nowMs ?? null, ticks: clock?.ticks ?? 0, lastTickWallMs: clock?.lastTickWallMs ?? null },
    workloads: await store.workloadLines.list(),
    findings: { open: Object.values(findings).reduce((a, b) => a + b, 0), byKind: findings },
    skipped,
    proposals: await store.proposals.countByStatus(),
    decisions,
    executions: {
      succeeded: executions["succeeded"] ?? 0,
      failed: executions["failed"] ?? 0,
      compensated: executions["compensated"] ?? 0,
      running: (executions["running"] ?? 0) + (executions["waiting"] ?? 0) + (executions["compensating"] ?? 0),
      refused: executions["refused"] ?? 0,
    },
    pendingApprovals: await pendingApprovals(store),
    spend: spend ?? { totalUsd: 0, usdPerHour: 0, todayUsd: 0 },
  };
}

/** At most this many "why nothing happened" lines in the table (`--json` has them all). */
const MAX_SKIPS_SHOWN = 20;

function usd(x: number): string {
  return `$${x.toFixed(2)}`;
}

/** The human table of `skyops status`. */
export function formatStatus(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(`skyops status — ${r.clock.nowMs === null ? "no tick yet" : `${new Date(r.clock.nowMs).toISOString()} (tick ${r.clock.ticks})`}`);
  lines.push(`spend: ${usd(r.spend.todayUsd)} today, ${usd(r.spend.usdPerHour)}/hour now, ${usd(r.spend.totalUsd)} in all`);
  lines.push("");
  lines.push("workloads:");
  for (const w of r.workloads) lines.push(`  ${w.id.padEnd(22)} ${w.kind.padEnd(9)} ${w.tier.padEnd(4)} ${w.state.padEnd(9)} ${usd(w.usdPerHour).padStart(9)}/h  ${w.locations.join(", ")}`);
  lines.push("");
  lines.push(`findings open: ${r.findings.open}${r.findings.open > 0 ? ` (${Object.entries(r.findings.byKind).map(([k, n]) => `${k} ${n}`).join(", ")})` : ""}`);
  if (r.skipped.length > 0) {
    lines.push("why nothing happened:");
    for (const s of r.skipped.slice(0, MAX_SKIPS_SHOWN)) lines.push(`  ${(s.workload ?? "-").padEnd(22)} ${s.kind.padEnd(18)} ${s.why} (${s.planner} planner, ${s.strategy}: ${s.reason})`);
    if (r.skipped.length > MAX_SKIPS_SHOWN) lines.push(`  … and ${r.skipped.length - MAX_SKIPS_SHOWN} more (skyops status --json lists them all)`);
  }
  lines.push(`decisions: allow ${r.decisions.allow}, needs-approval ${r.decisions["needs-approval"]}, deny ${r.decisions.deny}`);
  lines.push(`executions: succeeded ${r.executions.succeeded}, failed ${r.executions.failed}, compensated ${r.executions.compensated}, running ${r.executions.running}`);
  lines.push(`proposals: ${Object.entries(r.proposals).map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
  lines.push("");
  if (r.pendingApprovals.length === 0) lines.push("pending approvals: none");
  else {
    lines.push("pending approvals (skyops approve ID / skyops reject ID --reason …):");
    for (const a of r.pendingApprovals) lines.push(`  ${a.proposalId}  ${a.type} ${a.workloadId}: ${a.reasons.map((x) => x.reason).join(" ")}`);
  }
  return lines.join("\n");
}
