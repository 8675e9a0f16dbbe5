import type { LIST_WORKLOADS, WorkloadStatus } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { count, usdPerHour } from "./result.js";
import { workloadLine } from "./workload-text.js";

/** Lines of text past this many workloads are summed up in one (the structured answer has them all). */
const MAX_LINES = 200;

export function listWorkloadsHandler(ctx: SimContext, listings: SessionListings): Handler<typeof LIST_WORKLOADS> {
  return (args) => {
    const { world } = ctx;
    if (args.kind !== undefined || args.workloadId !== undefined) {
      let workloads = args.workloadId !== undefined ? [world.getWorkload(args.workloadId)] : world.listWorkloads();
      if (args.kind !== undefined) workloads = workloads.filter((w) => w.kind === args.kind);
      return { value: { atMs: world.nowMs, workloads }, text: text(workloads) };
    }
    const changes = listings.chain("list_workloads").answer(args.sinceRevision, (since) => ctx.worldListings.listWorkloadChanges(since));
    const { workloads, revision, accrued } = changes;
    if (!changes.delta) return { value: { atMs: world.nowMs, workloads, revision }, text: `${text(workloads)}\nRevision ${revision}.` };
    const lines = [
      `Since revision ${args.sinceRevision}: ${count(workloads.length, "workload")} new or changed, ${accrued.ids.length} only further in cost or progress. Revision ${revision}.`,
      ...workloads.slice(0, MAX_LINES).map(workloadLine),
    ];
    if (workloads.length > MAX_LINES) lines.push(`… and ${workloads.length - MAX_LINES} more.`);
    return { value: { atMs: world.nowMs, workloads, revision, delta: { sinceRevision: args.sinceRevision!, removed: [], accrued } }, text: lines.join("\n") };
  };
}

function text(workloads: readonly WorkloadStatus[]): string {
  const rate = workloads.reduce((a, w) => a + w.usdPerHour, 0);
  const lines = [`${count(workloads.length, "workload")} costing ${usdPerHour(rate)}:`, ...workloads.slice(0, MAX_LINES).map(workloadLine)];
  if (workloads.length > MAX_LINES) lines.push(`… and ${count(workloads.length - MAX_LINES, "more workload")} (the structured answer lists them all).`);
  return lines.join("\n");
}
