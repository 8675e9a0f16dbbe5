import type { Statement } from "better-sqlite3";
import type { PublishedLine, WorkloadCosts, WorkloadLine, WorkloadLineRepository } from "../workload-lines.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";
import type { SqliteKvRepository } from "./kv.js";

const COSTS_KEY = "workload-costs";

/**
 * Workload lines in SQLite (`WorkloadLineRepository`): lines are rows rewritten only when they change;
 * costs, which move every tick, are one small kv value (per server, ids and USD).
 */
export class SqliteWorkloadLineRepository implements SyncOf<WorkloadLineRepository> {
  private readonly upsertStmt: Statement<[string, string, string]>;
  private readonly deleteStmt: Statement<[string, string]>;
  private readonly allStmt: Statement<[], { id: string; server: string; line: string }>;
  private readonly keysStmt: Statement<[], { id: string; server: string }>;

  constructor(
    private readonly db: Db,
    private readonly kv: SqliteKvRepository,
  ) {
    this.upsertStmt = db.prepare("INSERT INTO workload_lines (id, server, line) VALUES (?, ?, ?) ON CONFLICT (id, server) DO UPDATE SET line = excluded.line");
    this.deleteStmt = db.prepare("DELETE FROM workload_lines WHERE id = ? AND server = ?");
    this.allStmt = db.prepare("SELECT id, server, line FROM workload_lines ORDER BY id, server");
    this.keysStmt = db.prepare("SELECT id, server FROM workload_lines");
  }

  publish(update: { changed: PublishedLine[]; gone: { server: string; id: string }[]; all: boolean; costs: Record<string, WorkloadCosts>; atMs: number }): void {
    this.db.transaction(() => {
      if (update.all) {
        const keep = new Set(update.changed.map((c) => `${c.server}\u0000${c.line.id}`));
        for (const row of this.keysStmt.all()) if (!keep.has(`${row.server}\u0000${row.id}`)) this.deleteStmt.run(row.id, row.server);
      }
      for (const g of update.gone) this.deleteStmt.run(g.id, g.server);
      for (const c of update.changed) this.upsertStmt.run(c.line.id, c.server, JSON.stringify(c.line));
      this.kv.set(COSTS_KEY, update.costs, update.atMs);
    })();
  }

  list(): WorkloadLine[] {
    const costs = new Map<string, Map<string, number>>();
    for (const [server, c] of Object.entries(this.kv.get<Record<string, Partial<WorkloadCosts> | null>>(COSTS_KEY) ?? {})) {
      // a value not in this shape (written by another version) shows no costs rather than failing status
      if (!Array.isArray(c?.ids) || !Array.isArray(c.usd)) continue;
      const usd = c.usd;
      costs.set(server, new Map(c.ids.map((id, i) => [id, typeof usd[i] === "number" ? usd[i] : 0])));
    }
    return this.allStmt.all().map((row) => ({ ...(JSON.parse(row.line) as Omit<WorkloadLine, "costUsd">), costUsd: costs.get(row.server)?.get(row.id) ?? 0 }));
  }
}
