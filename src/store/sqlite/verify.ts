import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AuditVerifyResult } from "../audit.js";
import { DatabaseMissingError, StoreError } from "../errors.js";
import { SqliteAuditLog } from "./audit.js";
import { openDatabase, type Db } from "./db.js";

/** The database file inside a state folder. */
export const DATABASE_FILE = "skyops.db";

/** `<stateDir>/skyops.db`. */
export function databasePath(stateDir: string): string {
  return join(stateDir, DATABASE_FILE);
}

/**
 * Verifies the audit chain of the database at `path`, opened read-only (no migration, nothing written),
 * so it is safe next to a running daemon. Throws `DatabaseMissingError` when there is no file, and a
 * `StoreError` when the file holds no audit table.
 */
export function verifyAuditDatabase(path: string): AuditVerifyResult {
  if (!existsSync(path)) throw new DatabaseMissingError(path);
  let db: Db | undefined;
  let hasAudit: boolean;
  try {
    db = openDatabase(path, { readonly: true });
    hasAudit = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit'").get() !== undefined;
  } catch (error) {
    db?.close();
    throw new StoreError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    if (!hasAudit) throw new StoreError(`${path} has no audit table: not a skyops database`);
    return new SqliteAuditLog(db).verify();
  } finally {
    db.close();
  }
}
