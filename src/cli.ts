#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * The `skyops` command. Thin: it parses flags and wires the pieces; the pieces live in src/ and tools/.
 * Every failure that reaches it is printed by one handler (`main`) as a CliError renders it: a line per
 * problem, status 2 for bad input (usage errors included) and 1 for a failure at run time, the stack only
 * with --debug. The `#!` line carries the daemon's V8 flags (src/server/node-flags.ts); `npm start` passes
 * the same.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { packageRoot } from "./data/load.js";
import { MAX_SPEED } from "../tools/sim/limits.js";
import { registerAuditCommands } from "./cli/audit.js";
import { registerDaemonCommands } from "./cli/daemon.js";
import { CliError } from "./cli/errors.js";
import { registerEvalCommand } from "./cli/eval.js";
import { registerTokenCommands } from "./cli/token.js";
import { registerPolicyCommands } from "./cli/policy.js";
// The tool server (MCP SDK, simulator, data) loads only when a command runs, so usage errors and --help are quick.
import type { SimHost } from "../tools/sim/index.js";

const loadSim = () => import("../tools/sim/index.js");

const DEFAULT_HTTP = "127.0.0.1:7071";
/** The bearer token `skyops tool sim --http` requires, when set. */
const TOOL_TOKEN_ENV = "SKYOPS_TOOL_TOKEN";
const START_SPEED = 60;

/** `--debug` was given: failures print the stack of their error too. Read from argv, so it holds for a failure before or while parsing. */
let debug = false;

interface HostPort {
  host: string;
  port: number;
}

/** `127.0.0.1:7071`, `localhost:0`, `[::1]:7071`. */
function parseHostPort(text: string): HostPort {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) {
    throw new InvalidArgumentError(`expected HOST:PORT such as ${DEFAULT_HTTP} (port 0-65535; IPv6 in brackets, e.g. [::1]:7071).`);
  }
  return { host: (m[1] ?? m[2])!, port };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) throw new InvalidArgumentError("expected a whole number from 0 to 4294967295.");
  return n;
}

function parseSpeed(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > MAX_SPEED) {
    throw new InvalidArgumentError(`expected simulated ms per wall ms, from 0 (frozen) to ${MAX_SPEED}; 60 runs a simulated minute per second.`);
  }
  return n;
}

