import type { DriftReport, GET_DRIFT } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { count } from "./result.js";

/** PSI above this is commonly read as a significant shift. */
const PSI_ALERT = 0.2;

/** Reports past this many are summed up in one line of text (the structured answer has them all). */
const MAX_LINES = 200;

export function getDriftHandler(ctx: SimContext, listings: SessionListings): Handler<typeof GET_DRIFT> {
  return (args) => {
    const { world } = ctx;
    if (args.workloadId !== undefined) {
      const reports = [world.getDrift(args.workloadId)];
      return { value: { atMs: world.nowMs, reports }, text: text(reports) };
    }
    const { reports, revision, delta } = listings.chain("get_drift").answer(args.sinceRevision, (since) => ctx.worldListings.getDriftChanges(since));
    if (!delta) return { value: { atMs: world.nowMs, reports, revision }, text: `${text(reports)}\nRevision ${revision}.` };
    return {
      value: { atMs: world.nowMs, reports, revision, delta: { sinceRevision: args.sinceRevision!, removed: [] } },
      text: `Since revision ${args.sinceRevision}: ${count(reports.length, "report")} changed. Revision ${revision}.\n${text(reports)}`,
    };
  };
}

function text(reports: readonly DriftReport[]): string {
  const drifting = reports.filter((r) => r.predictionPsi > PSI_ALERT);
  const lines = [`${count(reports.length, "serving workload")}: ${drifting.length === 0 ? `none over PSI ${PSI_ALERT}` : `${drifting.length} over PSI ${PSI_ALERT}`}.`];
  // the drifting first: with many reports, the lines that matter must not be the ones cut
  const ordered = [...drifting, ...reports.filter((r) => r.predictionPsi <= PSI_ALERT)];
  for (const r of ordered.slice(0, MAX_LINES)) lines.push(`${r.workloadId} (model ${r.modelVersion}): prediction PSI ${r.predictionPsi.toFixed(3)}, worst feature ${worst(r.features)}.`);
  if (ordered.length > MAX_LINES) lines.push(`… and ${count(ordered.length - MAX_LINES, "more report")}.`);
  return lines.join("\n");
}

function worst(features: readonly { feature: string; psi: number }[]): string {
  const top = [...features].sort((a, b) => b.psi - a.psi)[0];
  return top ? `${top.feature} PSI ${top.psi.toFixed(3)}` : "none";
}
