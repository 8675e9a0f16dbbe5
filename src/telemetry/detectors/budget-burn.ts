import type { DetectorConfig } from "../config.js";
import type { Raised } from "../raised.js";
import type { BudgetTrack } from "../state.js";
import { hours, round, usd } from "../text.js";
import type { SnapshotView } from "../view.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Spend so far today (UTC) plus the fleet's rate until midnight exceeds `budgetUsdPerDay`.
 *
 * Tool servers report cumulative cost (per workload, and per instance for orphans), so today's spend is
 * the sum of the increases of each server's total since the previous tick; across midnight the increase
 * is split in proportion to time. A server seen for the first time (or again after it was gone)
 * contributes its live instances' cost pro-rated to the part of their life that fell today, since what
 * it spent earlier today is otherwise unknown. The total of a server whose telemetry is missing, in whole
 * or in part, is kept as it was, and its spend is counted when it reports in full again.
 */
export function detectBudgetBurn(
  view: SnapshotView,
  previous: BudgetTrack | null,
  previousAtMs: number | null,
  config: DetectorConfig,
): { raised: Raised[]; budget: BudgetTrack } {
  const atMs = view.atMs;
  const dayStartMs = Math.floor(atMs / DAY_MS) * DAY_MS;
  const totals = new Map<string, number>();
  const add = (server: string, usd: number): void => {
    totals.set(server, (totals.get(server) ?? 0) + usd);
  };
  for (const { workload: w } of view.workloads) add(w.server, w.costUsd);
  // instances of no workload; a completed job's leftovers are in its workload's cost already
  for (const i of view.orphans) if (i.workloadId === null) add(i.server, i.costUsd);

  const newServers = new Set<string>();
  let increase = 0;
  for (const [server, total] of totals) {
    // a server missing some of its telemetry reports a partial total: counted when it is whole again
    if (view.sources.suspect.has(server)) continue;
    const before = previous && Object.hasOwn(previous.totals, server) ? previous.totals[server]! : undefined;
    if (before === undefined) newServers.add(server);
    else increase += Math.max(0, total - before);
  }
  let fresh = 0;
  // (no server is new on the usual tick: the fleet's instances need no look)
  if (newServers.size > 0) {
    for (const i of view.liveInstances) {
      if (!newServers.has(i.server) || atMs <= i.launchedAtMs) continue;
      fresh += (i.costUsd * (atMs - Math.max(dayStartMs, i.launchedAtMs))) / (atMs - i.launchedAtMs);
    }
  }
  let spentTodayUsd: number;
  if (previous === null || previous.dayStartMs === dayStartMs) {
    spentTodayUsd = (previous?.spentTodayUsd ?? 0) + increase + fresh;
  } else {
    const since = previousAtMs !== null && previousAtMs < atMs ? previousAtMs : dayStartMs;
    const todayShare = since < dayStartMs ? (atMs - dayStartMs) / (atMs - since) : 1;
    spentTodayUsd = increase * todayShare + fresh;
  }
  const nextTotals: Record<string, number> = {};
  for (const server of [...new Set([...totals.keys(), ...Object.keys(previous?.totals ?? {})])].sort()) {
    if (view.sources.suspect.has(server)) {
      if (previous && Object.hasOwn(previous.totals, server)) nextTotals[server] = previous.totals[server]!;
    } else if (totals.has(server)) {
      nextTotals[server] = totals.get(server)!;
    }
  }
  const budget: BudgetTrack = { dayStartMs, spentTodayUsd, totals: nextTotals };

  const raised: Raised[] = [];
  if (config.budgetUsdPerDay === null) return { raised, budget };
  let usdPerHour = 0;
  for (const i of view.liveInstances) usdPerHour += i.usdPerHour;
  const hoursLeft = (dayStartMs + DAY_MS - atMs) / HOUR_MS;
  const projectedUsd = spentTodayUsd + usdPerHour * hoursLeft;
  if (projectedUsd <= config.budgetUsdPerDay) return { raised, budget };
  raised.push({
    kind: "budget-burn",
    scope: "fleet",
    workloadId: null,
    severity: spentTodayUsd >= config.budgetUsdPerDay ? "critical" : "warning",
    summary:
      `Spend today is ${usd(spentTodayUsd)} and the fleet costs ${usd(usdPerHour)}/h; by midnight UTC (${hours(hoursLeft)} left) ` +
      `that makes ${usd(projectedUsd)} against a daily budget of ${usd(config.budgetUsdPerDay)}.`,
    facts: {
      spentTodayUsd: round(spentTodayUsd),
      usdPerHour: round(usdPerHour),
      hoursLeftToday: round(hoursLeft),
      projectedUsd: round(projectedUsd),
      budgetUsdPerDay: config.budgetUsdPerDay,
      overBudgetUsd: round(projectedUsd - config.budgetUsdPerDay),
      liveInstances: view.liveInstances.length,
    },
    server: "",
  });
  return { raised, budget };
}
