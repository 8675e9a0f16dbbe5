import { afterEach, describe, expect, it } from "vitest";
import { CHAT, executed, startTestDaemon, type TestDaemon } from "./helpers.js";

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

/** The failover-free way to raise a service's cost: a demand surge it can only meet with more replicas. */
const SURGE = { at: "2m", traffic: { workload: "chat", factor: 2.5, for: "1h" } } as const;

async function scaleDecisions(t: TestDaemon): Promise<{ outcome: string; reasons: string[] }[]> {
  const out: { outcome: string; reasons: string[] }[] = [];
  for (const p of await t.daemon.store.proposals.list()) {
    if (p.proposal.type !== "scale") continue;
    for (const dec of await t.daemon.store.decisions.listFor(p.proposal.id)) if (dec.phase === "initial") out.push({ outcome: dec.outcome, reasons: dec.reasons.map((r) => r.id) });
  }
  return out;
}

describe("a workload's own cost cap, through the daemon", () => {
  it("stops a scale-up that would take the workload over its maxUsdPerHour from running on its own: it asks a human, and nothing runs unanswered", async () => {
    d = await startTestDaemon({ workloads: [{ ...CHAT, maxUsdPerHour: 4 }], events: [SURGE] });
    await d.ticks(8);
    const decisions = await scaleDecisions(d);
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions[0]).toEqual({ outcome: "needs-approval", reasons: ["workload-cost-cap"] });
    expect((await d.daemon.approvals.pending()).map((a) => a.type)).toContain("scale");
    expect((await executed(d.daemon)).filter((e) => e.type === "scale")).toEqual([]);
    // the policy saw the cap the tool server reported, and the decision keeps the workload as it saw it
    const [p] = (await d.daemon.store.proposals.list()).filter((x) => x.proposal.type === "scale");
    expect((await d.daemon.store.decisions.latest(p!.proposal.id))?.workload).toMatchObject({ id: "chat", maxUsdPerHour: 4, tier: "prod" });
  }, 60_000);

  it("lets the same scale-up run on its own without a cap", async () => {
    d = await startTestDaemon({ workloads: [CHAT], events: [SURGE] });
    await d.ticks(8);
    const decisions = await scaleDecisions(d);
    expect(decisions[0]?.outcome).toBe("allow");
    expect((await executed(d.daemon)).filter((e) => e.type === "scale").map((e) => e.state)).toContain("succeeded");
  }, 60_000);
});
