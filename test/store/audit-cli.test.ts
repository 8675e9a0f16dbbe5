import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatVerifyAudit, registerAuditCommands, verifyAudit } from "../../src/cli/audit.js";
import { DatabaseMissingError, databasePath, openStore } from "../../src/store/index.js";
import { migrateProposal, onTheFile, T0, tempDir } from "./helpers.js";

const dir = tempDir("cli");
let n = 0;

/** A state folder whose database holds a few audited proposals. */
async function stateDir(): Promise<string> {
  const state = join(dir, `state-${++n}`);
  mkdirSync(state);
  const store = openStore(databasePath(state));
  for (let i = 0; i < 3; i++) await store.proposals.insert(migrateProposal(`p-${i}`, { createdAtMs: T0 + i }));
  await store.close();
  return state;
}

/** Runs `skyops audit verify ARGS` through commander, capturing what it prints and the exit code. */
async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command().exitOverride();
  registerAuditCommands(program);
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  const before = process.exitCode;
  try {
    await program.parseAsync(["audit", "verify", ...args], { from: "user" });
    return { out: out.join("\n"), err: err.join("\n"), code: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = before;
    log.mockRestore();
    error.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("skyops audit verify", () => {
  it("reports an intact chain with its row count", async () => {
    const state = await stateDir();
    expect(verifyAudit(state)).toEqual({ ok: true, rows: 3, path: join(state, "skyops.db") });
    expect(await run(["--state", state])).toEqual({ out: "ok: 3 rows, chain intact", err: "", code: 0 });
  });

  it("names the first broken row and exits 1", async () => {
    const state = await stateDir();
    onTheFile(databasePath(state), (db) => db.prepare("UPDATE audit SET actor = 'user:mallory' WHERE seq = 2").run());
    const r = await run(["--state", state]);
    expect(r.out).toMatch(/^broken at row 2: hash does not match/);
    expect(r.code).toBe(1);
    const json = await run(["--state", state, "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, rows: 2, firstBroken: { seq: 2 }, path: join(state, "skyops.db") });
    expect(formatVerifyAudit(verifyAudit(state))).toBe(r.out);
  });

  it("says plainly that there is no database, naming the path, and exits 2 without creating one", async () => {
    const state = join(dir, "empty");
    expect(() => verifyAudit(state)).toThrow(DatabaseMissingError);
    const r = await run(["--state", state]);
    expect(r.err).toContain(join(state, "skyops.db"));
    expect(r.code).toBe(2);
    expect(() => verifyAudit(state)).toThrow(DatabaseMissingError);
  });

  it("does not write to the database it checks", async () => {
    const state = await stateDir();
    const before = statSync(databasePath(state)).mtimeMs;
    expect(verifyAudit(state).ok).toBe(true);
    expect(statSync(databasePath(state)).mtimeMs).toBe(before);
  });
});
