import { describe, expect, it } from "vitest";
import { decision, memoryStore, migrateProposal, MINUTE, T0 } from "./helpers.js";

describe("DecisionRepository", () => {
  const store = memoryStore();
  store.proposals.insert(migrateProposal("d-1"));

  it("keeps the initial decision and the re-check before execution, oldest first", () => {
    store.decisions.insert(decision("d-1", T0 + MINUTE, "needs-approval"), "initial");
    store.decisions.insert(decision("d-1", T0 + 5 * MINUTE, "allow"), "recheck");
    const list = store.decisions.listFor("d-1");
    expect(list.map((d) => [d.phase, d.outcome, d.atMs])).toEqual([
      ["initial", "needs-approval", T0 + MINUTE],
      ["recheck", "allow", T0 + 5 * MINUTE],
    ]);
    expect(list[0]).toMatchObject({ proposalId: "d-1", inputDigest: "a".repeat(64), reasons: [{ source: "policy", id: "cost-saving-autonomous" }] });
    expect(store.decisions.latest("d-1")?.phase).toBe("recheck");
    expect(store.decisions.latest("nothing")).toBeNull();
  });

  it("audits each decision with its reasons, by the policy", () => {
    const rows = store.audit.forSubject("d-1").filter((r) => r.event === "decision.recorded");
    expect(rows.map((r) => [r.actor, r.payload["phase"], r.payload["outcome"]])).toEqual([
      ["policy", "initial", "needs-approval"],
      ["policy", "recheck", "allow"],
    ]);
  });

  it("refuses a decision without reasons or about an unknown proposal", () => {
    expect(() => store.decisions.insert({ ...decision("d-1", T0), reasons: [] }, "initial")).toThrow();
    expect(() => store.decisions.insert(decision("ghost", T0), "initial")).toThrow(/FOREIGN KEY/);
    expect(store.decisions.listFor("d-1")).toHaveLength(2);
  });
});
