import { GENESIS_HASH, auditRowHash, auditRowHashOfPayloadText, type AuditEntry, type AuditLog, type AuditRow, type AuditVerifyResult } from "../audit.js";
import { assertNoSecrets, canonicalJson, parseJsonColumn } from "../json.js";
import type { Db } from "./db.js";
import type { SyncOf } from "./gate.js";

interface RawRow {
  seq: number;
  at_ms: number;
  actor: string;
  event: string;
  subject: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

/**
 * The audit chain in SQLite (`AuditLog`), the `audit` table. Each append reads the tail inside an
 * IMMEDIATE transaction, so the daemon and a CLI process appending at once still form one chain.
 */
export class SqliteAuditLog implements SyncOf<AuditLog> {
  private readonly lastRow;
  private readonly nextSeq;
  private readonly insert;
  private readonly all;
  private readonly bySubject;

  constructor(private readonly db: Db) {
    this.lastRow = db.prepare<[], { seq: number; hash: string }>("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    this.nextSeq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit'");
    this.insert = db.prepare(
      "INSERT INTO audit (seq, at_ms, actor, event, subject, payload, prev_hash, hash) VALUES (@seq, @atMs, @actor, @event, @subject, @payload, @prevHash, @hash)",
    );
    this.all = db.prepare<[], RawRow>("SELECT * FROM audit ORDER BY seq");
    this.bySubject = db.prepare<[string], RawRow>("SELECT * FROM audit WHERE subject = ? ORDER BY seq");
  }

  append(entry: AuditEntry): AuditRow {
    return this.appendMany([entry])[0]!;
  }

  appendMany(entries: readonly AuditEntry[]): AuditRow[] {
    for (const e of entries) assertNoSecrets(`audit ${e.event}`, e.payload);
    return this.db
      .transaction(() => {
        const last = this.lastRow.get();
        // From sqlite_sequence, not max(seq): after a deleted tail the next row leaves a visible gap.
        let seq = Math.max(this.nextSeq.get()?.seq ?? 0, last?.seq ?? 0);
        let prevHash = last?.hash ?? GENESIS_HASH;
        const rows: AuditRow[] = [];
        for (const e of entries) {
          seq += 1;
          const payloadText = canonicalJson(e.payload);
          const payload = parseJsonColumn<Record<string, unknown>>(payloadText);
          const hash = auditRowHashOfPayloadText(prevHash, { seq, atMs: e.atMs, actor: e.actor, event: e.event, subject: e.subject }, payloadText);
          this.insert.run({ seq, atMs: e.atMs, actor: e.actor, event: e.event, subject: e.subject, payload: payloadText, prevHash, hash });
          rows.push({ seq, atMs: e.atMs, actor: e.actor, event: e.event, subject: e.subject, payload, prevHash, hash });
          prevHash = hash;
        }
        return rows;
      })
      .immediate();
  }

  forSubject(subject: string): AuditRow[] {
    return this.bySubject.all(subject).map(toRow);
  }

  /** The missing rows after the last one come from `sqlite_sequence`; it reads in one transaction. */
  verify(): AuditVerifyResult {
    return this.db.transaction((): AuditVerifyResult => {
      let rows = 0;
      let prev: { seq: number; hash: string } | null = null;
      for (const r of this.all.iterate()) {
        rows++;
        const broken = (problem: string): AuditVerifyResult => ({ ok: false, rows, firstBroken: { seq: r.seq, problem } });
        const expectedSeq: number = (prev?.seq ?? 0) + 1;
        if (r.seq !== expectedSeq) return broken(`${rowRange(expectedSeq, r.seq - 1)} missing (deleted) before this row`);
        const expectedPrev = prev?.hash ?? GENESIS_HASH;
        if (r.prev_hash !== expectedPrev) {
          return broken(prev === null ? "prev_hash is not the genesis hash" : `prev_hash does not match the hash of row ${prev.seq}`);
        }
        let payload: unknown;
        try {
          payload = JSON.parse(r.payload);
        } catch {
          return broken("payload is not valid JSON");
        }
        const hash = auditRowHash(r.prev_hash, { seq: r.seq, atMs: r.at_ms, actor: r.actor, event: r.event, subject: r.subject, payload });
        if (r.hash !== hash) return broken("hash does not match the row's content (the row or its hash was changed)");
        prev = { seq: r.seq, hash: r.hash };
      }
      const written = this.nextSeq.get()?.seq ?? 0;
      const lastSeq = prev?.seq ?? 0;
      if (written > lastSeq) {
        return { ok: false, rows, firstBroken: { seq: lastSeq + 1, problem: `${rowRange(lastSeq + 1, written)} missing after the last row (the chain was cut)` } };
      }
      return { ok: true, rows };
    })();
  }
}

function rowRange(from: number, to: number): string {
  return from === to ? `row ${from} is` : `rows ${from}..${to} are`;
}

function toRow(r: RawRow): AuditRow {
  return {
    seq: r.seq,
    atMs: r.at_ms,
    actor: r.actor,
    event: r.event,
    subject: r.subject,
    payload: parseJsonColumn<Record<string, unknown>>(r.payload),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
