import { createHash } from "node:crypto";
import { SecretInPayloadError } from "./errors.js";

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, `undefined` members dropped,
 * `toJSON` honoured and non-finite numbers written as `null` (all as `JSON.stringify` does). The same
 * value always gives the same text, so the audit hash can be recomputed by anyone from the stored row.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      // undefined, functions and symbols become null; a bigint throws, as in JSON.stringify.
      return JSON.stringify(value) ?? "null";
  }
  if (value === null) return "null";
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return canonicalJson(withJson.toJSON());
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + (value[i] === undefined ? "null" : canonicalJson(value[i]));
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, which is what makes the order canonical.
  const keys = Object.keys(record).sort();
  let out = "{";
  for (const k of keys) {
    const v = record[k];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") continue;
    out += (out.length > 1 ? "," : "") + JSON.stringify(k) + ":" + canonicalJson(v);
  }
  return out + "}";
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Key names that only ever hold credentials. Compared without case, `-` or `_`. */
const SECRET_KEYS = new Set([
  "password",
  "passwd",
  "secret",
  "clientsecret",
  "signingsecret",
  "apikey",
  "token",
  "accesstoken",
  "refreshtoken",
  "bottoken",
  "apptoken",
  "authorization",
  "privatekey",
  "credential",
  "credentials",
  "secretaccesskey",
  "sessiontoken",
]);

/**
 * Refuses free-form JSON (audit payloads, telemetry summaries) that carries a credential-named key, so a
 * careless caller cannot put a secret into a table that is kept for good. Throws `SecretInPayloadError`
 * naming the path of the key; values are never echoed.
 */
export function assertNoSecrets(where: string, value: unknown, path = "$"): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoSecrets(where, v, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEYS.has(k.toLowerCase().replace(/[-_]/g, ""))) throw new SecretInPayloadError(where, `${path}.${k}`);
    assertNoSecrets(where, v, `${path}.${k}`);
  }
}

/** Parses a JSON column written by this store. */
export function parseJsonColumn<T>(text: string): T {
  return JSON.parse(text) as T;
}
