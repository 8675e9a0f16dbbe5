import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations/index.js";

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /**
   * Open an existing database for reading only: no migration, no pragma that writes. A missing file is
   * an error (SQLITE_CANTOPEN) instead of a new empty database. Used by `skyops audit verify`.
   */
  readonly?: boolean;
}

/**
 * Opens (creating if needed) the state database: WAL journal, foreign keys on, a busy timeout so a
 * second process (the CLI next to the daemon) waits rather than fails, then applies every migration not
 * yet applied, each in its own transaction. `:memory:` works for tests.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  if (options.readonly === true) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    return db;
  }
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const applied = new Set((db.prepare("SELECT id FROM schema_migrations").all() as { id: number }[]).map((r) => r.id));
  const ids = MIGRATIONS.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate migration ids: ${ids.join(", ")}`);
  for (const m of [...MIGRATIONS].sort((a, b) => a.id - b.id)) {
    if (applied.has(m.id)) continue;
    // IMMEDIATE: two processes starting together must not both apply the same migration.
    db.transaction(() => {
      if (db.prepare("SELECT 1 FROM schema_migrations WHERE id = ?").get(m.id) !== undefined) return;
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(m.id, m.name, new Date().toISOString());
    }).immediate();
  }
}
