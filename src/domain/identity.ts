import { z } from "zod";

/*
 * Who acts in skyops. People are users (`alice`), authenticated by a channel: a bearer token over HTTP, a
 * signed Slack request, the OS user on the CLI — never a name a request body claims. The daemon's own
 * principals (the planners, the policy engine, the executor, the daemon itself) propose, decide and act;
 * they can never approve.
 */

/** A user name as approvers are named: what a token maps to, what the audit trail records after `user:`. */
export const UserNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._@+-]+$/, "a user name is letters, digits and . _ @ + -");

/** Names skyops itself acts under (audit actors, proposers, the autonomous executor): never a person, never an approver. */
export const AGENT_PRINCIPALS = ["builtin", "llm", "daemon", "policy", "executor", "skyops", "system", "agent", "clock", "sim"] as const;

/** Case-folded, as user names are compared everywhere (`Alice` and `alice` are one person). */
export function foldName(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}

/** Whether `name` (any case) is one of skyops' own principals. */
export function isAgentPrincipal(name: string): boolean {
  const folded = foldName(name).replace(/^(?:agent|user):/, "");
  return (AGENT_PRINCIPALS as readonly string[]).includes(folded);
}
