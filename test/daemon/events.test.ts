import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { DaemonEvent } from "../../src/domain/index.js";
import { SAGAS } from "../../src/executor/index.js";
import { CHAT, startTestDaemon, type TestDaemon } from "./helpers.js";

/** A logger whose JSON lines the test reads back. */
function captured(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString("utf8").split("\n")) if (l.length > 0) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

const OUTAGE = { at: "2m", outage: { cloud: "gcp", region: "us-central1", for: "1h" } } as const;

describe("the daemon's typed events", () => {
  it("publish each step of an execution once it is stored, in the saga's order", async () => {
    d = await startTestDaemon({ workloads: [CHAT], events: [OUTAGE] });
    const events: DaemonEvent[] = [];
    d.daemon.events.subscribe((e) => events.push(e));
    await d.ticks(10);
    const failover = events.find((e) => e.type === "execution.started" && e.action === "failover");
    expect(failover).toBeDefined();
    const proposal = failover!.type === "execution.started" ? failover!.proposal : "";
    const steps = events.filter((e): e is Extract<DaemonEvent, { type: "execution.step" }> => e.type === "execution.step" && e.proposal === proposal);
    expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(SAGAS.failover.steps.map((s) => `${s.name}:succeeded`));
    const execution = await d.daemon.store.executions.getByProposalId(proposal);
    expect(execution?.steps.map((s) => s.status)).toEqual(SAGAS.failover.steps.map(() => "succeeded"));
    const finished = events.findIndex((e) => e.type === "execution.finished" && e.proposal === proposal);
    expect(finished).toBeGreaterThan(events.indexOf(steps.at(-1)!));
  }, 60_000);

  it("tell a finding's story once each: raised, its severity changed, cleared", async () => {
    // drift on a model with no predecessor (nothing to roll back to), worsening, then gone
    const events: DaemonEvent[] = [];
    d = await startTestDaemon({
      workloads: [{ ...CHAT, modelVersion: "v1" }],
      events: [
        { at: "2m", drift: { workload: "chat", psi: 0.3 } },
        { at: "6m", drift: { workload: "chat", psi: 0.5 } },
        { at: "10m", drift: { workload: "chat", psi: 0.01 } },
      ],
    });
    d.daemon.events.subscribe((e) => events.push(e));
    await d.ticks(14);
    const story = events.filter((e) => e.type.startsWith("finding.") && "kind" in e && e.kind === "drift").map((e) => `${e.type}${"severity" in e ? `:${e.severity}` : ""}`);
    expect(story).toEqual(["finding.raised:warning", "finding.severity-changed:critical", "finding.cleared"]);
  }, 60_000);

  it("reach the log as one JSON line each, named by type, and the metrics once per fact", async () => {
    const { logger, lines } = captured();
    d = await startTestDaemon({ workloads: [CHAT], events: [OUTAGE] }, {}, undefined, logger);
    await d.ticks(12);
    const raised = lines.filter((l) => l["event"] === "finding.raised" && l["kind"] === "region-unhealthy");
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ component: "agent", finding: expect.any(String), severity: expect.any(String) });
    expect(lines.some((l) => l["event"] === "proposal.decided" && l["action"] === "failover" && l["outcome"] === "allow")).toBe(true);
    const metrics = await d.daemon.metrics.registry.getSingleMetricAsString("skyops_findings_total");
    expect(metrics).toMatch(/skyops_findings_total\{kind="region-unhealthy"\} 1\n/);
  }, 60_000);

  it("log every human answer with who, the channel and the outcome, and every refusal as a warning", async () => {
    const { logger, lines } = captured();
    d = await startTestDaemon({ workloads: [CHAT] }, {}, undefined, logger);
    d.host.ops.launch({ cloud: "aws", region: "us-east-1", instanceType: "g5.xlarge", spot: false, count: 1, workloadId: null, idempotencyKey: "leftover" });
    await d.ticks(40);
    const [pending] = await d.daemon.approvals.pending();
    expect((await d.post(`/v1/approvals/${pending!.proposalId}`, { decision: "approve" }, null)).status).toBe(401);
    expect((await d.post(`/v1/approvals/${pending!.proposalId}`, { decision: "reject", reason: "still in use" }, "bob")).status).toBe(200);
    const answered = lines.filter((l) => l["event"] === "approval.answered");
    expect(answered).toEqual([expect.objectContaining({ level: 30, proposal: pending!.proposalId, status: "rejected", approver: "user:bob", channel: "http", reason: "still in use" })]);
    const refused = lines.filter((l) => l["event"] === "approval.refused");
    expect(refused).toEqual([expect.objectContaining({ level: 40, who: null, channel: "http" })]);
  }, 60_000);
});
