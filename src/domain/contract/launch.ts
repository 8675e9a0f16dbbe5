import { z } from "zod";
import { InstanceSchema } from "../instance.js";
import { CloudInputSchema, GpuInputSchema, IdempotencyKeySchema, RegionInputSchema, WorkloadIdSchema } from "./inputs.js";
import { AnswerAtMsSchema } from "./outputs.js";
import { changeHints, defineTool } from "./tool.js";

export const LaunchInputSchema = z.strictObject({
  cloud: CloudInputSchema,
  region: RegionInputSchema,
  zone: z.string().min(1).max(64).optional().describe("Availability zone; default: the cheapest zone with capacity"),
  instanceType: z.string().min(1).max(128).optional().describe("Instance type from list_offers (give this or gpu)"),
  gpu: GpuInputSchema.optional().describe("Accelerator shape per instance, e.g. A100:8: the cheapest offer with exactly it is chosen (give this or instanceType)"),
  spot: z.boolean().describe("true: spot (cheaper, can be reclaimed at short notice: see get_health's interruption notices); false: on-demand"),
  count: z.number().int().min(1).max(1_000).describe("Number of instances, 1 to 1000"),
  workloadId: WorkloadIdSchema.nullable().optional().describe("Workload the instances are for (labels them; serving replicas join its deployment in this region); omit for none"),
  idempotencyKey: IdempotencyKeySchema,
});

export const LaunchOutputSchema = z.object({
  atMs: AnswerAtMsSchema,
  usdPerHour: z.number().finite().nonnegative(),
  instances: z.array(InstanceSchema),
});

export const LAUNCH = defineTool({
  name: "launch",
  title: "Launch instances",
  description:
    "Launches count instances of one offer in a cloud region, spot or on-demand, by instanceType or by accelerator shape (gpu). " +
    "They start provisioning (each instance's readyAtMs, ms since epoch, says when it is expected to run) and bill at the offer's price in USD/hour from now. " +
    "Not destructive: it only adds instances. Idempotent: the same idempotencyKey with the same arguments returns the same instances and launches nothing more. " +
    "For a training job, launch with its workloadId and then call resume_from_checkpoint with the returned instance ids; for a serving workload, prefer scale.",
  inputSchema: LaunchInputSchema,
  outputSchema: LaunchOutputSchema,
  annotations: changeHints(false),
  listing: null,
  errors: ["invalid-target", "not-found", "invalid-argument", "no-capacity", "quota-exceeded", "idempotency-mismatch"],
});
