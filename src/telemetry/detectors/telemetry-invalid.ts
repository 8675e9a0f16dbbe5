import type { Snapshot } from "../../domain/index.js";
import type { Raised } from "../raised.js";
import { isSafeId, serverScope } from "../text.js";

/**
 * Records a server sent that failed their schema (dropped by observe and listed in `source.invalid`), or
 * that reached detect() with numbers or identifiers no detector may trust (NaN, negative, absurd,
 * sentences where an id belongs). They take part in no other finding. The problems' text is not copied:
 * only counts, and the names of the tools when they look like tool names.
 */
export function detectInvalidTelemetry(snapshot: Snapshot, rejected: ReadonlyMap<string, number>): Raised[] {
  const byServer = new Map<string, { reported: number; tools: Set<string>; rejected: number }>();
  const entry = (server: string): { reported: number; tools: Set<string>; rejected: number } => {
    let e = byServer.get(server);
    if (!e) byServer.set(server, (e = { reported: 0, tools: new Set(), rejected: 0 }));
    return e;
  };
  for (const s of snapshot.sources) {
    if (s.invalid.length === 0) continue;
    const e = entry(s.server);
    e.reported += s.invalid.length;
    for (const i of s.invalid) if (/^[a-z][a-z0-9_]{0,63}$/.test(i.tool)) e.tools.add(i.tool);
  }
  for (const [server, n] of rejected) entry(server).rejected += n;
  const raised: Raised[] = [];
  for (const [server, e] of byServer) {
    const name = serverScope(server);
    const total = e.reported + e.rejected;
    const tools = [...e.tools].sort().filter(isSafeId);
    raised.push({
      kind: "telemetry-invalid",
      scope: name,
      workloadId: null,
      severity: "warning",
      summary:
        `Tool server ${name} sent ${total} invalid record${total === 1 ? "" : "s"}` +
        (tools.length > 0 ? ` (from ${tools.join(", ")})` : "") +
        `; they were dropped and cause no action.`,
      facts: { server: name, invalidRecords: total, reportedBySource: e.reported, rejectedByDetectors: e.rejected, tools: tools.join(",") },
      server,
    });
  }
  return raised;
}
