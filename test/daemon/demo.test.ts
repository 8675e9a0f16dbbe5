import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_FLEET, DEFAULT_START_MS, DEFAULT_STORY, DEFAULT_TIMELINE, type StoryBeat } from "../../src/sim/index.js";
import { startTestDaemon, type TestDaemon } from "./helpers.js";

/*
 * The `npm start` demo as a person meets it: the README's table says what happens when, and the daemon
 * does just that; and an approval request stays open long enough to answer from a second terminal.
 */
let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

/** The README's table, rendered from the beats. */
function storyTable(beats: readonly StoryBeat[]): string {
  const rows = beats.map((b) => `| ${b.atMin} min | ${b.event} | ${b.action === null ? "—" : `${b.proposedMin[0]}–${b.proposedMin[1]} min`} | ${b.says} |`);
  return ["| simulated time | event | skyops acts | what skyops does |", "|---|---|---|---|", ...rows].join("\n");
}

async function defaultWorld(config: Record<string, unknown> = {}): Promise<TestDaemon> {
  const t = await startTestDaemon({ seed: 42, workloads: DEFAULT_FLEET, events: DEFAULT_TIMELINE }, config);
  // the default world's forgotten debug box (tools/sim/default-world.ts launches it so)
  t.host.ops.launch({ cloud: "aws", region: "us-east-1", instanceType: "g5.xlarge", spot: false, count: 1, workloadId: null, idempotencyKey: "default-world/forgotten-debug-box" });
  return t;
}

describe("the npm start demo", () => {
  it("has the README's table, rendered from the default timeline's beats", () => {
    expect(readFileSync("README.md", "utf8")).toContain(storyTable(DEFAULT_STORY));
  });

  it("does what the table says, when it says", async () => {
    d = await defaultWorld();
    await d.ticks(46);
    const minute = (ms: number): number => (ms - DEFAULT_START_MS) / 60_000;
    const proposals = (await d.daemon.store.proposals.list()).map((s) => s.proposal);
    for (const beat of DEFAULT_STORY) {
      const mine = proposals.filter((p) => p.workloadId === beat.workload && minute(p.createdAtMs) >= beat.atMin);
      if (beat.action === null) {
        // nothing the note asks for: no terminate, nothing for its workload after it but what the outage called for
        expect(proposals.filter((p) => p.type === "terminate" && p.workloadId !== "orphan-instances"), beat.event).toEqual([]);
        expect(mine.filter((p) => minute(p.createdAtMs) >= beat.proposedMin[0]).map((p) => p.type), beat.event).toEqual([]);
        continue;
      }
      const p = mine.find((x) => x.type === beat.action);
      expect(p, `${beat.event}: no ${beat.action} of ${beat.workload}`).toBeDefined();
      const at = minute(p!.createdAtMs);
      expect(at >= beat.proposedMin[0] && at <= beat.proposedMin[1], `${beat.event}: ${beat.action} proposed at ${at} min, the table says ${beat.proposedMin.join("–")}`).toBe(true);
      const decision = (await d.daemon.store.decisions.listFor(p!.id)).find((x) => x.phase === "initial")!;
      if (beat.how === "on its own") {
        expect([beat.event, decision.outcome]).toEqual([beat.event, "allow"]);
        expect([beat.event, (await d.daemon.store.executions.getByProposalId(p!.id))?.state]).toEqual([beat.event, "succeeded"]);
      } else {
        expect([beat.event, decision.outcome]).toEqual([beat.event, "needs-approval"]);
        expect((await d.daemon.store.approvals.get(p!.id))?.status, beat.event).toBeDefined();
      }
    }
  }, 120_000);

  it("keeps an approval request open at least five wall minutes whatever the speed", async () => {
    d = await defaultWorld({ speed: 60 });
    await d.ticks(10);
    const [request] = await d.daemon.store.approvals.listPending();
    expect(request).toBeDefined();
    // at 60x, five wall minutes are 300 simulated ones: longer than the policy's 30-minute approvalExpiry
    expect(request!.expiresAtMs - request!.requestedAtMs).toBe(300 * 60_000);
  }, 120_000);

  it("keeps the policy's approvalExpiry where the world runs at wall speed", async () => {
    d = await defaultWorld({ speed: 1 });
    await d.ticks(10);
    const [request] = await d.daemon.store.approvals.listPending();
    expect(request!.expiresAtMs - request!.requestedAtMs).toBe(30 * 60_000);
  }, 120_000);
});
