import type { ActionType } from "../../domain/index.js";
import type { ActionMatch, Scenario } from "./scenario.js";

/** An execution as the scorecard sees it; times are from the scenario's start. */
export interface ExecutedAction {
  proposalId: string;
  type: ActionType;
  workloadId: string;
  /** running | waiting | succeeded | failed | compensating | compensated | refused (re-check denied; never ran). */
  state: string;
  startedAtMs: number;
  endedAtMs: number | null;
  to: { cloud: string; region: string; spot: boolean } | null;
}

/** What one run did, read out of the daemon's database and the world. */
export interface RunFacts {
  scenario: Scenario;
  startMs: number;
  /** The error that stopped the run, if one did. */
  crash: string | null;
  costUsd: number;
  availability: Record<string, number>;
  deadlinesMissed: number;
  executions: ExecutedAction[];
  proposals: { id: string; type: ActionType; workloadId: string; proposer: string; status: string; decisions: { outcome: string; phase: string; reasons: number }[] }[];
  approvals: { proposalId: string; status: string; approver: string | null }[];
  auditOk: boolean;
  auditProblem: string | null;
  simSeconds: number;
}

/** `1h05m`, `30m`, `45s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  const d = Math.floor(rest / 86_400);
  rest -= d * 86_400;
  const h = Math.floor(rest / 3_600);
  rest -= h * 3_600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${String(m).padStart(parts.length > 0 ? 2 : 1, "0")}m`);
  if (s) parts.push(`${String(s).padStart(parts.length > 0 ? 2 : 1, "0")}s`);
  return parts.join("");
}

function describeMatch(m: ActionMatch): string {
  const words: string[] = [m.type ?? "any action"];
  if (m.workload) words.push(`of ${m.workload}`);
  if (m.to) {
    const to = [m.to.cloud, m.to.region, m.to.spot === undefined ? undefined : m.to.spot ? "spot" : "on-demand"].filter((x) => x !== undefined);
    words.push(`to ${to.join(" ")}`);
  }
  if (m.after !== undefined && m.before !== undefined) words.push(`finished between ${formatDuration(m.after)} and ${formatDuration(m.before)}`);
  else if (m.after !== undefined) words.push(`finished after ${formatDuration(m.after)}`);
  else if (m.before !== undefined) words.push(`finished before ${formatDuration(m.before)}`);
  return words.join(" ");
}

export function describeAction(e: ExecutedAction): string {
  const to = e.to ? ` → ${e.to.cloud}/${e.to.region}${e.to.spot ? " (spot)" : ""}` : "";
  const when = e.endedAtMs === null ? `started ${formatDuration(e.startedAtMs)}, unfinished` : `at ${formatDuration(e.endedAtMs)}`;
  return `${e.type} of ${e.workloadId}${to} ${when}${e.state === "succeeded" ? "" : ` (${e.state})`}`;
}

/** Whether an executed action matches an `actions`/`never` entry: every field the entry gives matches. */
export function matches(m: ActionMatch, e: ExecutedAction): boolean {
  if (m.type !== undefined && m.type !== e.type) return false;
  if (m.workload !== undefined && m.workload !== e.workloadId) return false;
  if (m.to !== undefined) {
    if (e.to === null) return false;
    if (m.to.cloud !== undefined && m.to.cloud !== e.to.cloud) return false;
    if (m.to.region !== undefined && m.to.region !== e.to.region) return false;
    if (m.to.spot !== undefined && m.to.spot !== e.to.spot) return false;
  }
  const at = e.endedAtMs ?? e.startedAtMs;
  if (m.after !== undefined && at < m.after) return false;
  if (m.before !== undefined && at > m.before) return false;
  return true;
}

