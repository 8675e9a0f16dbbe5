import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Crash safety: for migrate, failover and place, SIGKILL the daemon process at every boundary around a
 * changing tool call of the action (crash-child.ts kills itself there), restart it on the same state, and
 * check each time: the action ends succeeded or compensated, exactly one target placement, no orphaned
 * instances, no lost checkpoint, and the audit chain verifies.
 */
interface Report {
  boundaries: number;
  executions: { type: string; state: string }[];
  state: string;
  liveInstances: number;
  activeNodes: number;
  deployments: [string, number, number][];
  orphans: number;
  progressHours: number | null;
  checkpointedHours: number | null;
  audit: { ok: boolean };
}

function life(state: string, scenario: string, killAt: number | null): Promise<{ code: number | null; signal: string | null; report: Report | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/daemon/crash-child.ts", state, scenario], {
      env: { ...process.env, ...(killAt === null ? {} : { KILL_AT: String(killAt) }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code, signal) => {
      const line = out.trim().split("\n").at(-1);
      resolve({ code, signal, report: line?.startsWith("{") ? (JSON.parse(line) as Report) : null, stderr: err });
    });
  });
}

async function pool<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

const SCENARIOS = ["migrate", "failover", "place"] as const;

describe("crash safety", () => {
  it("survives a SIGKILL at every boundary of migrate, failover and place", async () => {
    const tried: Record<string, number> = {};
    const failures: string[] = [];
    const baselines = new Map<string, Report>();
    await pool([...SCENARIOS], 2, async (scenario) => {
      const dir = mkdtempSync(join(tmpdir(), `skyops-crash-${scenario}-`));
      const r = await life(dir, scenario, null);
      rmSync(dir, { recursive: true, force: true });
      if (!r.report) throw new Error(`baseline ${scenario} produced no report: ${r.stderr.slice(-2000)}`);
      // a scenario that no longer leads to its action would test nothing: say so rather than pass
      const ran = r.report.executions.map((e) => `${e.type}:${e.state}`);
      if (!ran.includes(`${scenario}:succeeded`)) throw new Error(`baseline ${scenario} ran ${ran.join(", ") || "nothing"}, not a successful ${scenario}`);
      baselines.set(scenario, r.report);
    });
    const points = SCENARIOS.flatMap((s) => Array.from({ length: baselines.get(s)!.boundaries }, (_, i) => ({ scenario: s, k: i + 1 })));
    await pool(points, 2, async ({ scenario, k }) => {
      const dir = mkdtempSync(join(tmpdir(), `skyops-crash-${scenario}-${k}-`));
      try {
        const killed = await life(dir, scenario, k);
        if (killed.signal !== "SIGKILL") {
          failures.push(`${scenario}@${k}: the first life was not killed (${killed.code}/${killed.signal}): ${killed.stderr.slice(-500)}`);
          return;
        }
        const r = await life(dir, scenario, null);
        tried[scenario] = (tried[scenario] ?? 0) + 1;
        const rep = r.report;
        if (!rep) return void failures.push(`${scenario}@${k}: the restarted daemon failed: ${r.stderr.slice(-1000)}`);
        const problems: string[] = [];
        // every action ends succeeded or compensated (a kill may change which action the loop chose next)
        if (rep.executions.length === 0 || rep.executions.some((e) => !["succeeded", "compensated"].includes(e.state))) problems.push(`executions ${JSON.stringify(rep.executions)}`);
        if (rep.executions.filter((e) => e.type === scenario).length > 1) problems.push(`${scenario} executed twice: ${JSON.stringify(rep.executions)}`);
        if (rep.orphans !== 0) problems.push(`${rep.orphans} orphaned instances`);
        if (!rep.audit.ok) problems.push(`audit chain broken: ${JSON.stringify(rep.audit)}`);
        if (scenario !== "failover") {
          if (rep.liveInstances !== rep.activeNodes || rep.deployments.length !== 1) problems.push(`placements ${JSON.stringify(rep.deployments)} with ${rep.liveInstances} live instances`);
          if (rep.state !== "running") problems.push(`job ${rep.state}`);
          if ((rep.progressHours ?? 0) < (rep.checkpointedHours ?? 0)) problems.push("progress behind its checkpoint");
        } else {
          const weights = Object.fromEntries(rep.deployments.map(([l, , w]) => [l, w]));
          if (weights["gcp/us-central1"] !== 0) problems.push(`traffic still sent to the outage: ${JSON.stringify(rep.deployments)}`);
        }
        if (problems.length > 0) failures.push(`${scenario}@${k}: ${problems.join("; ")}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    console.log(`crash safety: tried ${total} kill points (${SCENARIOS.map((s) => `${s} ${tried[s] ?? 0}`).join(", ")}); ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(total).toBe(points.length);
    expect(tried["migrate"]).toBeGreaterThanOrEqual(6);
  }, 900_000);
});
