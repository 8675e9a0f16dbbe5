import type { Command } from "commander";
import { UserNameSchema, isAgentPrincipal } from "../domain/index.js";
import { newApiToken } from "../server/auth.js";
import { CliError } from "./errors.js";

/** `skyops token create USER`: a new API token for the daemon's HTTP API, and how to configure it. */
export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("API tokens for the daemon's HTTP API (each maps to the user a request acts as).");
  token
    .command("create")
    .description("print a new random token for USER and the configuration line that holds its hash (the daemon never stores the token itself)")
    .argument("<user>", "the person the token stands for, e.g. alice")
    .action((user: string) => {
      const name = UserNameSchema.safeParse(user);
      if (!name.success) throw new CliError([`skyops token create: "${user}": ${name.error.issues[0]!.message}`], 2);
      if (isAgentPrincipal(user)) throw new CliError([`skyops token create: "${user}" is one of skyops' own principals (builtin, llm, daemon, …), which can never approve: name a person`], 2);
      const { token: secret, entry } = newApiToken(user);
      process.stdout.write(
        [
          `token for ${user} (shown once; keep it secret, send it as Authorization: Bearer TOKEN):`,
          `  ${secret}`,
          "",
          "configure it in the daemon's configuration file (only the hash is stored):",
          "  api:",
          "    tokens:",
          `      - {user: ${user}, sha256: "${entry.sha256}"}`,
          "",
          `or in its environment: SKYOPS_API_TOKENS=${user}=${secret}`,
          "",
        ].join("\n"),
      );
    });
}