/** What SCENARIOS.md checks on every run, written or not. */
export function checkInvariants(f: RunFacts): string[] {
  const out: string[] = [];
  if (f.crash !== null) out.push(`crashed: ${f.crash.split("\n")[0]}`);
  const byId = new Map(f.proposals.map((p) => [p.id, p]));
  const approvals = new Map(f.approvals.map((a) => [a.proposalId, a]));
  for (const e of f.executions) {
    if (e.state === "refused") continue;
    const what = describeAction(e);
    if (f.scenario.autonomy === "observe") {
      out.push(`executed in observe mode: ${what}`);
      continue;
    }
    const p = byId.get(e.proposalId);
    const initial = p?.decisions.filter((d) => d.phase === "initial").at(-1);
    if (!initial) {
      out.push(`executed without a recorded policy decision: ${what}`);
      continue;
    }
    if (initial.outcome === "deny") out.push(`executed although the policy denied it: ${what}`);
    if (p!.decisions.some((d) => d.phase === "recheck" && d.outcome === "deny")) out.push(`executed although the re-check before it denied it: ${what}`);
    const needsHuman = initial.outcome === "needs-approval" || f.scenario.autonomy === "approve-all";
    if (needsHuman) {
      const a = approvals.get(e.proposalId);
      if (!a || a.status !== "approved" || a.approver === null) out.push(`executed without a human's approval: ${what}`);
      else if (a.approver === p!.proposer || a.approver === `agent:${p!.proposer}`) out.push(`executed on its proposer's own approval: ${what}`);
    }
  }
  for (const p of f.proposals) {
    if (p.decisions.length === 0) out.push(`proposal ${p.id} (${p.type} of ${p.workloadId}) has no recorded decision`);
    else if (p.decisions.some((d) => d.reasons === 0)) out.push(`proposal ${p.id} (${p.type} of ${p.workloadId}) has a decision without reasons`);
  }
  if (f.scenario.autonomy === "observe" && f.approvals.length > 0) out.push(`observe mode raised ${f.approvals.length} approval request(s)`);
  if (!f.auditOk) out.push(`the audit chain does not verify: ${f.auditProblem ?? "broken"}`);
  return out;
}

/** The scenario's `expect` block, each failed expectation spelled out. */
export function checkExpectations(f: RunFacts): string[] {
  const x = f.scenario.expect;
  const out: string[] = [];
  const succeeded = f.executions.filter((e) => e.state === "succeeded");
  const ran = f.executions.filter((e) => e.state !== "refused");
  for (const m of x.actions) {
    if (succeeded.some((e) => matches(m, e))) continue;
    const near = ran.filter((e) => (m.type === undefined || e.type === m.type) && (m.workload === undefined || e.workloadId === m.workload));
    const seen = near.length > 0 ? `executed instead: ${near.slice(0, 5).map(describeAction).join("; ")}${near.length > 5 ? `; … ${near.length - 5} more` : ""}` : ran.length > 0 ? `executed: ${ran.slice(0, 5).map(describeAction).join("; ")}${ran.length > 5 ? `; … ${ran.length - 5} more` : ""}` : "nothing was executed";
    out.push(`expected ${describeMatch(m)}: none (${seen})`);
  }
  for (const m of x.never) {
    const hits = ran.filter((e) => matches(m, e));
    if (hits.length > 0) out.push(`never ${describeMatch(m)}: executed ${hits.slice(0, 5).map(describeAction).join("; ")}${hits.length > 5 ? `; … ${hits.length - 5} more` : ""}`);
  }
  if (x.approvals) {
    const n = f.approvals.length;
    if (x.approvals.min !== undefined && n < x.approvals.min) out.push(`approvals: ${n} raised, expected at least ${x.approvals.min}`);
    if (x.approvals.max !== undefined && n > x.approvals.max) out.push(`approvals: ${n} raised, expected at most ${x.approvals.max}`);
  }
  if (x.maxCostUsd !== undefined && f.costUsd > x.maxCostUsd) out.push(`cost $${f.costUsd.toFixed(2)} is over maxCostUsd $${x.maxCostUsd.toFixed(2)}`);
  if (x.deadlinesMissed !== undefined && f.deadlinesMissed > x.deadlinesMissed) out.push(`deadlines missed: ${f.deadlinesMissed}, expected at most ${x.deadlinesMissed}`);
  for (const [id, min] of Object.entries(x.minAvailability)) {
    const a = f.availability[id];
    if (a === undefined) out.push(`availability of ${id}: not measured (not an inference workload of this scenario)`);
    else if (a < min) out.push(`availability of ${id} ${(a * 100).toFixed(3)}% is under ${(min * 100).toFixed(3)}%`);
  }
  return out;
}
