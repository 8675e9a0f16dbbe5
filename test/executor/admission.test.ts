import { afterAll, describe, expect, it } from "vitest";
import type { Proposal } from "../../src/domain/index.js";
import type { RecheckResult } from "../../src/executor/index.js";
import { allow, drive, rig, tempDir } from "./helpers.js";
import { migrateProposal, scaleProposal, servingWorld, trainingWorld } from "./worlds.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const dbPath = () => tmp.path(`admission-${++n}.db`);

describe("the policy recheck just before execution", () => {
  it("refuses a proposal the policy no longer allows, records why, and calls no tool", async () => {
    const host = servingWorld();
    const r = await rig(host, dbPath());
    const p = scaleProposal();
    const reasons = [{ source: "guardrail" as const, id: "budget-exceeded", reason: "spend today is over the team's budget" }];
    const seen: Proposal[] = [];
    const recheck = (q: Proposal): RecheckResult => {
      seen.push(q);
      return { outcome: "needs-approval", reasons };
    };

    const answer = await r.executor.start(p, recheck);

    expect(answer).toEqual({ refused: reasons, executionId: `exec-${p.id}` });
    expect(seen.map((q) => q.id)).toEqual([p.id]);
    expect(r.port.calls).toEqual([]);
    const stored = await r.repo.require(`exec-${p.id}`);
    expect([stored.state, stored.steps, stored.endedAtMs]).toEqual(["refused", [], host.world.nowMs]);
    expect(stored.error).toBe("refused by the policy recheck (needs-approval): budget-exceeded: spend today is over the team's budget");
    // asking again answers from the record: no second recheck, still nothing run
    expect(await r.executor.start(p, recheck)).toEqual(answer);
    expect(seen).toHaveLength(1);
    expect(await r.repo.countInFlight()).toBe(0);
  });

  it("fails closed when the recheck throws", async () => {
    const host = servingWorld();
    const r = await rig(host, dbPath());
    const answer = await r.executor.start(scaleProposal(), async () => {
      throw new Error("policy set failed to load");
    });
    expect(answer).toMatchObject({ refused: [{ source: "engine", id: "recheck-failed", reason: "the policy recheck failed: policy set failed to load" }] });
    expect(r.port.calls).toEqual([]);
  });

  it("starts a proposal once: a second start returns the same execution without rechecking", async () => {
    const host = servingWorld();
    const r = await rig(host, dbPath());
    const p = scaleProposal();
    let rechecks = 0;
    const counted = () => {
      rechecks++;
      return allow();
    };
    const first = await r.executor.start(p, counted);
    const again = await r.executor.start(p, counted);
    expect(rechecks).toBe(1);
    expect("id" in again && again.id).toBe("id" in first && first.id);
    expect(r.port.changing()).toHaveLength(1);
  });
});

describe("maxInFlight", () => {
  it("answers queued while maxInFlight executions are in flight, records nothing, and admits the proposal once one finishes", async () => {
    const host = trainingWorld();
    const r = await rig(host, dbPath(), { maxInFlight: 1 });
    const migrate = migrateProposal();
    const other = { ...migrateProposal("p-second"), workloadId: "llm-finetune" };
    let rechecks = 0;
    const counted = () => {
      rechecks++;
      return allow();
    };

    const first = await r.executor.start(migrate, counted);
    expect("state" in first && first.state).toBe("waiting");
    const queued = await r.executor.start(other, counted);
    expect(queued).toEqual({ queued: { inFlight: 1, maxInFlight: 1 } });
    expect(await r.repo.getByProposalId(other.id)).toBeNull();
    expect(rechecks).toBe(1); // a full executor does not ask the policy engine

    const end = await drive(r.executor, host, `exec-${migrate.id}`);
    expect(end.state).toBe("succeeded");
    const admitted = await r.executor.start(other, counted);
    expect("state" in admitted && admitted.state).toBe("waiting");
    expect(await r.repo.countInFlight()).toBe(1);
  });

  it("advances every execution in flight on each tick", async () => {
    const host = servingWorld();
    const r = await rig(host, dbPath(), { maxInFlight: 2 });
    await r.executor.start(scaleProposal("p-a", 3), allow);
    await r.executor.start({ ...scaleProposal("p-b", 3), target: { cloud: "aws", region: "us-east-1", spot: false } }, allow);
    expect(await r.executor.start(scaleProposal("p-c", 4), allow)).toEqual({ queued: { inFlight: 2, maxInFlight: 2 } });
    for (let tick = 0; tick < 40 && (await r.repo.countInFlight()) > 0; tick++) {
      await r.executor.advanceAll();
      host.advanceBy(15_000);
    }
    expect([(await r.repo.require("exec-p-a")).state, (await r.repo.require("exec-p-b")).state]).toEqual(["succeeded", "succeeded"]);
    const d = Object.fromEntries(host.world.getWorkload("chat-api").deployments.map((x) => [x.location, x.replicas]));
    expect(d).toEqual({ "aws/us-east-1": 3, "gcp/us-central1": 3 });
  });

  it("shares one run between concurrent advances of the same execution", async () => {
    const host = servingWorld();
    const r = await rig(host, dbPath());
    const p = scaleProposal();
    await r.executor.start(p, allow);
    host.advanceBy(5 * 60_000);
    const calls = r.port.calls.length;
    const [a, b] = await Promise.all([r.executor.advance(`exec-${p.id}`), r.executor.advance(`exec-${p.id}`)]);
    expect(a).toEqual(b);
    expect(a.state).toBe("succeeded");
    expect(r.port.calls.length - calls).toBe(1); // one look at the replicas, not two
  });
});
