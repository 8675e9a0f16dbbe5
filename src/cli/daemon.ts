import { accessSync, constants as fsConstants, existsSync } from "node:fs";
import { join } from "node:path";
import { userInfo } from "node:os";
import type { Command } from "commander";
import { Option } from "commander";
import { ApprovalRefusedError, ApprovalsService, pendingApprovals } from "../approvals/index.js";
import { loadConfig, describeConfig, type Config } from "../server/config.js";
import { Daemon } from "../server/daemon.js";
import { createLogger } from "../server/logger.js";
import { loadPolicyEngine } from "../server/policy-files.js";
import { formatStatus, statusReport } from "../server/status.js";
import { databasePath, openStore } from "../store/index.js";
import { defaultWorldHost } from "../../tools/sim/default-world.js";
import { inMemorySimTransport } from "../../tools/sim/in-memory.js";
import { defaultPolicyDir } from "./policy.js";

const DEFAULT_STATE = ".skyops";

/** The embedded simulator: its world journals into STATE/sim, and the daemon moves its clock. */
function embeddedSim(config: Config) {
  const host = defaultWorldHost({ seed: config.sim.seed, timeline: config.sim.timeline, speed: 0, stateDir: join(config.state, "sim") });
  return { host, factory: inMemorySimTransport(host) };
}

/**
 * `flags` are typed option values that override the file and the environment (never `config` itself:
 * the file is `extra.configFile`).
 */
export async function runDaemon(flags: Record<string, unknown>, extra: { banner?: boolean; configFile?: string | undefined } = {}): Promise<void> {
  // a problem (InputError, PolicyLoadError, a port in use) is the command's to print: src/cli/errors.ts
  let config = loadConfig({ ...(extra.configFile !== undefined ? { file: extra.configFile } : {}), env: process.env, overrides: flags });
  if (!existsSync(config.policies) && config.policies === "policies") config = { ...config, policies: defaultPolicyDir() };
  const logger = createLogger({ level: config.logLevel });
  const usesSim = config.servers.some((s) => s.transport === "in-memory" && s.name === "sim");
  const sim = usesSim ? embeddedSim(config) : null;
  const daemon = await Daemon.start({
    config,
    logger,
    inMemory: sim ? { sim: sim.factory } : {},
    clock: sim ? { now: () => sim.host.world.nowMs, advance: (ms) => sim.host.advanceBy(ms) } : { now: () => Date.now() },
  });
  if (extra.banner) {
    process.stdout.write(
      [
        `skyops daemon: autonomy ${config.autonomy}, ${usesSim ? `the embedded simulator at ${config.speed}× (a tick of ${config.tick / 1000}s every ${config.speed > 0 ? (config.tick / config.speed / 1000).toFixed(1) : 0}s)` : "external tool servers"}`,
        `  state: ${config.state}   HTTP: ${daemon.httpUrl}/v1/status   logs: JSON lines below`,
        "",
        "From a second terminal:",
        `  npm run skyops -- status --state ${config.state}     # workloads, findings, decisions, executions, spend`,
        `  npm run skyops -- approvals --state ${config.state}  # what waits for a human`,
        `  npm run skyops -- approve ID --state ${config.state} # or: npm run skyops -- reject ID --reason "…"`,
        `  curl -s ${daemon.httpUrl}/v1/approvals`,
        config.api.tokens.length > 0
          ? `  curl -s -XPOST ${daemon.httpUrl}/v1/approvals/ID -H "Authorization: Bearer TOKEN" -d '{"decision":"approve"}'`
          : "  (to answer over HTTP: npm run skyops -- token create alice, then start with SKYOPS_API_TOKENS=alice=TOKEN)",
        "",
      ].join("\n"),
    );
  }
  const stop = () => daemon.requestStop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.on("SIGHUP", () => daemon.reloadPolicies());
  try {
    await daemon.run();
  } finally {
    await daemon.close();
    sim?.host.close();
    logger.info({ event: "daemon.stopped" });
  }
}

function openState(state: string) {
  const path = databasePath(state);
  if (!existsSync(path)) {
    process.stderr.write(`skyops: no state database at ${path}; start the daemon first (npm start) or pass --state DIR\n`);
    process.exit(2);
  }
  return openStore(path);
}

