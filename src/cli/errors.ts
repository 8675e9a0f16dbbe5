import { inspect } from "node:util";
import { HubConfigError } from "../agent/hub-config.js";
import { ApprovalRefusedError } from "../approvals/index.js";
import { DataError } from "../data/csv.js";
import { PolicyLoadError } from "../policy/index.js";
import { InputError, formatProblem } from "../server/yaml-input.js";
import { DatabaseMissingError, StoreError } from "../store/index.js";

/** 2: the input was wrong (flags, configuration, policy or scenario files, YAML); 1: something failed at run time. */
export type ExitCode = 1 | 2;

/**
 * The one error the `skyops` command shows a person: one line per problem, each naming the file, port or
 * option and what to do, and the exit status that says whose move it is (2: fix the input; 1: something
 * failed at run time). It renders itself, as Hono's HTTPException does: the stack of what caused it only
 * when asked (`--debug`), since a person needs the line and a bug report needs the stack.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly lines: readonly string[],
    readonly exitCode: ExitCode,
    options: { cause?: unknown } = {},
  ) {
    super(lines.join("\n"), options);
  }

  /** What the command prints on stderr: the lines, and with `debug` the stack (and causes) of the error behind them. */
  render(options: { debug: boolean }): string {
    const out = [...this.lines];
    if (options.debug) out.push(inspect(this.cause ?? this, { depth: 4 }));
    return `${out.join("\n")}\n`;
  }

  /** The CliError for any error that reaches the command: the known types by what they mean, anything else as unexpected. */
  static from(error: unknown): CliError {
    if (error instanceof CliError) return error;
    if (error instanceof InputError || error instanceof PolicyLoadError) return new CliError(error.problems.map(formatProblem), 2, { cause: error });
    if (error instanceof HubConfigError) return new CliError(error.problems.map((p) => `skyops: servers: ${p}`), 2, { cause: error });
    // the store's errors name what they refused in their message (src/store/errors.ts)
    if (error instanceof DatabaseMissingError) return new CliError([`skyops: ${error.message}`], 2, { cause: error });
    if (error instanceof StoreError || error instanceof DataError) return new CliError([`skyops: ${error.message}`], 1, { cause: error });
    if (error instanceof ApprovalRefusedError) return new CliError([`skyops: ${error.message}`], error.kind === "not-found" ? 2 : 1, { cause: error });
    const system = systemError(error);
    if (system !== null) return new CliError([`skyops: ${system.line}`], system.exitCode, { cause: error });
    const message = error instanceof Error ? error.message : String(error);
    return new CliError([`skyops: ${firstLine(message) || "failed"} (an unexpected error: run again with --debug for its stack, and report it)`], 1, { cause: error });
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** A Node system error's fields (`fs`, `net`): what failed, on which path or address. */
interface SystemErrorFields {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/** What a file system call was doing, in words ("create the folder"), from its syscall. */
const DOING: Record<string, string> = {
  mkdir: "create the folder",
  open: "open",
  read: "read",
  write: "write",
  fsync: "write",
  ftruncate: "write",
  rename: "rename",
  unlink: "remove",
  rmdir: "remove",
  rm: "remove",
  scandir: "list the folder",
  opendir: "list the folder",
  stat: "look at",
  lstat: "look at",
  access: "access",
  copyfile: "copy",
  chmod: "change the mode of",
  symlink: "link",
  watch: "watch",
};

/** What each file system error means, and what to do about it. */
const FS_PROBLEM: Record<string, string> = {
  EACCES: "permission denied (EACCES): run as a user who may, or choose another path",
  EPERM: "operation not permitted (EPERM): run as a user who may, or choose another path",
  ENOENT: "no such file or folder (ENOENT): check the path",
  ENOTDIR: "a part of the path is a file, not a folder (ENOTDIR): choose another path",
  EISDIR: "it is a folder, where a file was expected (EISDIR)",
  EEXIST: "it already exists (EEXIST)",
  EROFS: "the file system is read-only (EROFS): choose a folder on a writable one",
  ENOSPC: "no space left on the device (ENOSPC): free some space, or choose a folder on another device",
  EDQUOT: "the disk quota is used up (EDQUOT): free some space, or choose a folder on another device",
  EMFILE: "too many open files (EMFILE): raise the limit (ulimit -n)",
  ENFILE: "too many open files on this machine (ENFILE)",
  ELOOP: "too many symbolic links (ELOOP)",
  ENAMETOOLONG: "the name is too long (ENAMETOOLONG)",
  EBUSY: "it is busy (EBUSY): try again once whatever holds it lets go",
  EIO: "an input/output error (EIO): the device may be failing",
};

/** What each network error means, and what to do about it, by whether it happened listening or connecting. */
function networkProblem(f: SystemErrorFields): { line: string; exitCode: ExitCode } | null {
  const where = f.address !== undefined ? `${f.address.includes(":") ? `[${f.address}]` : f.address}${f.port !== undefined ? `:${f.port}` : ""}` : (f.hostname ?? "");
  switch (f.code) {
    case "EADDRINUSE":
      return { line: `cannot listen on ${where}: the port is in use (another daemon?): pick another with --http HOST:PORT, or stop what holds it`, exitCode: 1 };
    case "EADDRNOTAVAIL":
      return { line: `cannot listen on ${where}: not an address of this machine: pick one of its addresses with --http HOST:PORT, e.g. 127.0.0.1`, exitCode: 1 };
    case "EACCES":
    case "EPERM":
      if (f.syscall !== "listen" && f.syscall !== "bind") return null;
      return { line: `cannot listen on ${where}: permission denied (ports below 1024 need privileges): pick a port from 1024 with --http HOST:PORT`, exitCode: 1 };
    case "ECONNREFUSED":
      return { line: `cannot reach ${where}: connection refused: is the server running there?`, exitCode: 1 };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { line: `cannot find the host ${where}: no such name in DNS (${f.code}): check the address`, exitCode: 1 };
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ECONNRESET":
      return { line: `cannot reach ${where || "the server"}: ${f.code === "ECONNRESET" ? "the connection was reset" : "no route or no answer"} (${f.code}): check the address and the network`, exitCode: 1 };
    case "ERR_SOCKET_BAD_PORT":
      return { line: "a port must be from 0 to 65535: write --http HOST:PORT, e.g. 127.0.0.1:7070", exitCode: 2 };
    default:
      return null;
  }
}

/** The line for a Node system error (or one that wraps one as its cause, as `fetch` does); null for anything else. */
function systemError(error: unknown, depth = 0): { line: string; exitCode: ExitCode } | null {
  if (typeof error !== "object" || error === null || depth > 3) return null;
  const f = error as Partial<SystemErrorFields> & { cause?: unknown };
  if (typeof f.code === "string") {
    const fields = f as SystemErrorFields;
    const network = networkProblem(fields);
    if (network !== null) return network;
    const problem = FS_PROBLEM[fields.code];
    if (problem !== undefined) {
      const target = fields.path === undefined ? "" : ` ${fields.path}${fields.dest !== undefined ? ` to ${fields.dest}` : ""}`;
      const doing = fields.syscall !== undefined ? (DOING[fields.syscall] ?? fields.syscall) : "use";
      return { line: `cannot ${doing}${target}: ${problem}`, exitCode: 1 };
    }
    if (fields.code.startsWith("SQLITE_")) return { line: `the state database failed: ${firstLine((error as Error).message)} (${fields.code})`, exitCode: 1 };
  }
  return f.cause !== undefined ? systemError(f.cause, depth + 1) : null;
}
