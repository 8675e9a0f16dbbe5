import { Annotation, END, START, StateGraph, interrupt } from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { EventSink, Outcome, Proposal, Reason } from "../domain/index.js";
import type { Executor, ExecutionSummary } from "../executor/index.js";
import type { DecisionDetail } from "../policy/index.js";
import type { Store } from "../store/index.js";

/** What the graph asks of the approvals service (src/approvals): to open a proposal's request, once. */
export interface ApprovalRequests {
  request(proposal: Proposal, reasons: readonly Reason[]): Promise<unknown>;
}

/** How the proposal graph reaches the rest of the daemon. */
export interface ProposalGraphDeps {
  store: Store;
  executor: Executor;
  /** Decides a proposal now, on the latest facts. */
  decide: (proposal: Proposal) => Promise<DecisionDetail>;
  autonomy: "observe" | "approve-all" | "auto";
  dryRun: boolean;
  now: () => number;
  /** Where approval requests are opened (and answered, by the channels). */
  approvals: ApprovalRequests;
  /** Where what happens is published. */
  events: EventSink;
}

/** What a human (or the clock) answered an approval request with; the graph resumes with it. */
export interface ApprovalOutcome {
  status: "approved" | "rejected" | "expired";
  approver: string | null;
}

const ProposalState = Annotation.Root({
  proposalId: Annotation<string>,
  outcome: Annotation<Outcome | null>({ reducer: (_a, b) => b, default: () => null }),
  reasons: Annotation<Reason[]>({ reducer: (_a, b) => b, default: () => [] }),
  approval: Annotation<ApprovalOutcome | null>({ reducer: (_a, b) => b, default: () => null }),
  execution: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
  result: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
});
export type ProposalGraphState = typeof ProposalState.State;

async function proposalOf(store: Store, id: string): Promise<Proposal> {
  const stored = await store.proposals.get(id);
  if (!stored) throw new Error(`proposal ${id} is not in the store`);
  return stored.proposal;
}

function finished(summary: ExecutionSummary): boolean {
  return summary.state === "succeeded" || summary.state === "failed" || summary.state === "compensated" || summary.state === "refused";
}

/**
 * One thread per proposal: check → [approve] → execute ⇄ wait → verify. Persisted by the checkpointer
 * (the store's checkpointer, beside the state), so a proposal waiting for a human or for the world survives a
 * restart and never blocks the loop for other workloads.
 *
 * LangGraph re-runs an interrupted node from its start on resume, so nodes before and around `interrupt()`
 * only do idempotent work: the store's writes are idempotent by proposal id and the executor's by
 * execution id and step key.
 */
