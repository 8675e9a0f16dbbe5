import { common } from "../proposal.js";
import { isToken } from "../text.js";
import type { Strategy, StrategyOutcome } from "../types.js";

/**
 * Priority 3. A serving workload whose model drifted: `rollback` to the previous model version when the
 * snapshot knows it (and it is a plain version name); otherwise nothing — a retrain is a human's call.
 */
export const driftStrategy: Strategy = {
  name: "drift",
  kinds: ["drift"],
  plan(ctx, w, findings): StrategyOutcome {
    if (w.kind !== "inference") return null;
    const from = w.modelVersion;
    const to = w.previousModelVersion;
    if (from === null || to === null || from === to || !isToken(from) || !isToken(to)) return { skip: "no-previous-version" };
    const psi = findings.map((f) => f.facts["psi"]).find((v): v is number => typeof v === "number" && Number.isFinite(v));
    const threshold = findings.map((f) => f.facts["threshold"]).find((v): v is number => typeof v === "number" && Number.isFinite(v));
    const measured = psi === undefined ? "" : ` (PSI ${psi.toFixed(3)}${threshold === undefined ? "" : ` over the ${threshold.toFixed(3)} threshold`})`;
    return {
      proposals: [
        {
          ...common(ctx, w.id, "rollback", findings, {
            costDeltaUsdPerHour: 0,
            oneOffCostUsd: 0,
            expectedDowntimeMs: 0,
            // every replica is rolled to the other version
            blastRadius: 1,
            rationale: `Model ${from} of ${w.id} drifted${measured}. Roll every replica back to the previous version ${to}.`,
            costOnly: false,
          }),
          type: "rollback",
          fromVersion: from,
          toVersion: to,
        },
      ],
    };
  },
};
