import type { Instance, LIST_INSTANCES } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { checkRegionFilter } from "./regions.js";
import { byCloud, count, usdPerHour } from "./result.js";

export function listInstancesHandler(ctx: SimContext, listings: SessionListings): Handler<typeof LIST_INSTANCES> {
  return (args) => {
    const { world } = ctx;
    checkRegionFilter(world, args);
    const { sinceRevision, ...filter } = args;
    if (filter.cloud !== undefined || filter.region !== undefined || filter.workloadId !== undefined || filter.includeEnded === true) {
      const instances = world.listInstances(filter);
      const rate = instances.reduce((a, i) => a + i.usdPerHour, 0);
      return { value: { atMs: world.nowMs, usdPerHour: rate, instances }, text: summary(instances, rate) };
    }
    const changes = listings.chain("list_instances").answer(sinceRevision, (since) => ctx.worldListings.listInstanceChanges(since));
    const { instances, removed, accrued, revision } = changes;
    if (!changes.delta) {
      const rate = instances.reduce((a, i) => a + i.usdPerHour, 0);
      return { value: { atMs: world.nowMs, usdPerHour: rate, instances, revision }, text: `${summary(instances, rate)}\nRevision ${revision}.` };
    }
    const rate = world.liveUsdPerHour();
    const text =
      `Since revision ${sinceRevision}: ${count(instances.length, "instance")} new or changed, ${removed.length} ended, ${accrued.ids.length} only further in cost; ` +
      `${count(instances.length + accrued.ids.length, "live instance")} costing ${usdPerHour(rate)}. Revision ${revision}.`;
    return { value: { atMs: world.nowMs, usdPerHour: rate, instances, revision, delta: { sinceRevision: sinceRevision!, removed, accrued } }, text };
  };
}

function summary(instances: readonly Instance[], rate: number): string {
  const live = instances.filter((i) => i.endedAtMs === null);
  const notices = live.filter((i) => i.interruptionAtMs !== null).length;
  const orphans = live.filter((i) => i.workloadId === null).length;
  const provisioning = live.filter((i) => i.state === "provisioning").length;
  const lines = [`${count(live.length, "live instance")}${live.length > 0 ? ` (${byCloud(live)})` : ""} costing ${usdPerHour(rate)}.`];
  if (instances.length > live.length) lines.push(`${count(instances.length - live.length, "ended instance")} also listed.`);
  if (provisioning > 0) lines.push(`${count(provisioning, "instance")} still provisioning.`);
  if (notices > 0) lines.push(`${count(notices, "spot instance")} with an interruption notice: move their work before interruptionAtMs.`);
  if (orphans > 0) lines.push(`${count(orphans, "orphan")} (no workload).`);
  return lines.join("\n");
}
