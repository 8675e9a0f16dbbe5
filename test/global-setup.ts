import { execFileSync } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Newest mtime of the TypeScript sources under a folder. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith(".ts")) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Tests that start `skyops` as a real process (stdio MCP, the Inspector) run the built CLI, so the
 * suite builds it first when the sources are newer than the build.
 */
export default function setup(): void {
  const cli = "dist/src/cli.js";
  const stale = !existsSync(cli) || statSync(cli).mtimeMs < Math.max(newest("src"), newest("tools"));
  if (stale) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
