import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/*
 * Every failure that reaches the `skyops` command is one line (one per problem for input with several),
 * naming the file, port or option and what to do; the exit status is 2 for bad input and 1 for a failure
 * at run time; the stack only with --debug.
 */

const root = mkdtempSync(join(tmpdir(), "skyops-cli-errors-"));
afterAll(() => {
  chmodSync(root, 0o700);
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const file = (text: string): string => {
  const path = join(root, `f${++n}.yaml`);
  writeFileSync(path, text);
  return path;
};

function skyops(args: string[], options: { input?: string; prefix?: string[] } = {}): { code: number; out: string; err: string } {
  const command = [...(options.prefix ?? []), "node", "dist/src/cli.js", ...args];
  const r = spawnSync(command[0]!, command.slice(1), { encoding: "utf8", input: options.input, timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A stack trace's frames, which only --debug may print. */
const STACK = /^\s+at /m;

function aliasBomb(): string {
  const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

/** A port something already listens on. */
async function busyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((done) => server.close(() => done())) };
}

/**
 * How to run a command so that file permissions apply to it: as root, with the capabilities that override
 * them dropped (util-linux `setpriv`); null where that cannot be done here.
 */
function permissionsApply(): string[] | null {
  if (process.getuid?.() !== 0) return [];
  const prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"];
  const probe = spawnSync(prefix[0]!, [...prefix.slice(1), "true"], { encoding: "utf8" });
  return probe.status === 0 ? prefix : null;
}

describe("a failure reaching the skyops command", () => {
  it("refuses an HTTP port over 65535 by the option's name, as bad input", () => {
    const r = skyops(["daemon", "--http", "127.0.0.1:99999", "--state", join(root, "s-port")]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toEqual([expect.stringMatching(/^flag --http: http: port 99999 is over 65535/)]);
    expect(r.err).not.toMatch(STACK);
    expect(r.err).not.toContain("ERR_SOCKET_BAD_PORT");
  });

  it("refuses an alias bomb in --config with one line naming the file and line, as bad input", () => {
    const bomb = file(aliasBomb());
    const r = skyops(["daemon", "--config", bomb, "--state", join(root, "s-bomb")]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^${bomb}:\\d+:\\d+: .*aliases`))]);
    expect(r.err).not.toMatch(STACK);
  });

  it("refuses an alias bomb given to policy check, from a file or stdin", () => {
    const bomb = file(aliasBomb());
    for (const r of [skyops(["policy", "check", bomb]), skyops(["policy", "check", "-"], { input: aliasBomb() })]) {
      expect(r.code).toBe(2);
      expect(r.err.trim().split("\n")).toEqual([expect.stringMatching(/:\d+:\d+: .*aliases/)]);
      expect(r.err).not.toMatch(STACK);
    }
  });

  it("says a port is in use in one line and exits 1, and shows the stack only with --debug", async () => {
    const busy = await busyPort();
    try {
      const plain = skyops(["daemon", "--http", `127.0.0.1:${busy.port}`, "--state", join(root, "s-busy"), "--speed", "0"]);
      expect(plain.code).toBe(1);
      expect(plain.err.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^skyops: cannot listen on 127\\.0\\.0\\.1:${busy.port}: the port is in use.*--http`))]);
      expect(plain.err).not.toMatch(STACK);
      const debug = skyops(["daemon", "--http", `127.0.0.1:${busy.port}`, "--state", join(root, "s-busy"), "--speed", "0", "--debug"]);
      expect(debug.code).toBe(1);
      expect(debug.err).toMatch(new RegExp(`^skyops: cannot listen on 127\\.0\\.0\\.1:${busy.port}`));
      expect(debug.err).toMatch(STACK);
    } finally {
      await busy.close();
    }
  }, 60_000);

  it("names a state folder that cannot be made because a file is in the way, and exits 1", () => {
    const blocker = join(root, "a-file");
    writeFileSync(blocker, "not a folder");
    const r = skyops(["daemon", "--state", join(blocker, "state"), "--speed", "0"]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([expect.stringContaining(`${blocker}`)]);
    expect(r.err).toMatch(/not a folder/);
    expect(r.err).not.toMatch(STACK);
  });

  const prefix = permissionsApply();
  const unwritable = "names a state folder it may not write, and exits 1";
  it.skipIf(prefix === null)(prefix === null ? `${unwritable} (skipped: running as root, and setpriv cannot drop the capabilities that override file permissions here)` : unwritable, () => {
    const locked = join(root, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const r = skyops(["daemon", "--state", join(locked, "state"), "--speed", "0"], { prefix: prefix! });
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^skyops: .*${locked}/state.*permission denied`))]);
    expect(r.err).not.toMatch(STACK);
  });

  it("documents --debug in the help", () => {
    expect(skyops(["--help"]).out).toMatch(/--debug\s+.*stack/);
  });
});
