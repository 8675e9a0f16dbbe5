import { z } from "zod";

export const FindingKindSchema = z.enum([
  "price-surge",
  "preemption-notice",
  "workload-stalled",
  "stockout",
  "region-unhealthy",
  "endpoint-unhealthy",
  "slo-breach",
  "drift",
  "budget-burn",
  "deadline-at-risk",
  "orphan-instance",
  "telemetry-missing",
  "telemetry-invalid",
]);
export type FindingKind = z.infer<typeof FindingKindSchema>;

/** Something a detector saw in one snapshot that may call for an action. */
export const FindingSchema = z.object({
  id: z.string(),
  kind: FindingKindSchema,
  workloadId: z.string().nullable(),
  severity: z.enum(["info", "warning", "critical"]),
  atMs: z.number().int(),
  /** Plain words. Never copied from untrusted telemetry text. */
  summary: z.string(),
  /** Numbers that made the detector fire (e.g. `{psi: 0.35, threshold: 0.2}`). */
  facts: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});
export type Finding = z.infer<typeof FindingSchema>;
