import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const CLI = "dist/src/cli.js";

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the skyops command", () => {
  it("refuses a bad --http address with a clear message and exit status 2", () => {
    for (const bad of ["nope", "127.0.0.1", "127.0.0.1:99999", ":7071", "127.0.0.1:port"]) {
      const r = run("tool", "sim", "--http", bad);
      expect(r.status, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--http <HOST:PORT>.*invalid\. expected HOST:PORT such as 127\.0\.0\.1:7071/);
    }
  });

  it("refuses unknown commands and flags, and bad --seed and --speed values, with exit status 2", () => {
    expect(run("frobnicate").status).toBe(2);
    expect(run("tool", "nope").status).toBe(2);
    expect(run("tool", "sim", "--bogus").status).toBe(2);
    expect(run("start", "--seed", "-3").status).toBe(2);
    const speed = run("tool", "sim", "--speed", "NaN");
    expect(speed.status).toBe(2);
    expect(speed.stderr).toMatch(/--speed/);
  });

  it("prints help and the version with exit status 0", () => {
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/start/);
    expect(help.stdout).toMatch(/tool/);
    expect(run("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("start runs the daemon on the simulator, prints how to watch and approve, serves HTTP, and stops cleanly on SIGTERM", async () => {
    const state = mkdtempSync(join(tmpdir(), "skyops-start-"));
    const child = spawn(process.execPath, [CLI, "start", "--http", "127.0.0.1:0", "--speed", "600", "--state", state], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}`)), 30_000);
        child.stdout.on("data", () => {
          if (stdout.includes("From a second terminal") && stdout.includes('"event":"tick') === false && /"event":"(finding|proposal)/.test(stdout)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const base = /HTTP: (http:\/\/127\.0\.0\.1:\d+)\/v1\/status/.exec(stdout)?.[1];
      expect(base).toBeDefined();
      expect(stdout).toContain(`approve ID --state ${state}`);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const status = (await (await fetch(`${base}/v1/status`)).json()) as { workloads: unknown[] };
      expect(status.workloads.length).toBeGreaterThanOrEqual(6);
      expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    rmSync(state, { recursive: true, force: true });
  }, 60_000);
});
