import { PolicyFactsSchema } from "../../src/policy/index.js";
import { loadPolicyEngine } from "../../src/server/policy-files.js";

/** Decision latency of the default policies: an allowed action (one Cedar call) and one needing approval (two). */
export function benchPolicy(options: { decisions?: number; warmup?: number } = {}): Record<string, number> {
  const decisions = options.decisions ?? 5_000;
  const t0 = performance.now();
  const engine = loadPolicyEngine("policies", { warmup: options.warmup ?? 5_000 });
  const loadMs = performance.now() - t0;
  const facts = PolicyFactsSchema.parse({ now: "2025-06-02T10:00:00Z", workload: { id: "w", tier: "prod", residency: ["us"] }, health: { "aws/us-east-1": "unhealthy", "gcp/us-central1": "healthy" } });
  const base = { id: "p", workloadId: "w", proposer: "builtin", createdAtMs: 0, costDeltaUsdPerHour: 1, oneOffCostUsd: 5, expectedDowntimeMs: 0, blastRadius: 0.5, rationale: "bench" };
  const allow = { ...base, type: "failover", source: { cloud: "aws", region: "us-east-1", spot: false }, target: { cloud: "gcp", region: "us-central1", spot: false }, weights: { "gcp/us-central1": 100 } };
  const ask = { ...base, type: "terminate", instanceIds: ["i-1"] };
  const time = (p: unknown): number[] => {
    const out: number[] = [];
    for (let i = 0; i < decisions; i++) {
      const t = performance.now();
      engine.decide(p, facts);
      out.push(performance.now() - t);
    }
    return out.sort((a, b) => a - b);
  };
  const a = time(allow);
  const n = time(ask);
  const pct = (xs: number[], q: number): number => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  return {
    decisions,
    loadAndWarmMs: loadMs,
    allowP50Ms: pct(a, 0.5),
    allowP99Ms: pct(a, 0.99),
    needsApprovalP50Ms: pct(n, 0.5),
    needsApprovalP99Ms: pct(n, 0.99),
  };
}
