import { pendingApprovals } from "../approvals/index.js";
import type { Store, WorkloadLine } from "../store/index.js";

export type { WorkloadLine } from "../store/index.js";

export interface StatusReport {
  clock: { nowMs: number | null; ticks: number; lastTickWallMs: number | null };
  workloads: WorkloadLine[];
  findings: { open: number; byKind: Record<string, number> };
  proposals: Record<string, number>;
  decisions: { allow: number; "needs-approval": number; deny: number };
  executions: { succeeded: number; failed: number; compensated: number; running: number; refused: number };
  pendingApprovals: ReturnType<typeof pendingApprovals>;
  spend: { totalUsd: number; usdPerHour: number; todayUsd: number };
}

function countBy(rows: { k: string; n: number }[]): Record<string, number> {
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

/** Everything `skyops status` shows, from the state database alone (the daemon need not run). */
export function statusReport(store: Store): StatusReport {
  const db = store.db;
  const clock = store.kv.get<{ nowMs: number; ticks: number; lastTickWallMs: number }>("clock");
  const spend = store.kv.get<{ totalUsd: number; usdPerHour: number; todayUsd: number }>("spend-now");
  const findings = countBy(db.prepare("SELECT kind AS k, count(*) AS n FROM findings WHERE open = 1 GROUP BY kind ORDER BY kind").all() as { k: string; n: number }[]);
  // each proposal counts once, by its initial decision (a recheck before execution is counted apart)
  const decisions = countBy(
    db
      .prepare("SELECT outcome AS k, count(*) AS n FROM decisions d WHERE d.phase = 'initial' AND d.id = (SELECT max(id) FROM decisions WHERE proposal_id = d.proposal_id AND phase = 'initial') GROUP BY outcome")
      .all() as { k: string; n: number }[],
  );
  const executions = countBy(db.prepare("SELECT state AS k, count(*) AS n FROM executions GROUP BY state").all() as { k: string; n: number }[]);
  return {
    clock: { nowMs: clock?.nowMs ?? null, ticks: clock?.ticks ?? 0, lastTickWallMs: clock?.lastTickWallMs ?? null },
    workloads: store.workloadLines.list(),
    findings: { open: Object.values(findings).reduce((a, b) => a + b, 0), byKind: findings },
    proposals: countBy(db.prepare("SELECT status AS k, count(*) AS n FROM proposals GROUP BY status ORDER BY status").all() as { k: string; n: number }[]),
    decisions: { allow: decisions["allow"] ?? 0, "needs-approval": decisions["needs-approval"] ?? 0, deny: decisions["deny"] ?? 0 },
    executions: {
      succeeded: executions["succeeded"] ?? 0,
      failed: executions["failed"] ?? 0,
      compensated: executions["compensated"] ?? 0,
      running: (executions["running"] ?? 0) + (executions["waiting"] ?? 0) + (executions["compensating"] ?? 0),
      refused: executions["refused"] ?? 0,
    },
    pendingApprovals: pendingApprovals(store),
    spend: spend ?? { totalUsd: 0, usdPerHour: 0, todayUsd: 0 },
  };
}

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
