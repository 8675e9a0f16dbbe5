import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { DaemonEvent } from "../../src/domain/index.js";
import { formatStatus, statusReport } from "../../src/server/status.js";
import { CHAT, startTestDaemon, TRAINER, type TestDaemon } from "./helpers.js";

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

/** A spot price surge under a training job: a finding the planner answers with a migration. */
const SURGE = { at: "2m", price: { cloud: "aws", region: "us-east-1", gpu: "A100", spot: true, factor: 5, for: "12h" } } as const;
/** Drift on a model with no known predecessor (`v1`): a finding the planner can answer with nothing. */
const FIRST_MODEL = { ...CHAT, modelVersion: "v1" };
const DRIFT = { at: "2m", drift: { workload: "chat", psi: 0.4 } } as const;

describe("why nothing happened", () => {
  it("keeps the planner's reason with the open finding, shows it in skyops status, and publishes it once", async () => {
    d = await startTestDaemon({ workloads: [FIRST_MODEL], events: [DRIFT] });
    const events: DaemonEvent[] = [];
    d.daemon.events.subscribe((e) => events.push(e));
    await d.ticks(12);
    const report = await statusReport(d.daemon.store);
    expect(report.skipped).toEqual([expect.objectContaining({ workload: "chat", kind: "drift", planner: "builtin", strategy: "drift", reason: "no-previous-version", why: "the previous model version is unknown" })]);
    expect(formatStatus(report)).toMatch(/why nothing happened:\n {2}chat +drift +the previous model version is unknown \(builtin planner, drift: no-previous-version\)/);
    const skips = events.filter((e) => e.type === "proposal.skipped");
    expect(skips).toEqual([expect.objectContaining({ workload: "chat", reason: "no-previous-version", strategy: "drift" })]);
    // the finding is news once, when it opens — not at every tick it stays open
    const raised = events.filter((e) => e.type === "finding.raised" && e.kind === "drift");
    expect(raised).toHaveLength(1);
    expect(events.filter((e) => e.type === "proposal.made")).toEqual([]);
  }, 60_000);

  it("clears the reason when a proposal answers the finding, and when the finding closes", async () => {
    d = await startTestDaemon({ workloads: [TRAINER], events: [SURGE, { at: "20m", price: { cloud: "aws", region: "us-east-1", gpu: "A100", spot: true, factor: 0.2, for: "12h" } }] });
    const events: DaemonEvent[] = [];
    d.daemon.events.subscribe((e) => events.push(e));
    await d.ticks(40);
    expect((await statusReport(d.daemon.store)).skipped).toEqual([]);
    expect(events.some((e) => e.type === "proposal.made" && e.action === "migrate")).toBe(true);
    expect(events.some((e) => e.type === "finding.cleared" && e.kind === "price-surge")).toBe(true);
  }, 60_000);

  it("goes on from the reasons a previous process stored: a restart publishes no reason again", async () => {
    d = await startTestDaemon({ workloads: [FIRST_MODEL], events: [DRIFT] });
    await d.ticks(8);
    const state = d.state;
    await d.daemon.close();
    d.host.close();
    const again = await startTestDaemon({ workloads: [FIRST_MODEL], events: [DRIFT] }, {}, state);
    d = again;
    const events: DaemonEvent[] = [];
    again.daemon.events.subscribe((e) => events.push(e));
    await again.ticks(4);
    expect(events.filter((e) => e.type === "proposal.skipped")).toEqual([]);
    expect((await statusReport(again.daemon.store)).skipped.map((s) => s.reason)).toEqual(["no-previous-version"]);
    await again.close();
    d = null;
    rmSync(state, { recursive: true, force: true });
  }, 60_000);
});
