import type { ActionType, Placement } from "../domain/index.js";
import type { SpotVerdict } from "./uniform-progress.js";

/*
 * Rationales are built from numbers and ids only. Nothing from telemetry text (labels, notes, finding
 * summaries) is ever copied; ids that come from tool servers (instance types, instance ids, model
 * versions) are shown only when they look like ids.
 */

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** An id from a tool server, or `?` when it does not look like one. */
export function token(value: string): string {
  return TOKEN.test(value) ? value : "?";
}

export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

export function usd(n: number): string {
  const sign = n < 0 ? "-" : "";
  return `${sign}$${Math.abs(n).toFixed(2)}`;
}

export function hours(n: number): string {
  return `${n.toFixed(1)} h`;
}

export function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function where(p: Placement): string {
  return `${p.cloud}/${p.region} ${p.spot ? "spot" : "on demand"}${p.instanceType === undefined ? "" : ` (${token(p.instanceType)})`}`;
}

/** Deterministic: the same tick, workload and action give the same id (the store dedupes on it). */
export function proposalId(nowMs: number, workloadId: string, type: ActionType): string {
  return `p-${nowMs}-${workloadId}-${type}`;
}

/** Money and rates rounded to a millionth: no float noise in proposals. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The deadline rule's judgement in words (uniform-progress.ts). */
export function verdictText(v: SpotVerdict): string {
  const numbers = v.slackHours !== null && v.marginHours !== null ? `slack ${hours(v.slackHours)}, margin ${hours(v.marginHours)}` : "";
  const late = v.meetsDeadline ? "" : "; the deadline cannot be met even on demand, so the soonest finish wins";
  switch (v.reason) {
    case "no-deadline":
      return "no deadline: spot when it is cheaper after its expected interruptions";
    case "slack-above-margin":
      return `deadline ${numbers}: spot allowed${late}`;
    case "slack-below-margin":
      return `deadline ${numbers}: slack too thin for spot, on demand${late}`;
    case "stays-on-demand":
      return `on demand with a deadline (${numbers}): stays on demand${late}`;
    case "on-demand-required":
      return `${numbers === "" ? "" : `deadline ${numbers}: `}on demand required${late}`;
  }
}
