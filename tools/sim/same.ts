/** Deep equality of JSON-like values (records compared key by key; NaN is never equal). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const key in x) {
    n++;
    if (!(key in y) || !sameJson(x[key], y[key])) return false;
  }
  for (const key in y) {
    void key;
    n--;
  }
  return n === 0;
}

/** Whether two records agree on `fields` (deeply). */
export function sameFields(a: object, b: object, fields: readonly string[]): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const u = x[f];
    const v = y[f];
    if (u !== v && !sameJson(u, v)) return false;
  }
  return true;
}
