import { beforeAll, describe, expect, it } from "vitest";
import { decision, memoryStore, migrateProposal, MINUTE, T0 } from "./helpers.js";

describe("DecisionRepository", () => {
  const store = memoryStore();
  beforeAll(async () => {
    await store.proposals.insert(migrateProposal("d-1"));
  });

  it("keeps the initial decision and the re-check before execution, oldest first", async () => {
    await store.decisions.insert(decision("d-1", T0 + MINUTE, "needs-approval"), "initial");
    await store.decisions.insert(decision("d-1", T0 + 5 * MINUTE, "allow"), "recheck");
    const list = await store.decisions.listFor("d-1");
    expect(list.map((d) => [d.phase, d.outcome, d.atMs])).toEqual([
      ["initial", "needs-approval", T0 + MINUTE],
      ["recheck", "allow", T0 + 5 * MINUTE],
    ]);
    expect(list[0]).toMatchObject({ proposalId: "d-1", inputDigest: "a".repeat(64), reasons: [{ source: "policy", id: "cost-saving-autonomous" }] });
    expect((await store.decisions.latest("d-1"))?.phase).toBe("recheck");
    expect(await store.decisions.latest("nothing")).toBeNull();
  });

  it("audits each decision with its reasons, by the policy", async () => {
    const rows = (await store.audit.forSubject("d-1")).filter((r) => r.event === "decision.recorded");
    expect(rows.map((r) => [r.actor, r.payload["phase"], r.payload["outcome"]])).toEqual([
      ["policy", "initial", "needs-approval"],
      ["policy", "recheck", "allow"],
    ]);
  });

  it("refuses a decision without reasons or about an unknown proposal", async () => {
    await expect(store.decisions.insert({ ...decision("d-1", T0), reasons: [] }, "initial")).rejects.toThrow();
    await expect(store.decisions.insert(decision("ghost", T0), "initial")).rejects.toThrow(/FOREIGN KEY/);
    expect(await store.decisions.listFor("d-1")).toHaveLength(2);
  });

  it("counts each proposal once by its latest initial decision, and leaves the rechecks out", async () => {
    await store.proposals.insert(migrateProposal("d-2"));
    await store.proposals.insert(migrateProposal("d-3"));
    // d-2 checked twice (a re-run after a crash): its later initial decision is the one counted
    await store.decisions.insert(decision("d-2", T0 + MINUTE, "needs-approval"), "initial");
    await store.decisions.insert(decision("d-2", T0 + 2 * MINUTE, "deny"), "initial");
    await store.decisions.insert(decision("d-3", T0 + MINUTE, "allow"), "initial");
    await store.decisions.insert(decision("d-3", T0 + 3 * MINUTE, "deny"), "recheck");
    // d-1: needs-approval at first, then an allowing recheck
    expect(await store.decisions.countInitialByOutcome()).toEqual({ allow: 1, "needs-approval": 1, deny: 1 });
  });
});
