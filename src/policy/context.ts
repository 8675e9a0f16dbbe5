import { geoOfRegion, inResidency, locationKey, type Placement, type Proposal } from "../domain/index.js";
import type { PolicyFacts } from "./facts.js";
import { circuitOpen, inChangeWindow, localTime, type Guardrails } from "./guardrails.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Cedar has no floats: money in integer cents. */
export function cents(usd: number): number {
  return Math.round(usd * 100);
}

type CedarPlace = { cloud: string; region: string; geo: string; spot: boolean };

function place(p: Placement | null): CedarPlace {
  if (!p) return { cloud: "", region: "", geo: "", spot: false };
  return { cloud: p.cloud, region: p.region, geo: geoOfRegion(p.cloud, p.region), spot: p.spot };
}


export function sourceOf(p: Proposal): Placement | null {
  return p.type === "failover" || p.type === "migrate" ? p.source : null;
}

export function targetOf(p: Proposal): Placement | null {
  return "target" in p ? p.target : null;
}

/**
 * The Cedar context of one action request, without `approved` (the engine sets it per evaluation).
 * Every stateful limit is computed here, from facts passed in, and handed to the policies as numbers.
 */
export function actionContext(p: Proposal, facts: PolicyFacts, g: Guardrails): Record<string, string | number | boolean | CedarPlace> {
  const now = facts.now;
  const source = sourceOf(p);
  const target = targetOf(p);
  const health = (pl: Placement | null, fallback: boolean): boolean => (pl ? facts.health[locationKey(pl.cloud, pl.region)] === "healthy" : fallback);
  const remainingH = (DAY_MS - (((now % DAY_MS) + DAY_MS) % DAY_MS)) / HOUR_MS;
  const netTodayUsd = p.oneOffCostUsd + p.costDeltaUsdPerHour * remainingH;
  const projectedUsd = facts.spendTodayUsd + facts.fleetUsdPerHour * remainingH + netTodayUsd;
  const local = localTime(now, g.changeWindows.timezone);
  const workloadUsdPerHour = facts.workload?.usdPerHour ?? 0;
  return {
    proposer: p.proposer,
    trustLlm: g.trustLlm,
    hasSource: source !== null,
    source: place(source),
    sourceHealthy: health(source, true),
    hasTarget: target !== null,
    target: place(target),
    targetHealthy: health(target, false),
    targetInResidency: target === null || inResidency(facts.workload?.residency ?? [], target.cloud, target.region),
    costDeltaCentsPerHour: cents(p.costDeltaUsdPerHour),
    oneOffCostCents: cents(p.oneOffCostUsd),
    actionNetTodayCents: cents(netTodayUsd),
    workloadCentsPerHourAfter: cents(workloadUsdPerHour + p.costDeltaUsdPerHour),
    downtimeMs: p.expectedDowntimeMs,
    blastRadiusBp: Math.round(p.blastRadius * 10_000),
    costOnly: p.costOnly,
    spendTodayCents: cents(facts.spendTodayUsd),
    projectedSpendTodayCents: cents(projectedUsd),
    budgetCentsPerDay: cents(g.budgetUsdPerDay),
    approvalAboveCentsPerHour: cents(g.approvalRequiredAboveUsdPerHour),
    actionsLastHourWorkload: facts.actionsLastHourWorkload,
    maxActionsPerHourPerWorkload: g.maxActionsPerHourPerWorkload,
    actionsLastHour: facts.actionsLastHour,
    maxActionsPerHour: g.maxActionsPerHour,
    inFlight: facts.inFlight.length,
    circuitOpen: circuitOpen(now, facts.failures, g.circuitBreaker),
    inChangeWindow: inChangeWindow(now, g.changeWindows.prod, g.changeWindows.timezone),
    hour: local.hour,
    weekday: local.weekday,
    prodMaxDowntimeMs: g.prod.maxDowntime,
    prodMaxBlastRadiusBp: Math.round(g.prod.maxBlastRadius * 10_000),
  };
}
