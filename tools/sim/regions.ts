import type { Cloud } from "../../src/domain/index.js";
import { SimError } from "../../src/sim/index.js";
import type { WorldReader as World } from "./journaled-world.js";

/*
 * Region checks for filters. The world checks a region when it acts on it, but its read filters
 * (list_instances, get_health with a region alone) match nothing instead of saying the name is wrong.
 */

/** A region named without its cloud must exist in some cloud of the world. */
export function requireKnownRegion(world: World, region: string, field = "region"): void {
  const regions = world.listRegions();
  if (regions.some((r) => r.region === region)) return;
  const known = regions.map((r) => `${r.cloud}/${r.region}`);
  throw new SimError("unknown-region", `unknown region "${region}"`, `use a region this world simulates, e.g. ${known.slice(0, 6).join(", ")} (list_offers lists them all)`, field);
}

/** A cloud (and region, when given) this world simulates. */
export function requireCloudRegion(world: World, cloud: Cloud, region: string | undefined, field = "region", cloudField = field === "region" ? "cloud" : field): void {
  if (!world.clouds.includes(cloud)) {
    throw new SimError("unknown-cloud", `cloud "${cloud}" is not simulated in this world`, `use one of: ${world.clouds.join(", ")}`, cloudField);
  }
  if (region === undefined) return;
  const inCloud = world.listRegions().filter((r) => r.cloud === cloud);
  if (inCloud.some((r) => r.region === region)) return;
  throw new SimError("unknown-region", `unknown region "${region}" for ${cloud}`, `use one of ${cloud}'s regions: ${inCloud.map((r) => r.region).join(", ")}`, field);
}

/** Checks the region filter of a read tool: with or without its cloud. */
export function checkRegionFilter(world: World, filter: { cloud?: Cloud | undefined; region?: string | undefined }): void {
  if (filter.cloud !== undefined) requireCloudRegion(world, filter.cloud, filter.region);
  else if (filter.region !== undefined) requireKnownRegion(world, filter.region);
}
