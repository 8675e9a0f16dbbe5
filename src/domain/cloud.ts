import { z } from "zod";

/** The clouds skyops places work on. `k8s` is a Kubernetes cluster reached through its own tool server. */
export const CloudSchema = z.enum(["aws", "gcp", "azure"]);
export type Cloud = z.infer<typeof CloudSchema>;
export const CLOUDS: readonly Cloud[] = CloudSchema.options;

/** Coarse geographies used by residency rules. */
export const GeoSchema = z.enum(["us", "eu", "asia", "other"]);
export type Geo = z.infer<typeof GeoSchema>;

/** A region name: lower-case letters, digits and dashes (`us-east-1`, `europe-west4`, `eastus`). */
export const RegionNameSchema = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, "region names are lower-case letters, digits and dashes");

export const RegionSchema = z.object({
  cloud: CloudSchema,
  name: RegionNameSchema,
  geo: GeoSchema,
});
export type Region = z.infer<typeof RegionSchema>;

/** `cloud/region`, the key of a deployment or a placement (`aws/us-east-1`). */
export const LocationKeySchema = z
  .string()
  .regex(/^(aws|gcp|azure)\/[a-z][a-z0-9-]*[a-z0-9]$/, "a location is written cloud/region, e.g. aws/us-east-1");
export type LocationKey = z.infer<typeof LocationKeySchema>;

export function locationKey(cloud: Cloud, region: string): LocationKey {
  return `${cloud}/${region}`;
}

export function parseLocationKey(key: string): { cloud: Cloud; region: string } {
  const parsed = LocationKeySchema.parse(key);
  const slash = parsed.indexOf("/");
  return { cloud: CloudSchema.parse(parsed.slice(0, slash)), region: parsed.slice(slash + 1) };
}

/**
 * Whether `cloud/region` is inside a residency list: geographies (`us`, `eu`, `asia`) or exact region names;
 * an empty list allows anywhere. The one residency rule: the detectors, the planner and the policy engine all
 * ask this.
 */
export function inResidency(residency: readonly string[], cloud: Cloud, region: string, geo: Geo = geoOfRegion(cloud, region)): boolean {
  if (residency.length === 0) return true;
  for (const entry of residency) if (entry === geo || entry === region) return true;
  return false;
}

/**
 * The geography of a region, from its name. Every cloud's naming is covered: AWS (`us-`, `eu-`, `ap-`),
 * GCP (`us-`, `europe-`, `asia-`, `northamerica-`), Azure (`eastus`, `westeurope`, `japaneast`…).
 */
export function geoOfRegion(cloud: Cloud, region: string): Geo {
  const r = region.toLowerCase();
  if (cloud === "azure") {
    if (/(us|usgov|canada|brazil|mexico)/.test(r) && !/australia|austria/.test(r)) {
      return /canada|brazil|mexico/.test(r) ? "other" : "us";
    }
    if (/europe|uk|france|germany|norway|sweden|switzerland|poland|italy|spain|austria/.test(r)) return "eu";
    if (/asia|japan|korea|india|singapore|hongkong|australia/.test(r)) return "asia";
    return "other";
  }
  if (r.startsWith("us-") || r.startsWith("northamerica-")) return r.startsWith("us-") ? "us" : "other";
  if (r.startsWith("eu-") || r.startsWith("europe-")) return "eu";
  if (r.startsWith("ap-") || r.startsWith("asia-") || r.startsWith("australia-")) return "asia";
  return "other";
}
