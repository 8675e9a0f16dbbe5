import { offerMatchesAccelerator, ProposalSchema, type Offer, type Proposal, type Reason } from "../domain/index.js";
import { targetOf } from "./context.js";
import type { PolicyFacts } from "./facts.js";

/**
 * Checks before Cedar, each a named validator. The first that fails decides: the proposal is denied
 * with its message. They catch what policies should never have to: malformed input, things that do not
 * exist, no capacity, a conflicting action in flight.
 */
export type ValidatorId = "invalid-proposal" | "unknown-workload" | "unknown-target" | "no-capacity" | "conflict";

export type Validated = { ok: true; proposal: Proposal } | { ok: false; reason: Reason & { id: ValidatorId } };

function fail(id: ValidatorId, reason: string): Validated {
  return { ok: false, reason: { source: "validator", id, reason } };
}

export function validate(input: unknown, facts: PolicyFacts, catalog: readonly Offer[] | null): Validated {
  const parsed = ProposalSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "proposal"}: ${i.message}`);
    return fail("invalid-proposal", `the proposal does not parse: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ""}`);
  }
  const p = parsed.data;
  if (facts.workload === null || facts.workload.id !== p.workloadId) {
    return fail("unknown-workload", `workload "${p.workloadId}" is not known`);
  }
  const target = targetOf(p);
  if (target) {
    const gpu = facts.workload.gpu;
    const where = `${target.cloud}/${target.region}${target.instanceType ? ` (${target.instanceType})` : ""}`;
    const matches = (o: { cloud: string; region: string; instanceType: string; accelerator: string | null }): boolean =>
      o.cloud === target.cloud &&
      o.region === target.region &&
      (target.instanceType === undefined || o.instanceType === target.instanceType) &&
      (gpu === undefined || (o.accelerator !== null && o.accelerator.toLowerCase() === gpu.name.toLowerCase()));
    if (facts.offers !== undefined) {
      const found = facts.offers.filter((o) => matches(o) && (!target.spot || o.spot));
      if (found.length === 0) return fail("unknown-target", `no ${target.spot ? "spot " : ""}offer${gpu ? ` with ${gpu.name}` : ""} in ${where}`);
      if (!found.some((o) => o.launchable && (!target.spot || o.spotAvailability > 0))) {
        return fail("no-capacity", `no capacity${gpu ? ` for ${gpu.name}` : ""} in ${where} now`);
      }
    } else if (catalog !== null) {
      const found = catalog.filter((o) => matches(o) && (!target.spot || o.spotUsdPerHour !== null) && (gpu === undefined || offerMatchesAccelerator(o, gpu.name)));
      if (found.length === 0) return fail("unknown-target", `the catalog has no ${target.spot ? "spot " : ""}offer${gpu ? ` with ${gpu.name}` : ""} in ${where}`);
    }
  }
  const conflict = facts.inFlight.find((f) => f.workloadId === p.workloadId && f.proposalId !== p.id);
  if (conflict) return fail("conflict", `${conflict.type} ${conflict.proposalId} is already executing on "${p.workloadId}"`);
  return { ok: true, proposal: p };
}
