import { z } from "zod";
import { CloudSchema, RegionNameSchema } from "./cloud.js";
import { UsdPerHourSchema } from "./units.js";

/** An accelerator shape, written `NAME:COUNT` in scenarios and configuration (`A100:8`, `L4:1`). */
export const GpuShapeSchema = z.object({
  name: z.string().min(1).max(40),
  count: z.number().int().positive().max(64),
});
export type GpuShape = z.infer<typeof GpuShapeSchema>;

/** Parses `A100:8` (or `A100`, meaning one) into a GpuShape; throws naming the bad text. */
export function parseGpuShape(text: string): GpuShape {
  const m = /^([A-Za-z0-9][A-Za-z0-9 ._-]*?)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not an accelerator shape: write NAME:COUNT, e.g. A100:8`);
  const count = m[2] === undefined ? 1 : Number(m[2]);
  return GpuShapeSchema.parse({ name: m[1], count });
}

export const GpuShapeTextSchema = z.string().transform((value, ctx) => {
  try {
    return parseGpuShape(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * One purchasable instance type in one region (and zone where the cloud prices per zone), as the
 * catalog lists it. Prices are the list prices; the simulator's current prices may differ (spot moves).
 */
export const OfferSchema = z.object({
  /** Stable id: `cloud:region:zone:instanceType` (zone empty where the cloud prices per region). */
  id: z.string().min(1),
  cloud: CloudSchema,
  region: RegionNameSchema,
  /** Availability zone, or null for clouds priced per region (Azure). */
  zone: z.string().min(1).nullable(),
  instanceType: z.string().min(1),
  /** Accelerator name as in the catalog (`A100`, `H100`, `L4`), null for CPU-only types. */
  accelerator: z.string().min(1).nullable(),
  acceleratorCount: z.number().int().nonnegative(),
  gpuMemoryGb: z.number().nonnegative().nullable(),
  vcpus: z.number().nonnegative(),
  memoryGb: z.number().nonnegative(),
  /** On-demand list price, USD/hour; null where the catalog has none. */
  onDemandUsdPerHour: UsdPerHourSchema.nullable(),
  /** Spot (preemptible, low-priority) list price, USD/hour; null where spot is not sold. */
  spotUsdPerHour: UsdPerHourSchema.nullable(),
});
export type Offer = z.infer<typeof OfferSchema>;

const usdPerHourNow = z.number().finite().nonnegative();

/** An offer with the prices and spot availability in force now, as `list_offers` answers it. */
export const OfferQuoteSchema = OfferSchema.extend({
  spotUsdPerHourNow: usdPerHourNow.nullable(),
  onDemandUsdPerHourNow: usdPerHourNow.nullable(),
  spotAvailability: z.number().min(0).max(1),
  launchable: z.boolean(),
  spotPriceSource: z.string().nullable(),
  spotAvailabilitySource: z.string().nullable(),
});

export function offerId(cloud: string, region: string, zone: string | null, instanceType: string): string {
  return `${cloud}:${region}:${zone ?? ""}:${instanceType}`;
}

/** Whether an offer provides the accelerator named by a shape (case-insensitive, exact name). */
export function offerMatchesAccelerator(offer: Offer, name: string): boolean {
  return offer.accelerator !== null && offer.accelerator.toLowerCase() === name.toLowerCase();
}
