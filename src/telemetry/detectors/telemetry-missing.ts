import type { Raised } from "../raised.js";
import type { MissingSource } from "../sources.js";
import { plural, serverScope } from "../text.js";

/**
 * A tool server whose answer failed, or that reported workloads or health before and reports none now.
 * Its own finding, so that silence is never read as an outage. The error text is the server's: not copied.
 */
export function detectMissingTelemetry(missing: readonly MissingSource[]): Raised[] {
  const raised: Raised[] = [];
  const byServer = new Map<string, MissingSource[]>();
  for (const m of missing) byServer.set(m.server, [...(byServer.get(m.server) ?? []), m]);
  for (const [server, problems] of byServer) {
    const name = serverScope(server);
    const failed = problems.some((p) => p.reason === "source-failed");
    const quiet = problems.filter((p) => p.reason !== "source-failed");
    const what = quiet.map((p) => (p.reason === "no-workloads" ? `no workloads (${p.previousCount} before)` : `no health report (${p.previousCount} before)`));
    raised.push({
      kind: "telemetry-missing",
      scope: name,
      workloadId: null,
      severity: "warning",
      summary: failed
        ? `Tool server ${name} did not answer this tick: its telemetry is missing, and nothing it would report is assumed up or down.`
        : `Tool server ${name} answered with ${what.join(" and ")} for ${plural(Math.max(...quiet.map((p) => p.emptyTicks)), "tick")}: treated as missing telemetry, not as an outage.`,
      facts: {
        server: name,
        sourceFailed: failed,
        noWorkloads: quiet.some((p) => p.reason === "no-workloads"),
        noHealth: quiet.some((p) => p.reason === "no-health"),
        previousWorkloads: quiet.find((p) => p.reason === "no-workloads")?.previousCount ?? null,
        previousHealthReports: quiet.find((p) => p.reason === "no-health")?.previousCount ?? null,
        emptyTicks: quiet.length > 0 ? Math.max(...quiet.map((p) => p.emptyTicks)) : 0,
      },
      server,
    });
  }
  return raised;
}