function version(): string {
  const root = packageRoot();
  if (root === null) return "0.0.0";
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * On SIGINT/SIGTERM, runs the closer set last (none yet during start-up) and exits 0. Installed before the
 * world loads, so a signal during start-up still stops the process.
 */
function exitOnSignals(): { setClose: (close: () => Promise<void>) => void } {
  let close: () => Promise<void> = async () => {};
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        const failure = CliError.from(error);
        process.stderr.write(`skyops: error while stopping:\n${failure.render({ debug })}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return { setClose: (c) => (close = c) };
}

/** Where and how `skyops tool sim --http` serves: the address, and who may call (a bearer token, extra browser origins). */
interface HttpServing extends HostPort {
  token: string | undefined;
  allowedOrigins: string[];
}

async function serveHttp(sim: SimHost, at: HttpServing, signals: ReturnType<typeof exitOnSignals>): Promise<{ url: string }> {
  try {
    const { startSimHttpServer } = await loadSim();
    const http = await startSimHttpServer({ host: at.host, port: at.port, sim, token: at.token, allowedOrigins: at.allowedOrigins });
    signals.setClose(async () => {
      await http.close();
      sim.close();
    });
    return { url: http.url };
  } catch (error) {
    // the command's handler says why (a port in use, an address not of this machine)
    sim.close();
    throw error;
  }
}

function describeWorld(sim: SimHost): string {
  const w = sim.world;
  const totals = w.totals();
  const clock = sim.speed === 0 ? "frozen" : `running at ${sim.speed}× wall time`;
  return `${w.spec.workloads.length} workloads, ${totals.liveInstances} instances on ${w.clouds.join(", ")}; seed ${w.spec.seed}; simulated time ${new Date(w.nowMs).toISOString()}, ${clock}`;
}

function buildProgram(): Command {
  const program = new Command("skyops")
    .description("Always-on ops daemon for ML workloads on several clouds.")
    .version(version())
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .option("--debug", "when a command fails, print the stack of the error behind its message too");

  program
    .command("start")
    .description(`Run the daemon on the embedded simulator with the default fleet and timeline at ${START_SPEED}× speed; what \`npm start\` runs.`)
    .option("--state <DIR>", "state folder", ".skyops")
    .option("--speed <N>", "simulated ms per wall ms", parseSpeed, START_SPEED)
    .option("--http <HOST:PORT>", "daemon HTTP address", "127.0.0.1:7070")
    .option("--stop-after <DURATION>", "stop after this much simulated time")
    .option("--autonomy <MODE>", "observe | approve-all | auto", "auto")
    .action(async (opts: Record<string, unknown>) => {
      const { runDaemon } = await import("./cli/daemon.js");
      await runDaemon(opts, { banner: true });
    });

  const tool = program.command("tool").description("Run one of skyops' MCP tool servers.");
  tool
    .command("sim")
    .description("The simulated multi-cloud as an MCP tool server: over stdio (default) or Streamable HTTP with --http.")
    .option("--http <HOST:PORT>", "serve Streamable HTTP on this address instead of stdio, e.g. 127.0.0.1:7071", parseHostPort)
    .option("--seed <N>", "seed of the simulated world", parseSeed, 42)
    .option("--speed <N>", "simulated ms per wall ms (0 freezes the clock, 60 is a simulated minute per second)", parseSpeed, 1)
    .option("--read-only", "offer only the tools annotated read-only")
    .option("--state <DIR>", "keep the world's journal in DIR and rebuild the world from it on start, so it outlives this process")
    .addOption(new Option("--timeline <NAME>", "default: the default world's incidents and a forgotten debug box, as npm start shows them; none: a quiet world").choices(["default", "none"]).default("none"))
    .option("--allow-origin <ORIGIN>", "with --http: also answer browsers on this origin, e.g. https://console.example (repeatable; loopback origins always)", collect, [])
    .addHelpText(
      "after",
      `\nWith --http, set ${TOOL_TOKEN_ENV} to require a bearer token (clients send Authorization: Bearer TOKEN); an address that is not loopback needs one.`,
    )
    .action(async (opts: { http?: HostPort; seed: number; speed: number; readOnly?: boolean; state?: string; timeline: "default" | "none"; allowOrigin: string[] }) => {
      const signals = exitOnSignals();
      const { defaultWorldHost, serveSimStdio } = await loadSim();
      let serving: HttpServing | undefined;
      if (opts.http) {
        const { isLoopback, originOf } = await import("../tools/kit/index.js");
        // from the environment, never argv (which any local user can read); never printed
        const token = process.env[TOOL_TOKEN_ENV] || undefined;
        if (!isLoopback(opts.http.host) && token === undefined) {
          throw new CliError([`skyops tool sim: ${opts.http.host} is not a loopback address: set ${TOOL_TOKEN_ENV} so only clients with the token can call the tools, or bind 127.0.0.1`], 2);
        }
        try {
          serving = { ...opts.http, token, allowedOrigins: opts.allowOrigin.map(originOf) };
        } catch (error) {
          throw new CliError([`skyops tool sim: --allow-origin: ${(error as Error).message}`], 2, { cause: error });
        }
      }
      let sim: SimHost;
      try {
        sim = defaultWorldHost({ seed: opts.seed, timeline: opts.timeline, speed: opts.speed, readOnly: opts.readOnly === true, stateDir: opts.state });
      } catch (error) {
        // the world's journal says what is wrong with it; a file system error is the handler's to word (CliError.from)
        if (error instanceof Error && (error as NodeJS.ErrnoException).code === undefined) throw new CliError([`skyops tool sim: ${error.message}`], 2, { cause: error });
        throw error;
      }
      if (serving) {
        const { url } = await serveHttp(sim, serving, signals);
        const auth = serving.token !== undefined ? `; bearer token from ${TOOL_TOKEN_ENV} required` : "";
        process.stderr.write(`skyops tool sim: MCP over Streamable HTTP at ${url} (${describeWorld(sim)}${auth})\n`);
        return;
      }
      const stdio = await serveSimStdio(sim);
      signals.setClose(stdio.close);
      await stdio.closed;
      process.exit(0);
    });

  registerPolicyCommands(program);
  registerAuditCommands(program);
  registerDaemonCommands(program);
  registerEvalCommand(program);
  registerTokenCommands(program);
  return program;
}

/** Prints a failure as its CliError renders it and exits with its status (a half-started daemon may hold handles that would keep the process up). */
function exitWith(error: unknown): never {
  const failure = CliError.from(error);
  process.stderr.write(failure.render({ debug }));
  process.exit(failure.exitCode);
}

async function main(argv: readonly string[]): Promise<void> {
  const end = argv.indexOf("--");
  debug = (end < 0 ? argv : argv.slice(0, end)).includes("--debug");
  // a failure outside any command's await (an event handler's) is still one line
  process.on("uncaughtException", exitWith);
  process.on("unhandledRejection", exitWith);
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed the message (or the help); usage errors exit 2, help and --version 0
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    exitWith(error);
  }
}

await main(process.argv);
