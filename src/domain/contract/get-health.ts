import { z } from "zod";
import { HealthReportSchema } from "../health.js";
import { CloudInputSchema, RegionInputSchema, SinceRevisionInputSchema } from "./inputs.js";
import { RevisionSchema, deltaOf, removedKeys } from "./listing.js";
import { READ_HINTS, defineTool } from "./tool.js";

export const GetHealthInputSchema = z.strictObject({
  cloud: CloudInputSchema.optional(),
  region: RegionInputSchema.optional(),
  sinceRevision: SinceRevisionInputSchema.optional(),
});

export const HealthOutputSchema = HealthReportSchema.extend({
  revision: RevisionSchema.optional(),
  /** In a delta, `regions` is still the whole list; replicas, interruptions and services hold only changes. */
  delta: deltaOf(z.object({ replicas: removedKeys, interruptions: removedKeys, services: removedKeys }), {}).optional(),
});

export const GET_HEALTH = defineTool({
  name: "get_health",
  title: "Health of regions, replicas and services",
  description:
    "Health now: per region state (up/down), added network latency in ms and accelerators out of stock; per serving replica state " +
    "(provisioning/healthy/unhealthy), latency p99 in ms and served requests/second; spot interruption notices (instance, workload, when it is reclaimed, ms since epoch); " +
    "per serving workload demand and served-within-SLO in requests/second and latency p99 in ms. " +
    "Act on it: move work off regions that are down or stocked out, shift traffic away from slow or unhealthy deployments (set_traffic_weights), " +
    "and checkpoint and move training jobs whose instances have interruption notices. " +
    "Without filters the answer carries a revision; pass it as sinceRevision next time to get every region but only the replicas, notices and services that changed (delta.removed: gone).",
  inputSchema: GetHealthInputSchema,
  outputSchema: HealthOutputSchema,
  annotations: READ_HINTS,
  listing: {
    report: true,
    whole: ["regions"],
    lists: {
      replicas: { key: "instanceId", orderOf: ["workloadId", "location", "instanceId"] },
      interruptions: { key: "instanceId" },
      services: { key: "workloadId" },
    },
  },
  errors: ["invalid-target"],
});
