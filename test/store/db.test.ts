import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/sqlite/db.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations/index.js";
import { finding, migrateProposal, T0, tempDir } from "./helpers.js";

const dir = tempDir("db");

function schemaOf(db: Database.Database): string[] {
  return (db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string | null }[]).map(
    (r) => `${r.type} ${r.name}: ${r.sql ?? ""}`,
  );
}

describe("the state database", () => {
  it("applies each migration once and records it, so opening the same file twice keeps the same schema", () => {
    const path = join(dir, "twice.db");
    const first = openDatabase(path);
    const schema = schemaOf(first);
    const applied = first.prepare("SELECT id, name FROM schema_migrations ORDER BY id").all();
    first.close();

    const second = openDatabase(path);
    expect(schemaOf(second)).toEqual(schema);
    expect(second.prepare("SELECT id, name FROM schema_migrations ORDER BY id").all()).toEqual(applied);
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
    second.close();
  });

  it("creates the tables of the loop with their indexes", () => {
    const db = openDatabase(":memory:");
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["telemetry_events", "findings", "proposals", "decisions", "approvals", "audit", "schema_migrations"]));
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM proposals WHERE executing_at_ms IS NOT NULL AND executing_at_ms BETWEEN 1 AND 2").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(" ")).toMatch(/USING (COVERING )?INDEX proposals_started/);
    db.close();
  });

  it("runs in WAL mode with foreign keys on", () => {
    const db = openDatabase(join(dir, "wal.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    db.close();
  });

  it("lets a second connection see what the first committed", async () => {
    const path = join(dir, "two.db");
    const writer = openStore(path);
    const reader = openStore(path);
    await writer.proposals.insert(migrateProposal("p-shared"));
    await writer.findings.upsert(finding("f-shared", T0));
    expect((await reader.proposals.get("p-shared"))?.status).toBe("proposed");
    expect((await reader.findings.listOpen()).map((f) => f.id)).toEqual(["f-shared"]);
    expect(await reader.audit.verify()).toEqual({ ok: true, rows: 1 });
    await writer.close();
    await reader.close();
  });

  it("keeps one audit chain when two connections append in turn", async () => {
    const path = join(dir, "chain.db");
    const a = openStore(path);
    const b = openStore(path);
    for (let i = 0; i < 20; i++) await (i % 2 === 0 ? a : b).audit.append({ atMs: T0 + i, actor: `conn-${i % 2}`, event: "test.ping", subject: null, payload: { i } });
    expect(await a.audit.verify()).toEqual({ ok: true, rows: 20 });
    await a.close();
    await b.close();
  });

  it("opens read-only without writing and refuses a missing file", () => {
    const path = join(dir, "ro.db");
    openDatabase(path).close();
    const ro = openDatabase(path, { readonly: true });
    expect(() => ro.exec("CREATE TABLE x (a)")).toThrow(/readonly/);
    ro.close();
    expect(() => openDatabase(join(dir, "absent.db"), { readonly: true })).toThrow();
  });

  it("refuses rows that break the schema's checks", () => {
    const db = openDatabase(":memory:");
    expect(() => db.prepare("INSERT INTO findings (id, kind, severity, first_seen_ms, last_seen_ms, summary, facts) VALUES ('f', 'drift', 'dire', 0, 0, '', '{}')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO decisions (proposal_id, at_ms, outcome, reasons, input_digest, phase) VALUES ('nope', 0, 'allow', '[]', 'x', 'initial')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
