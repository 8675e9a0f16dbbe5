/*
 * Summaries are written here from numbers and identifiers only. Identifiers come from telemetry too, so
 * the view admits only those shaped like identifiers (no spaces, no sentences); free text such as labels,
 * notes, error messages and feature names never reaches a finding.
 */

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,255}$/;

/** Whether a string is shaped like an identifier (instance, workload, location, instance type). */
export function isSafeId(value: string): boolean {
  return SAFE_ID.test(value);
}

/** An identifier for a summary or a fact; something else (`Radeon MI25`, or a sentence) is not repeated. */
export function shown(value: string, otherwise: string): string {
  return SAFE_ID.test(value) ? value : otherwise;
}

/** A server name as a scope: itself when shaped like an identifier, otherwise a stable hash of it. */
export function serverScope(server: string): string {
  if (isSafeId(server)) return server;
  let h = 0x811c9dc5;
  for (let i = 0; i < server.length; i++) {
    h ^= server.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `server-${h.toString(16).padStart(8, "0")}`;
}

export function usd(value: number): string {
  return `${value.toFixed(2)} USD`;
}

export function hours(value: number): string {
  return `${value.toFixed(1)} h`;
}

export function minutes(ms: number): string {
  const m = ms / 60_000;
  return m < 120 ? `${m.toFixed(0)} min` : hours(ms / 3_600_000);
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** A number for `facts`: rounded so that float noise does not make equal findings differ. */
export function round(value: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