/** The OS user running this command, or null when the system cannot say. */
function osUser(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

/**
 * Who answers on the CLI: the OS user, authenticated by the operating system — and only on a state folder
 * that user can write (the daemon's own user, or one the operator gave access). Exits naming the problem.
 */
function cliAnswerer(state: string): string {
  const user = osUser();
  if (user === null) {
    process.stderr.write("skyops: cannot tell which OS user you are, so the answer could not be recorded under your name\n");
    process.exit(2);
  }
  for (const path of [state, databasePath(state)]) {
    if (!existsSync(path)) continue; // openState says what is missing
    try {
      accessSync(path, fsConstants.W_OK);
    } catch {
      process.stderr.write(`skyops: ${user} cannot write ${path}: answering approvals needs write access to the daemon's state folder (run as the daemon's user, or use the HTTP API with a token)\n`);
      process.exit(2);
    }
  }
  return user;
}

async function decideFromCli(id: string, decision: "approve" | "reject", opts: { state: string; reason?: string; policies: string }): Promise<void> {
  // who answers, and whether they may, before the state is opened for writing
  const user = cliAnswerer(opts.state);
  const store = openState(opts.state);
  try {
    const clock = await store.kv.get<{ nowMs: number }>("clock");
    const engine = loadPolicyEngine(opts.policies);
    // the world's time, as the daemon last ticked it (simulated time on the simulator)
    const approvals = new ApprovalsService({ store, policy: () => engine, now: () => clock?.nowMs ?? Date.now() });
    const approval = await approvals.answer(id, { decision, reason: opts.reason }, { user, channel: "cli" });
    process.stdout.write(`${approval.status} ${id} by ${approval.approver}; the daemon acts on it at its next tick\n`);
  } catch (error) {
    if (error instanceof ApprovalRefusedError) {
      process.stderr.write(`skyops: ${error.message}\n`);
      process.exitCode = error.kind === "not-found" ? 2 : 1;
      return;
    }
    throw error;
  } finally {
    await store.close();
  }
}

export function registerDaemonCommands(program: Command): void {
  const daemon = program
    .command("daemon")
    .description("run the always-on loop: observe → detect → plan → check → approve → execute → verify")
    .option("--config <FILE>", "configuration file (YAML); environment SKYOPS_* and these flags override it")
    .option("--state <DIR>", `state folder (default ${DEFAULT_STATE})`)
    .option("--speed <N>", "embedded simulator: simulated ms per wall ms", (v) => Number(v))
    .option("--tick <DURATION>", "loop period, e.g. 1m")
    .option("--stop-after <DURATION>", "stop after this much (simulated) time")
    .option("--autonomy <MODE>", "observe | approve-all | auto")
    .option("--http <HOST:PORT>", "daemon HTTP address (default 127.0.0.1:7070)")
    .option("--policies <DIR>", "policy folder")
    .option("--dry-run", "decide but never execute")
    .option("--help-config", "print every configuration option with its default and exit")
    .action(async (opts: Record<string, unknown>) => {
      if (opts["helpConfig"]) {
        for (const o of describeConfig()) process.stdout.write(`${o.option.padEnd(16)} ${o.default.padEnd(28)} ${o.description}\n`);
        return;
      }
      const { helpConfig: _h, config: file, ...flags } = opts;
      await runDaemon(flags, { configFile: file as string | undefined });
    });
  void daemon;

  program
    .command("status")
    .description("workloads, findings, proposals, decisions by outcome, executions by result, pending approvals and spend")
    .addOption(new Option("--state <DIR>", "state folder").default(DEFAULT_STATE))
    .option("--json", "print JSON")
    .action(async (opts: { state: string; json?: boolean }) => {
      const store = openState(opts.state);
      try {
        const report = await statusReport(store);
        process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatStatus(report)}\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command("approvals")
    .description("list approval requests waiting for a human")
    .addOption(new Option("--state <DIR>", "state folder").default(DEFAULT_STATE))
    .option("--json", "print JSON")
    .action(async (opts: { state: string; json?: boolean }) => {
      const store = openState(opts.state);
      try {
        const pending = await pendingApprovals(store);
        if (opts.json) process.stdout.write(`${JSON.stringify(pending)}\n`);
        else if (pending.length === 0) process.stdout.write("no approval requests pending\n");
        else for (const a of pending) process.stdout.write(`${a.proposalId}\n  ${a.type} ${a.workloadId} (proposed by ${a.proposer}): ${a.rationale}\n  why a human: ${a.reasons.map((r) => r.reason).join(" ")}\n  expires ${new Date(a.expiresAtMs).toISOString()}\n`);
      } finally {
        await store.close();
      }
    });

  for (const decision of ["approve", "reject"] as const) {
    program
      .command(decision)
      .description(decision === "approve" ? "approve a pending proposal, as your OS user (needs write access to the state folder)" : "reject a pending proposal, saying why")
      .argument("<id>", "the proposal id (skyops approvals lists them)")
      .addOption(new Option("--state <DIR>", "state folder").default(DEFAULT_STATE))
      .addOption(new Option("--policies <DIR>", "policy folder").default(defaultPolicyDir()))
      .addOption(new Option("--reason <TEXT>", "why").makeOptionMandatory(decision === "reject"))
      .action((id: string, opts: { state: string; reason?: string; policies: string }) => decideFromCli(id, decision, opts));
  }
}
