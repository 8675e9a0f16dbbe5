import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { databasePath, openStore } from "../../src/store/index.js";
import { migrateProposal } from "../store/helpers.js";

/*
 * `skyops approve` and `reject` answer as the OS user running them, on a state folder that user can write:
 * the operating system's authentication, never a name given on the command line.
 */
const root = mkdtempSync(join(tmpdir(), "skyops-cli-approve-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function stateWithRequest(): Promise<string> {
  const state = join(root, `state-${++n}`);
  mkdirSync(state);
  const store = openStore(databasePath(state));
  const p = migrateProposal("p1");
  await store.proposals.insert(p);
  await store.approvals.request("p1", p.createdAtMs, p.createdAtMs + 3_600_000);
  // the world's time as the daemon last ticked it: the CLI answers in it
  await store.kv.set("clock", { nowMs: p.createdAtMs + 60_000, ticks: 1, lastTickWallMs: 10 }, p.createdAtMs + 60_000);
  await store.close();
  return state;
}

function skyops(args: string[], as?: string): { code: number; out: string; err: string } {
  const command = as === undefined ? ["node", "dist/src/cli.js", ...args] : ["runuser", "-u", as, "--", "node", "dist/src/cli.js", ...args];
  const r = spawnSync(command[0]!, command.slice(1), { encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

async function approval(state: string) {
  const store = openStore(databasePath(state));
  try {
    return await store.approvals.get("p1");
  } finally {
    await store.close();
  }
}

describe("skyops approve", () => {
  it("records the OS user as the approver, over the cli channel", async () => {
    const state = await stateWithRequest();
    const r = skyops(["approve", "p1", "--state", state, "--reason", "looks right"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const me = userInfo().username.toLowerCase();
    expect(r.out).toBe(`approved p1 by user:${me}; the daemon acts on it at its next tick\n`);
    expect(await approval(state)).toMatchObject({ status: "approved", approver: `user:${me}`, channel: "cli", reason: "looks right" });
  }, 60_000);

  it("takes no name on the command line", async () => {
    const state = await stateWithRequest();
    const r = skyops(["approve", "p1", "--state", state, "--as", "mallory"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown option '--as'/);
    expect((await approval(state))?.status).toBe("pending");
  }, 60_000);

  it.skipIf(process.getuid?.() !== 0 || spawnSync("runuser", ["--help"]).status !== 0)("refuses a user who cannot write the state folder, naming the folder, and changes nothing", async () => {
    const state = await stateWithRequest();
    // readable by everyone, writable only by its owner (root): another user may look, not answer
    chmodSync(root, 0o755);
    chmodSync(state, 0o755);
    chmodSync(databasePath(state), 0o644);
    const r = skyops(["approve", "p1", "--state", state], "nobody");
    expect(r.code).toBe(2);
    expect(r.err).toBe(`skyops: nobody cannot write ${state}: answering approvals needs write access to the daemon's state folder (run as the daemon's user, or use the HTTP API with a token)\n`);
    expect((await approval(state))?.status).toBe("pending");
  }, 60_000);
});
