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

  it("refuses to serve the tools off loopback without SKYOPS_TOOL_TOKEN, and a bad --allow-origin, with exit status 2", () => {
    const open = run("tool", "sim", "--http", "0.0.0.0:0", "--speed", "0");
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/0\.0\.0\.0 is not a loopback address: set SKYOPS_TOOL_TOKEN/);
    const origin = run("tool", "sim", "--http", "127.0.0.1:0", "--allow-origin", "https://console.example/app");
    expect(origin.status).toBe(2);
    expect(origin.stderr).toMatch(/--allow-origin: "https:\/\/console\.example\/app" is not an origin/);
  });

  it("tool sim --http requires the bearer token SKYOPS_TOOL_TOKEN names, and never prints it", async () => {
    const token = "cli-test-token-0123456789";
    const child = spawn(process.execPath, [CLI, "tool", "sim", "--http", "127.0.0.1:0", "--speed", "0"], { cwd: ROOT, env: { ...process.env, SKYOPS_TOOL_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL: ${stderr}`)), 20_000);
        child.stderr.on("data", (chunk: string) => {
          stderr += chunk;
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "cli-test", version: "0" } } };
      const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
      const without = await fetch(url, { method: "POST", headers, body: JSON.stringify(initialize) });
      expect(without.status).toBe(401);
      expect(without.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const withToken = await fetch(url, { method: "POST", headers: { ...headers, authorization: `Bearer ${token}` }, body: JSON.stringify(initialize) });
      expect(withToken.status).toBe(200);
      expect(stderr).toMatch(/bearer token from SKYOPS_TOOL_TOKEN required/);
      expect(stderr).not.toContain(token);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 30_000);

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
