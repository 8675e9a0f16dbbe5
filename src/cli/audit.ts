import type { Command } from "commander";
import { databasePath, DatabaseMissingError, StoreError, verifyAuditDatabase, type AuditVerifyResult } from "../store/index.js";

export const DEFAULT_STATE_DIR = "./.skyops";

export interface VerifyAuditReport extends AuditVerifyResult {
  /** The database file that was checked. */
  path: string;
}

/**
 * Checks the audit hash chain of `<stateDir>/skyops.db`. Throws `DatabaseMissingError` (naming the
 * path) when there is none; what `skyops audit verify` runs.
 */
export function verifyAudit(stateDir: string = DEFAULT_STATE_DIR): VerifyAuditReport {
  const path = databasePath(stateDir);
  return { path, ...verifyAuditDatabase(path) };
}

/** The line `skyops audit verify` prints for a result. */
export function formatVerifyAudit(report: AuditVerifyResult): string {
  if (report.ok) return `ok: ${report.rows} rows, chain intact`;
  const b = report.firstBroken!;
  return `broken at row ${b.seq}: ${b.problem}`;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("inspect the audit trail kept in the state database");

  audit
    .command("verify")
    .description("walk the audit hash chain and name the first broken row (exit 1 when broken, 2 when there is no database)")
    .option("--state <DIR>", "the state folder that holds skyops.db", DEFAULT_STATE_DIR)
    .option("--json", "print the result as JSON")
    .action((opts: { state: string; json?: boolean }) => {
      try {
        const report = verifyAudit(opts.state);
        if (opts.json) console.log(JSON.stringify(report));
        else console.log(formatVerifyAudit(report));
        if (!report.ok) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        const path = error instanceof DatabaseMissingError ? error.path : databasePath(opts.state);
        if (opts.json) console.log(JSON.stringify({ ok: false, path, error: error.message }));
        else console.error(`error: ${error.message}`);
        process.exitCode = 2;
      }
    });
}
