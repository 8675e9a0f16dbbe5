import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DAEMON_NODE_FLAGS } from "../../src/server/node-flags.js";

/*
 * The daemon's V8 flags can only be given when node starts, so they live in its launchers: the `skyops`
 * command's `#!` line, `npm start` and the container's entrypoint. These stay in step with the one list, and the flags do what the
 * list says they are for (a young generation of 2 × 4 MB instead of V8's 2 × 16 MB).
 */
const ROOT = join(import.meta.dirname, "..", "..");

/** The young generation's largest size (MB) in a node started with `flags`, after allocating through it. */
function youngGenerationMb(flags: readonly string[]): number {
  const script = `
    const v8 = require("node:v8");
    let keep = [], most = 0;
    for (let i = 0; i < 3e6; i++) {
      keep.push({ i, tag: "x" + (i % 97) });
      if (keep.length > 200000) keep = [];
      if (i % 50000 === 0) most = Math.max(most, v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size);
    }
    process.stdout.write(String(most / 1048576));`;
  const r = spawnSync(process.execPath, [...flags, "-e", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout);
}

describe("how the daemon is launched", () => {
  it("the skyops command's #! line, npm start and the container pass the daemon's V8 flags", () => {
    const shebang = readFileSync(join(ROOT, "src", "cli.ts"), "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${DAEMON_NODE_FLAGS.join(" ")}`);
    const start = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["start"];
    expect(start).toContain(`node ${DAEMON_NODE_FLAGS.join(" ")} dist/src/cli.js start`);
    const entrypoint = readFileSync(join(ROOT, "Dockerfile"), "utf8").split("\n").find((l) => l.startsWith("ENTRYPOINT"));
    expect(entrypoint).toBe(`ENTRYPOINT ${JSON.stringify(["node", ...DAEMON_NODE_FLAGS, "dist/src/cli.js"]).replaceAll(",", ", ")}`);
  });

  it("the flags keep V8's young generation small", () => {
    const launched = youngGenerationMb(DAEMON_NODE_FLAGS);
    const plain = youngGenerationMb([]);
    expect(launched).toBeLessThanOrEqual(8);
    expect(plain).toBeGreaterThan(launched * 2);
  });
});
