import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { byUrgency } from "../../src/agent/agent.js";
import type { Finding, Proposal } from "../../src/domain/index.js";
import { startTestDaemon, type TestDaemon } from "./helpers.js";

const service = (id: string) => ({ id, kind: "inference" as const, gpu: "L4:1", replicas: { "aws/us-east-1": 2, "gcp/us-central1": 2 }, rps: 300, sloP99Ms: 800, residency: ["us"], tier: "dev" as const });
const services = ["svc-a", "svc-b", "svc-c", "svc-d", "svc-e", "svc-f"].map(service);
const outage = { at: "2m", outage: { cloud: "gcp" as const, region: "us-central1", for: "2h" } };

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

/** Ticks and returns, per tick, how many proposals were recorded and how many were deferred. */
async function run(t: TestDaemon, ticks: number): Promise<{ made: number; deferred: number }[]> {
  const out: { made: number; deferred: number }[] = [];
  for (let i = 0; i < ticks; i++) {
    const before = (await t.daemon.store.proposals.list()).length;
    const report = await t.daemon.tickOnce();
    const after = (await t.daemon.store.proposals.list()).length;
    out.push({ made: after - before, deferred: report.deferred.length });
  }
  return out;
}

const failedOver = async (t: TestDaemon): Promise<string[]> =>
  [...new Set((await t.daemon.store.proposals.list()).filter((p) => p.proposal.type === "failover").map((p) => p.proposal.workloadId))].sort();

describe("at most maxNewProposalsPerTick new proposals a tick", () => {
  it("starts the rest on later ticks, until every workload the outage hit has its proposal", async () => {
    d = await startTestDaemon({ workloads: services, events: [outage] }, { maxNewProposalsPerTick: 2 });
    const ticks = await run(d, 12);
    expect(Math.max(...ticks.map((t) => t.made))).toBe(2);
    const firstBusy = ticks.findIndex((t) => t.made > 0);
    expect(ticks[firstBusy]!.deferred).toBeGreaterThan(0);
    expect(ticks.reduce((a, t) => a + t.deferred, 0)).toBeGreaterThan(0);
    expect(await failedOver(d)).toEqual(services.map((s) => s.id));
    expect((await d.daemon.store.audit.verify()).ok).toBe(true);
  }, 60_000);

  it("with no limit (0) proposes for every workload in the tick that sees the outage", async () => {
    d = await startTestDaemon({ workloads: services, events: [outage] }, { maxNewProposalsPerTick: 0 });
    const ticks = await run(d, 4);
    const firstBusy = ticks.findIndex((t) => t.made > 0);
    expect(ticks[firstBusy]!.made).toBeGreaterThanOrEqual(services.length);
    expect(ticks.every((t) => t.deferred === 0)).toBe(true);
  }, 60_000);
});

describe("the proposals.deferred event and metric", () => {
  it("count every deferred proposal and name the most urgent 20", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const many = Array.from({ length: 24 }, (_, i) => service(`svc-${String(i).padStart(2, "0")}`));
    d = await startTestDaemon({ workloads: many, events: [outage] }, { maxNewProposalsPerTick: 1 }, undefined, logger);
    let total = 0;
    for (let i = 0; i < 4; i++) total += (await d.daemon.tickOnce()).deferred.length;
    const events = lines.filter((l) => l["event"] === "proposals.deferred");
    expect(Math.max(...events.map((e) => e["count"] as number))).toBeGreaterThan(20);
    for (const e of events) expect((e["proposals"] as string[]).length).toBe(Math.min(20, e["count"] as number));
    expect(events.reduce((a, e) => a + (e["count"] as number), 0)).toBe(total);
    expect(await d.daemon.metrics.registry.getSingleMetricAsString("skyops_proposals_deferred_total")).toContain(`skyops_proposals_deferred_total ${total}`);
  }, 60_000);
});

describe("byUrgency", () => {
  const finding = (id: string, severity: Finding["severity"]) => ({ id, severity }) as Finding;
  const proposal = (id: string, findingIds: string[]) => ({ id, findingIds }) as Proposal;

  it("puts the gravest finding first and keeps the planner's order otherwise", () => {
    const findings = [finding("f-info", "info"), finding("f-warn", "warning"), finding("f-crit", "critical")];
    const planned = [proposal("a", []), proposal("b", ["f-info"]), proposal("c", ["f-warn"]), proposal("d", ["f-info", "f-crit"]), proposal("e", ["f-warn"]), proposal("f", ["unknown"])];
    expect(byUrgency(planned, findings).map((p) => p.id)).toEqual(["d", "c", "e", "b", "a", "f"]);
  });
});

describe("the maxNewProposalsPerTick option", () => {
  it("defaults to 16 and refuses a negative, fractional or non-numeric value by name", async () => {
    const { loadConfig } = await import("../../src/server/config.js");
    expect(loadConfig({ env: {} }).maxNewProposalsPerTick).toBe(16);
    expect(loadConfig({ env: { SKYOPS_MAX_NEW_PROPOSALS_PER_TICK: "0" } }).maxNewProposalsPerTick).toBe(0);
    for (const bad of ["-1", "2.5", "many"]) {
      expect(() => loadConfig({ env: { SKYOPS_MAX_NEW_PROPOSALS_PER_TICK: bad } })).toThrow(new RegExp(`SKYOPS_MAX_NEW_PROPOSALS_PER_TICK="${bad}": maxNewProposalsPerTick`));
    }
  });
});
