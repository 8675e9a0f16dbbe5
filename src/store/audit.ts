import { canonicalJson, sha256Hex } from "./json.js";

/** `prevHash` of the first row. */
export const GENESIS_HASH = "0".repeat(64);

/** Who acts when nobody in particular does (expiry, the daemon's own bookkeeping). */
export const SYSTEM_ACTOR = "skyops";

export interface AuditEntry {
  atMs: number;
  /** Who did it: `agent:builtin`, `policy`, `user:alice`, `skyops`. */
  actor: string;
  /** Stable dotted name: `proposal.created`, `approval.decided`. */
  event: string;
  /** What it is about (a proposal id), or null. */
  subject: string | null;
  /** Plain JSON; keys that name credentials are refused. */
  payload: Readonly<Record<string, unknown>>;
}

export interface AuditRow extends AuditEntry {
  seq: number;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Rows read. */
  rows: number;
  /** The first row whose content, hash or link to the row before it is wrong. */
  firstBroken?: { seq: number; problem: string };
}

/**
 * The hash of one row: sha256 over `prevHash` followed by the canonical JSON (sorted keys) of
 * `{seq, atMs, actor, event, subject, payload}`, as lowercase hex. Anyone can recompute it from the table.
 */
export function auditRowHash(prevHash: string, row: { seq: number; atMs: number; actor: string; event: string; subject: string | null; payload: unknown }): string {
  return auditRowHashOfPayloadText(prevHash, row, canonicalJson(row.payload));
}

/** `auditRowHash` for a payload already in canonical JSON: the row's keys in sorted order, written out. */
export function auditRowHashOfPayloadText(prevHash: string, row: { seq: number; atMs: number; actor: string; event: string; subject: string | null }, payloadText: string): string {
  const text =
    `{"actor":${canonicalJson(row.actor)},"atMs":${canonicalJson(row.atMs)},"event":${canonicalJson(row.event)},` +
    `"payload":${payloadText},"seq":${canonicalJson(row.seq)},"subject":${canonicalJson(row.subject)}}`;
  return sha256Hex(prevHash + text);
}

/**
 * The audit trail: an append-only hash chain. Each append reads the tail and writes after it atomically,
 * so the daemon and a CLI process appending at once still form one chain.
 */
export interface AuditLog {
  /** Appends one row and returns it with its seq and hash. */
  append(entry: AuditEntry): Promise<AuditRow>;
  /** Appends rows in order, atomically. */
  appendMany(entries: readonly AuditEntry[]): Promise<AuditRow[]>;
  /** Every row about one subject (a proposal id), oldest first. */
  forSubject(subject: string): Promise<AuditRow[]>;
  /**
   * Walks the whole chain, oldest first, and names the first row whose payload does not parse, whose
   * hash does not match its content, whose `prevHash` does not match the row before it, or that follows
   * a gap in seq (a deleted row). Rows missing after the last one (a cut tail) are reported too. Reads
   * one consistent view, so concurrent appends do not disturb it.
   */
  verify(): Promise<AuditVerifyResult>;
}
