import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/errors.js";
import { PolicyLoadError } from "../../src/policy/index.js";
import { InputError } from "../../src/server/yaml-input.js";
import { ApprovalNotPendingError, DatabaseMissingError } from "../../src/store/index.js";

/*
 * What the `skyops` command prints for each kind of failure, from real errors: the ones Node's file system
 * and network calls throw here, and skyops' own.
 */

const dir = mkdtempSync(join(tmpdir(), "skyops-cli-error-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `f` throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("it did not throw");
}

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error("it did not reject");
}

describe("the line a failure gets", () => {
  it("is each located problem of bad input, with status 2", () => {
    const input = CliError.from(new InputError([{ file: "skyops.yaml", line: 2, column: 1, problem: 'unknown key "bogus"' }, { file: "flag --http", line: 0, column: 0, problem: "http: port 99999 is over 65535" }]));
    expect([input.lines, input.exitCode]).toEqual([['skyops.yaml:2:1: unknown key "bogus"', "flag --http: http: port 99999 is over 65535"], 2]);
    const policy = CliError.from(new PolicyLoadError([{ file: "policies/default.cedar", line: 3, column: 7, problem: "unexpected token" }]));
    expect([policy.lines, policy.exitCode]).toEqual([["policies/default.cedar:3:7: unexpected token"], 2]);
  });

  it("is the store's own message, with status 2 for a state folder with no database and 1 otherwise", () => {
    expect([CliError.from(new DatabaseMissingError("/x/skyops.db")).lines, CliError.from(new DatabaseMissingError("/x/skyops.db")).exitCode]).toEqual([["skyops: no skyops database at /x/skyops.db (start the daemon, or pass --state DIR)"], 2]);
    const e = CliError.from(new ApprovalNotPendingError("p-1", "approved"));
    expect([e.lines, e.exitCode]).toEqual([['skyops: the approval of proposal "p-1" is approved, not pending'], 1]);
  });

  it("names the path and what to do for a file system error, with status 1", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    expect(CliError.from(thrown(() => mkdirSync(join(file, "sub"), { recursive: true }))).lines).toEqual([`skyops: cannot create the folder ${join(file, "sub")}: a part of the path is a file, not a folder (ENOTDIR): choose another path`]);
    expect(CliError.from(thrown(() => readFileSync(join(dir, "missing.yaml")))).lines).toEqual([`skyops: cannot open ${join(dir, "missing.yaml")}: no such file or folder (ENOENT): check the path`]);
    const isDir = CliError.from(thrown(() => readFileSync(dir)));
    expect([isDir.lines, isDir.exitCode]).toEqual([[expect.stringMatching(/^skyops: cannot read: it is a folder, where a file was expected \(EISDIR\)/)], 1]);
  });

  it("names the address for a network error, the cause of a failed fetch included", async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as { port: number }).port;
    const second = createServer();
    const inUse = await rejected(new Promise((_, reject) => second.once("error", reject).listen(port, "127.0.0.1")));
    expect(CliError.from(inUse).lines).toEqual([`skyops: cannot listen on 127.0.0.1:${port}: the port is in use (another daemon?): pick another with --http HOST:PORT, or stop what holds it`]);
    await new Promise<void>((done) => server.close(() => done()));
    const refused = await rejected(fetch(`http://127.0.0.1:${port}/mcp`));
    expect(CliError.from(refused).lines).toEqual([`skyops: cannot reach 127.0.0.1:${port}: connection refused: is the server running there?`]);
  });

  it("is the message of anything else, saying it is unexpected and how to see its stack, with status 1", () => {
    const e = CliError.from(new TypeError("x is undefined\n    at somewhere"));
    expect([e.lines, e.exitCode]).toEqual([["skyops: x is undefined (an unexpected error: run again with --debug for its stack, and report it)"], 1]);
  });
});

describe("a rendered failure", () => {
  it("is its lines alone, and with --debug the stack and fields of the error behind them", () => {
    const cause = thrown(() => readFileSync(join(dir, "missing.yaml")));
    const e = CliError.from(cause);
    expect(e.render({ debug: false })).toBe(`${e.lines.join("\n")}\n`);
    const debug = e.render({ debug: true });
    expect(debug.startsWith(`${e.lines[0]}\n`)).toBe(true);
    expect(debug).toMatch(/^\s+at /m);
    expect(debug).toContain("code: 'ENOENT'");
  });
});
