import type { Statement } from "better-sqlite3";
import type { KvRepository } from "../kv.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";

/** Named values in SQLite (`KvRepository`): one row each, overwritten in place. */
export class SqliteKvRepository implements SyncOf<KvRepository> {
  private readonly getStmt: Statement<[string], { value: string }>;
  private readonly setStmt: Statement<[string, string, number]>;

  constructor(db: Db) {
    this.getStmt = db.prepare("SELECT value FROM kv WHERE key = ?");
    this.setStmt = db.prepare("INSERT INTO kv (key, value, at_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, at_ms = excluded.at_ms");
  }

  get<T>(key: string): T | null {
    const row = this.getStmt.get(key);
    return row === undefined ? null : (JSON.parse(row.value) as T);
  }

  set(key: string, value: unknown, atMs: number): void {
    this.setStmt.run(key, JSON.stringify(value), atMs);
  }
}
