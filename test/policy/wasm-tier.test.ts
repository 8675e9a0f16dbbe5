import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/server/config.js";

/*
 * Cedar's WebAssembly is compiled on V8's baseline tier unless asked otherwise: the memory that the
 * optimizing tier holds is most of what kept the daemon over its memory target at 10,000 workloads.
 * The memory probe runs in fresh processes: the tier is fixed once Cedar compiles, and vitest's worker
 * has compiled it long before.
 */

/** RSS growth (MB) of loading the default policies in a fresh process on `tier`, and whether a later switch was refused. */
function probe(tier: string): { loadMb: number; decided: string; switchRefused: string } {
  const script = `
    import { setCedarTier } from "./src/server/cedar-tier.ts";
    import { loadPolicyEngine } from "./src/server/policy-files.ts";
    setCedarTier(${JSON.stringify(tier)});
    const before = process.memoryUsage().rss;
    const engine = loadPolicyEngine("policies");
    const loadMb = (process.memoryUsage().rss - before) / 1048576;
    let switchRefused = "";
    try { setCedarTier(${JSON.stringify(tier === "baseline" ? "optimizing" : "baseline")}); } catch (e) { switchRefused = e.message; }
    const decided = engine.policies().length > 0 ? "loaded" : "empty";
    process.stdout.write(JSON.stringify({ loadMb, decided, switchRefused }));
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`probe (${tier}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { loadMb: number; decided: string; switchRefused: string };
}

describe("Cedar's compilation tier", () => {
  it("is a daemon option that the environment sets, checked with the rest of the configuration", () => {
    expect(loadConfig({ env: {} }).cedarTier).toBe("baseline");
    expect(loadConfig({ env: { SKYOPS_CEDAR_TIER: "optimizing" } }).cedarTier).toBe("optimizing");
    expect(() => loadConfig({ env: { SKYOPS_CEDAR_TIER: "turbo", SKYOPS_SPEED: "-1" } })).toThrow(/(?=[\s\S]*SKYOPS_SPEED="-1": speed)[\s\S]*SKYOPS_CEDAR_TIER="turbo": cedarTier: Invalid option/);
  });

  it("holds far less memory on the baseline tier, and cannot be switched once compiled", { timeout: 60_000 }, () => {
    const baseline = probe("baseline");
    const optimizing = probe("optimizing");
    expect(baseline.decided).toBe("loaded");
    expect(optimizing.decided).toBe("loaded");
    // measured: ~20 MB against ~90 MB on this machine; the margin leaves room for a noisier one
    expect(optimizing.loadMb - baseline.loadMb).toBeGreaterThan(30);
    expect(baseline.switchRefused).toMatch(/already compiled on the baseline tier/);
    expect(optimizing.switchRefused).toMatch(/already compiled on the optimizing tier/);
  });
});
