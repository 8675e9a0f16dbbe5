import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/*
 * The composition root as a user meets it: `skyops daemon --config FILE` where the file names the tool
 * servers — here `skyops tool sim` over stdio, a process of its own with its own journal — and the daemon
 * observes, decides and acts through it.
 */
const dir = mkdtempSync(join(tmpdir(), "skyops-stdio-daemon-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CLI = resolve("dist/src/cli.js");

describe("skyops daemon --config with a stdio tool server", () => {
  it("starts `skyops tool sim` as its server and acts through it", () => {
    const toolState = join(dir, "tool");
    const config = join(dir, "skyops.yaml");
    writeFileSync(
      config,
      [
        "# the simulator as an external tool server: its own process, its own clock (120x) and journal",
        "servers:",
        "  - name: sim",
        "    transport: stdio",
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(CLI)}, tool, sim, --speed, "120", --timeline, default, --state, ${JSON.stringify(toolState)}]`,
        "    timeoutMs: 20000",
        "tick: 1s",
        "logLevel: info",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, [CLI, "daemon", "--config", config, "--state", join(dir, "state"), "--stop-after", "14s", "--http", "127.0.0.1:0"], { encoding: "utf8", timeout: 90_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const events = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const connected = events.find((e) => e["event"] === "hub.connected");
    expect(connected).toMatchObject({ server: "sim", transport: "stdio", tools: 14 });
    expect(typeof connected?.["pid"]).toBe("number");
    const done = events.filter((e) => e["event"] === "execution.finished" && e["result"] === "succeeded").map((e) => e["action"]);
    expect(done.length).toBeGreaterThan(0);
    // the changes happened in the tool server's world: its own journal records them
    const journal = join(toolState, "sim-journal.jsonl");
    expect(existsSync(journal)).toBe(true);
    const ops = readFileSync(journal, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => (JSON.parse(l) as { op: string }).op)
      .filter((op) => op !== "world" && op !== "clock");
    expect(ops.length).toBeGreaterThan(0);
  }, 120_000);
});
