import { FindingKindSchema, type Finding } from "../domain/index.js";
import type { Raised } from "./raised.js";
import type { DetectorState } from "./state.js";

type Incidents = DetectorState["incidents"];

const KIND_ORDER = new Map(FindingKindSchema.options.map((kind, i) => [kind, i]));

/**
 * Gives each raised condition its incident id, `${kind}/${scope}/${firstSeenAtMs}`: the same id every
 * tick while the condition holds, so the agent can dedupe proposals. An incident that is not raised for
 * fewer than `clearTicks` ticks in a row keeps its id when it comes back (a flickering condition is one
 * incident); one whose server is missing neither closes nor counts, since nothing was seen either way.
 */
export function assignIncidentIds(
  raised: readonly Raised[],
  previous: Incidents,
  atMs: number,
  suspect: ReadonlySet<string>,
  clearTicks: number,
): { findings: Finding[]; incidents: Incidents } {
  const incidents: Incidents = {};
  const findings: Finding[] = [];
  for (const r of raised) {
    const key = `${r.kind}/${r.scope}`;
    if (Object.hasOwn(incidents, key)) continue;
    const firstSeenAtMs = Object.hasOwn(previous, key) ? previous[key]!.firstSeenAtMs : atMs;
    incidents[key] = { firstSeenAtMs, lastSeenAtMs: atMs, missedTicks: 0, server: r.server };
    findings.push({
      id: `${key}/${firstSeenAtMs}`,
      kind: r.kind,
      workloadId: r.workloadId,
      severity: r.severity,
      atMs,
      summary: r.summary,
      facts: r.facts,
    });
  }
  for (const key in previous) {
    if (!Object.hasOwn(previous, key) || Object.hasOwn(incidents, key)) continue;
    const incident = previous[key]!;
    if (suspect.has(incident.server)) incidents[key] = incident;
    else if (incident.missedTicks + 1 < clearTicks) incidents[key] = { ...incident, missedTicks: incident.missedTicks + 1 };
  }
  findings.sort(compareFindings);
  return { findings, incidents };
}

/** Kind in FindingKindSchema's order, then workload, then id: stable across runs and platforms (no locale). */
export function compareFindings(a: Finding, b: Finding): number {
  const ka = KIND_ORDER.get(a.kind) ?? 0;
  const kb = KIND_ORDER.get(b.kind) ?? 0;
  if (ka !== kb) return ka - kb;
  const wa = a.workloadId ?? "";
  const wb = b.workloadId ?? "";
  if (wa !== wb) return wa < wb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