export function buildProposalGraph(deps: ProposalGraphDeps, checkpointer: BaseCheckpointSaver) {
  const { store, executor } = deps;

  const check = async (state: ProposalGraphState): Promise<Partial<ProposalGraphState>> => {
    const proposal = await proposalOf(store, state.proposalId);
    const current = await store.proposals.status(proposal.id);
    if (current !== "proposed") {
      // re-run after a crash: the decision was recorded; take it from the store
      const latest = await store.decisions.latest(proposal.id);
      if (latest) return { outcome: latest.outcome, reasons: latest.reasons };
    }
    const decision = await deps.decide(proposal);
    const nowMs = deps.now();
    await store.unitOfWork(async (tx) => {
      await tx.decisions.insert(decision, "initial");
      if (decision.outcome === "deny") await tx.proposals.setStatus(proposal.id, "denied", { atMs: nowMs, actor: "policy" });
      else if (deps.autonomy === "observe") await tx.proposals.setStatus(proposal.id, "superseded", { atMs: nowMs, actor: "policy", note: "observe mode: proposals are recorded, never run" });
      else await tx.proposals.setStatus(proposal.id, "decided", { atMs: nowMs, actor: "policy" });
    });
    deps.events({ type: "proposal.decided", atMs: nowMs, proposal: proposal.id, workload: proposal.workloadId, action: proposal.type, outcome: decision.outcome, reasons: decision.reasons.map((r) => r.id) });
    return { outcome: decision.outcome, reasons: decision.reasons };
  };

  const needsHuman = (state: ProposalGraphState): boolean => state.outcome === "needs-approval" || (state.outcome === "allow" && deps.autonomy === "approve-all");

  const approve = async (state: ProposalGraphState): Promise<Partial<ProposalGraphState>> => {
    const proposal = await proposalOf(store, state.proposalId);
    // idempotent: this node runs again from its start when the answer resumes it
    await deps.approvals.request(proposal, state.reasons);
    const answer = interrupt({ approval: proposal.id }) as ApprovalOutcome;
    return { approval: answer };
  };

  const execute = async (state: ProposalGraphState): Promise<Partial<ProposalGraphState>> => {
    const proposal = await proposalOf(store, state.proposalId);
    const approved = state.approval?.status === "approved";
    const status = await store.proposals.status(proposal.id);
    if (deps.dryRun) {
      await store.proposals.setStatus(proposal.id, "superseded", { atMs: deps.now(), actor: "executor", note: "dry run: decided, not executed" });
      return { result: "dry-run" };
    }
    let id = state.execution;
    if (id === null) {
      const started = await executor.start(proposal, async (p) => {
        // the world may have changed while a human looked: decide again; an approval stands for needs-approval
        const d = await deps.decide(p);
        await store.decisions.insert(d, "recheck");
        const outcome: Outcome = d.outcome === "needs-approval" && approved ? "allow" : d.outcome;
        return { outcome, reasons: d.reasons };
      });
      if ("queued" in started) return { execution: null, result: "queued" };
      if ("refused" in started) {
        await store.proposals.setStatus(proposal.id, "denied", { atMs: deps.now(), actor: "policy", note: "refused by the policy recheck before execution" });
        deps.events({ type: "execution.refused", atMs: deps.now(), proposal: proposal.id, reasons: started.refused.map((r) => r.id) });
        return { execution: started.executionId, result: "refused" };
      }
      if (status !== "executing") await store.proposals.setStatus(proposal.id, "executing", { atMs: deps.now(), actor: "executor" });
      deps.events({ type: "execution.started", atMs: deps.now(), proposal: proposal.id, workload: proposal.workloadId, action: proposal.type });
      id = started.id;
      if (finished(started)) return { execution: id, result: started.state };
    }
    const summary = await executor.advance(id);
    return { execution: id, result: finished(summary) ? summary.state : null };
  };

  const wait = (state: ProposalGraphState): Partial<ProposalGraphState> => {
    interrupt({ waiting: state.execution ?? state.proposalId });
    return {};
  };

  const verify = async (state: ProposalGraphState): Promise<Partial<ProposalGraphState>> => {
    const proposal = await proposalOf(store, state.proposalId);
    const nowMs = deps.now();
    const result = state.result;
    if (result === "succeeded" || result === "failed" || result === "compensated") {
      const status = await store.proposals.status(proposal.id);
      if (status === "executing") {
        await store.proposals.setStatus(proposal.id, result, { atMs: nowMs, actor: "executor" });
      } else if (result === "compensated" && status === "failed") {
        await store.proposals.setStatus(proposal.id, "compensated", { atMs: nowMs, actor: "executor" });
      }
      deps.events({ type: "execution.finished", atMs: nowMs, proposal: proposal.id, workload: proposal.workloadId, action: proposal.type, result });
    }
    return {};
  };

  const graph = new StateGraph(ProposalState)
    .addNode("check", check)
    .addNode("approve", approve)
    .addNode("execute", execute)
    .addNode("wait", wait)
    .addNode("verify", verify)
    .addEdge(START, "check")
    .addConditionalEdges(
      "check",
      (s) => {
        if (s.outcome === "deny" || deps.autonomy === "observe") return END;
        return needsHuman(s) ? "approve" : "execute";
      },
      ["approve", "execute", END],
    )
    .addConditionalEdges("approve", (s) => (s.approval?.status === "approved" ? "execute" : END), ["execute", END])
    .addConditionalEdges(
      "execute",
      (s) => {
        if (s.result === "dry-run" || s.result === "refused") return END;
        if (s.result === null || s.result === "queued") return "wait";
        return "verify";
      },
      ["wait", "verify", END],
    )
    .addEdge("wait", "execute")
    .addEdge("verify", END);
  return graph.compile({ checkpointer });
}
export type ProposalGraph = ReturnType<typeof buildProposalGraph>;
