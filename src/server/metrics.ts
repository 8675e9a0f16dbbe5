import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The daemon's Prometheus metrics (one registry per daemon, so tests can run several). */
export function createMetrics() {
  const registry = new Registry();
  // the default metrics are named process_… and nodejs_… already: the prefix only says whose they are
  collectDefaultMetrics({ register: registry, prefix: "skyops_" });
  return {
    registry,
    ticks: new Counter({ name: "skyops_ticks_total", help: "control-loop ticks run", registers: [registry] }),
    tickSeconds: new Histogram({ name: "skyops_tick_duration_seconds", help: "wall time of one tick (observe to execute)", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5], registers: [registry] }),
    findings: new Counter({ name: "skyops_findings_total", help: "findings raised, by kind", labelNames: ["kind"], registers: [registry] }),
    proposals: new Counter({ name: "skyops_proposals_total", help: "proposals made, by action type and proposer", labelNames: ["type", "proposer"], registers: [registry] }),
    proposalsDeferred: new Counter({ name: "skyops_proposals_deferred_total", help: "proposals planned but left for a later tick (over maxNewProposalsPerTick)", registers: [registry] }),
    decisions: new Counter({ name: "skyops_decisions_total", help: "policy decisions, by outcome", labelNames: ["outcome"], registers: [registry] }),
    executions: new Counter({ name: "skyops_executions_total", help: "finished executions, by result", labelNames: ["result"], registers: [registry] }),
    approvalsPending: new Gauge({ name: "skyops_approvals_pending", help: "approval requests waiting for a human", registers: [registry] }),
    sourceUp: new Gauge({ name: "skyops_source_up", help: "1 when the tool server answered the last observe", labelNames: ["server"], registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
