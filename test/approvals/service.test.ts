import { mkdtempSync, rmSync, cpSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ApprovalRefusedError, ApprovalsService } from "../../src/approvals/index.js";
import type { DaemonEvent, Proposal } from "../../src/domain/index.js";
import { loadPolicyEngine } from "../../src/server/policy-files.js";
import { openStore, type Store } from "../../src/store/index.js";
import { MINUTE, T0, migrateProposal } from "../store/helpers.js";

const engine = loadPolicyEngine("policies");
let store: Store;
let now = T0;
let events: DaemonEvent[];
let service: ApprovalsService;

beforeEach(async () => {
  store = openStore(":memory:");
  now = T0;
  events = [];
  service = new ApprovalsService({ store, policy: () => engine, now: () => now, events: (e) => events.push(e) });
});
afterAll(async () => {
  await store.close();
});

async function waiting(p: Proposal): Promise<Proposal> {
  await store.proposals.insert(p);
  await service.request(p, [{ source: "policy", id: "prod-disruptive-needs-approval", reason: "a human decides" }]);
  return p;
}

async function refusal(fn: () => Promise<unknown>): Promise<{ kind: string; message: string }> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ApprovalRefusedError) return { kind: error.kind, message: error.message };
    throw error;
  }
  throw new Error("not refused");
}

describe("the approvals service", () => {
  it("opens a request once, expiring after the guardrails' approvalExpiry, and publishes it once", async () => {
    const p = await waiting(migrateProposal("p1"));
    const again = await service.request(p, []);
    expect(again).toMatchObject({ status: "pending", requestedAtMs: T0, expiresAtMs: T0 + engine.guardrails.approvalExpiry });
    expect(events.map((e) => e.type)).toEqual(["approval.requested"]);
    expect(await store.proposals.status("p1")).toBe("waiting-approval");
  });

  it("records who answered, case-folded, through which channel, and publishes the answer", async () => {
    await waiting(migrateProposal("p1"));
    const a = await service.answer("p1", { decision: "approve", reason: "cheaper" }, { user: "Alice", channel: "slack" });
    expect(a).toMatchObject({ status: "approved", approver: "user:alice", channel: "slack", reason: "cheaper", decidedAtMs: T0 });
    expect(events.at(-1)).toMatchObject({ type: "approval.answered", proposal: "p1", status: "approved", approver: "user:alice", channel: "slack" });
    expect(await store.proposals.status("p1")).toBe("approved");
  });

  it("never takes an answer from one of skyops' own principals, in any case, and audits the refusal", async () => {
    await waiting(migrateProposal("p1"));
    for (const user of ["builtin", "BuiltIn", "daemon", "DAEMON", "llm", "policy", "executor"]) {
      for (const decision of ["approve", "reject"] as const) {
        expect(await refusal(() => service.answer("p1", { decision }, { user, channel: "http" }))).toMatchObject({ kind: "not-allowed", message: expect.stringMatching(/own principals/) });
      }
    }
    expect((await store.approvals.get("p1"))?.status).toBe("pending");
    const refused = (await store.audit.forSubject("p1")).filter((r) => r.event === "approval.refused");
    expect(refused).toHaveLength(14);
    expect(events.filter((e) => e.type === "approval.refused")).toHaveLength(14);
  });

  it("never lets a person answer their own proposal, approving or rejecting, whatever the case", async () => {
    await waiting(migrateProposal("p2", { proposer: "user:carol" }));
    // the service's own rule, before the policy's no-self-approval and the store's check behind it
    expect(await refusal(() => service.answer("p2", { decision: "approve" }, { user: "Carol", channel: "mcp" }))).toEqual({ kind: "self-approval", message: "Carol proposed p2 and cannot answer it: someone else must" });
    expect(await refusal(() => service.answer("p2", { decision: "reject" }, { user: "carol", channel: "cli" }))).toEqual({ kind: "self-approval", message: "carol proposed p2 and cannot answer it: someone else must" });
    expect(await service.answer("p2", { decision: "approve" }, { user: "dave", channel: "cli" })).toMatchObject({ status: "approved", approver: "user:dave" });
  });

  it("asks the policy's approve action, on the workload as the policy saw it", async () => {
    // a policy set where only the workload's own team may approve
    const dir = mkdtempSync(join(tmpdir(), "skyops-approve-team-"));
    cpSync("policies", dir, { recursive: true });
    const cedar = readFileSync(join(dir, "default.cedar"), "utf8");
    writeFileSync(
      join(dir, "default.cedar"),
      `${cedar}\n@id("ml-approves-ml")\n@reason("Only the ml team approves the ml team's workloads.")\nforbid (principal, action == Action::"approve", resource)\nwhen { resource.team == "ml" && principal != User::"mia" };\n`,
    );
    const strict = loadPolicyEngine(dir);
    rmSync(dir, { recursive: true, force: true });
    const team = new ApprovalsService({ store, policy: () => strict, now: () => now });
    await waiting(migrateProposal("p3"));
    await store.decisions.insert({ proposalId: "p3", outcome: "needs-approval", reasons: [{ source: "policy", id: "x", reason: "x" }], atMs: T0, inputDigest: "0".repeat(64), workload: { id: "train-llama", team: "ml", tier: "prod", residency: [], frozen: false, maxUsdPerHour: null } }, "initial");
    expect(await refusal(() => team.answer("p3", { decision: "approve" }, { user: "bob", channel: "http" }))).toMatchObject({ kind: "not-allowed", message: expect.stringMatching(/Only the ml team/) });
    expect(await team.answer("p3", { decision: "approve" }, { user: "mia", channel: "http" })).toMatchObject({ status: "approved" });
  });

  it("refuses an answer after expiry, and a second answer, saying which", async () => {
    await waiting(migrateProposal("p4"));
    await waiting(migrateProposal("p5"));
    await service.answer("p5", { decision: "reject", reason: "no" }, { user: "alice", channel: "cli" });
    expect(await refusal(() => service.answer("p5", { decision: "approve" }, { user: "bob", channel: "cli" }))).toMatchObject({ kind: "not-pending" });
    now = T0 + engine.guardrails.approvalExpiry + MINUTE;
    expect(await refusal(() => service.answer("p4", { decision: "approve" }, { user: "bob", channel: "cli" }))).toMatchObject({ kind: "expired" });
    expect(await service.expireDue()).toEqual(["p4"]);
    expect(events.filter((e) => e.type === "approval.expired")).toEqual([expect.objectContaining({ proposal: "p4" })]);
    expect(await refusal(() => service.answer("nope", { decision: "approve" }, { user: "bob", channel: "cli" }))).toMatchObject({ kind: "not-found" });
    expect(await refusal(() => service.answer("p4", { decision: "approve" }, { user: "not a name", channel: "cli" }))).toMatchObject({ kind: "not-allowed" });
  });
});
