import type { GET_HEALTH, HealthReport } from "../../src/domain/index.js";
import type { Handler } from "../kit/index.js";
import type { SimContext } from "./context.js";
import type { SessionListings } from "./listing.js";
import { checkRegionFilter } from "./regions.js";
import { count } from "./result.js";

/** Services below their SLO named in the text at most; the structured answer has them all. */
const MAX_BELOW_SLO_LISTED = 50;

export function getHealthHandler(ctx: SimContext, listings: SessionListings): Handler<typeof GET_HEALTH> {
  return (args) => {
    const { world } = ctx;
    checkRegionFilter(world, args);
    const { sinceRevision, ...filter } = args;
    if (filter.cloud !== undefined || filter.region !== undefined) {
      const h = world.getHealth(filter);
      return { value: h, text: summary(h) };
    }
    const changes = listings.chain("get_health").answer(sinceRevision, (since) => ctx.worldListings.getHealthChanges(since));
    const { report: h, removed, revision } = changes;
    if (!changes.delta) return { value: { ...h, revision }, text: `${summary(h)}\nRevision ${revision}.` };
    const changed = h.replicas.length + h.interruptions.length + h.services.length;
    const gone = removed.replicas.length + removed.interruptions.length;
    return {
      value: { ...h, revision, delta: { sinceRevision: sinceRevision!, removed } },
      text: `Since revision ${sinceRevision}: ${changed} replicas, notices or services new or changed, ${gone} gone. Revision ${revision}.\n${summary(h)}`,
    };
  };
}

function summary(h: HealthReport): string {
  const down = h.regions.filter((r) => r.state === "down").map((r) => `${r.cloud}/${r.region}`);
  const slow = h.regions.filter((r) => r.addedLatencyMs > 0).map((r) => `${r.cloud}/${r.region} +${r.addedLatencyMs} ms`);
  const stockouts = h.regions.filter((r) => r.stockouts.length > 0).map((r) => `${r.cloud}/${r.region} (${r.stockouts.join(", ")})`);
  const unhealthy = h.replicas.filter((r) => r.state === "unhealthy").length;
  const provisioning = h.replicas.filter((r) => r.state === "provisioning").length;
  const belowSlo = h.services.filter((s) => s.servedWithinSloRps + 1e-9 < s.demandRps);
  const lines = [
    `${count(h.regions.length, "region")}: ${down.length === 0 ? "all up" : `${down.length} down (${down.join(", ")})`}.`,
    `${count(h.replicas.length, "serving replica")}: ${h.replicas.length - unhealthy - provisioning} healthy, ${unhealthy} unhealthy, ${provisioning} provisioning.`,
  ];
  if (slow.length > 0) lines.push(`Added latency: ${slow.join(", ")}.`);
  if (stockouts.length > 0) lines.push(`Stock-outs: ${stockouts.join(", ")}.`);
  if (h.interruptions.length > 0) lines.push(`${count(h.interruptions.length, "spot interruption notice")}: checkpoint or move that work now.`);
  if (belowSlo.length > 0) {
    const shown = belowSlo.slice(0, MAX_BELOW_SLO_LISTED);
    const more = belowSlo.length - shown.length;
    lines.push(
      `Below SLO: ${shown.map((s) => `${s.workloadId} serves ${Math.round(s.servedWithinSloRps)} of ${Math.round(s.demandRps)} requests/second within SLO (p99 ${Math.round(s.latencyP99Ms)} ms)`).join("; ")}${more > 0 ? `; and ${count(more, "more serving workload")}` : ""}.`,
    );
  } else if (h.services.length > 0) lines.push(`All ${count(h.services.length, "serving workload")} within SLO.`);
  return lines.join("\n");
}
