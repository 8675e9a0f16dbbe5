import type { Finding, FindingKind } from "../domain/index.js";

/** What a detector reports: a finding before it has its incident id. */
export interface Raised {
  kind: FindingKind;
  /** What the incident is about: a workload id, `workload/location`, an instance id, a server, `fleet`. */
  scope: string;
  workloadId: string | null;
  severity: Finding["severity"];
  /** Plain words from numbers and identifiers only. */
  summary: string;
  facts: Finding["facts"];
  /** The server whose telemetry shows the condition. */
  server: string;
}
