import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./helpers.js";

/**
 * The MCP Inspector, a third-party MCP client, installed on demand into a gitignored cache outside the
 * project's dependency tree (it pulls undici 8 and declares Node ≥ 22; its CLI mode works on Node 20).
 */
export const INSPECTOR_VERSION = "2.12.0";
export const INSPECTOR_DIR = join(ROOT, ".vitest-tools", "inspector");
export const INSPECTOR_BIN = join(INSPECTOR_DIR, "node_modules", ".bin", "mcp-inspector");
/** First install: a few seconds on a warm npm cache, minutes on a cold one. */
export const INSPECTOR_INSTALL_TIMEOUT_MS = 240_000;

const run = promisify(execFile);

function installedVersion(): string | null {
  const manifest = join(INSPECTOR_DIR, "node_modules", "@modelcontextprotocol", "inspector", "package.json");
  if (!existsSync(manifest) || !existsSync(INSPECTOR_BIN)) return null;
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version ?? null;
}

/** Installs the pinned Inspector unless it is already there; returns its launcher's path. */
export async function ensureInspector(): Promise<string> {
  if (installedVersion() === INSPECTOR_VERSION) return INSPECTOR_BIN;
  mkdirSync(INSPECTOR_DIR, { recursive: true });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  await run(npm, ["install", "--prefix", INSPECTOR_DIR, "--no-save", "--no-audit", "--no-fund", `@modelcontextprotocol/inspector@${INSPECTOR_VERSION}`], {
    cwd: ROOT,
    timeout: INSPECTOR_INSTALL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  const version = installedVersion();
  if (version !== INSPECTOR_VERSION) throw new Error(`installing the MCP Inspector ${INSPECTOR_VERSION} into ${INSPECTOR_DIR} left version ${version ?? "none"}`);
  return INSPECTOR_BIN;
}

/** Runs the Inspector's CLI mode and returns its stdout parsed as JSON. */
export async function inspect(args: readonly string[]): Promise<unknown> {
  const { stdout } = await run(INSPECTOR_BIN, ["--cli", ...args], { cwd: ROOT, timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as unknown;
}
