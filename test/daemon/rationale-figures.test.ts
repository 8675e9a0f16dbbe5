import { afterEach, describe, expect, it } from "vitest";
import { parseLocationKey, type Proposal } from "../../src/domain/index.js";
import { DEFAULT_FLEET, DEFAULT_TIMELINE } from "../../src/sim/index.js";
import { startTestDaemon, type TestDaemon } from "./helpers.js";

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

/*
 * What an approver reads must be what the world says: the checkpoint sizes and egress in a migration's
 * rationale are the workload's own (as its tool server reports them), not the planner's configured default.
 */
describe("the figures in a proposal's rationale", () => {
  it("are the world's: each migration names its workload's own checkpoint size and the egress that size costs", async () => {
    d = await startTestDaemon({ workloads: DEFAULT_FLEET, events: DEFAULT_TIMELINE });
    await d.ticks(40);
    const migrations = (await d.daemon.store.proposals.list()).map((s) => s.proposal).filter((p): p is Extract<Proposal, { type: "migrate" }> => p.type === "migrate");
    // the default timeline moves llm-finetune (a spot surge) and asks to move recsys-train (a reclaim)
    expect(new Set(migrations.map((p) => p.workloadId))).toEqual(new Set(["llm-finetune", "recsys-train"]));
    for (const p of migrations) {
      const spec = DEFAULT_FLEET.find((w) => w.id === p.workloadId)!;
      expect(spec.kind).toBe("training");
      const gb = (spec as { checkpointGb: number }).checkpointGb;
      expect(p.checkpointGb, p.id).toBe(gb);
      const sizes = [...p.rationale.matchAll(/(\d+(?:\.\d+)?) GB/g)].map((m) => Number(m[1]));
      expect(sizes.length, p.rationale).toBeGreaterThan(0);
      expect(sizes.every((n) => n === gb), `${p.id}: ${p.rationale}`).toBe(true);
      // egress: the world's price from where the checkpoint is to the target, for that size
      const egress = /egress \$(\d+\.\d\d) for (\d+) GB/.exec(p.rationale);
      expect(egress, p.rationale).not.toBeNull();
      const price = d.host.world.getEgressPrice(parseLocationKey(`${p.source.cloud}/${p.source.region}`), p.target);
      expect(Number(egress![1]), p.rationale).toBeCloseTo(price.usdPerGb * gb, 2);
    }
  }, 120_000);
});
