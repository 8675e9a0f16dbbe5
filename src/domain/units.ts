import { z } from "zod";

/** A finite number (no NaN, no ±Infinity). */
export const FiniteSchema = z.number().refine(Number.isFinite, "must be a finite number");
/** A finite number ≥ 0. */
export const NonNegativeSchema = z.number().finite().nonnegative();
/** A USD amount per hour: finite, ≥ 0, and below an absurdity bound (no GPU costs $100k an hour). */
export const UsdPerHourSchema = z.number().finite().nonnegative().max(100_000, "absurd price: over 100,000 USD/hour");
/** Milliseconds since the Unix epoch. */
export const EpochMsSchema = z.number().int().nonnegative();
/** A duration in milliseconds. */
export const DurationMsSchema = z.number().int().nonnegative();

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a duration written as `90s`, `30m`, `1h30m`, `2d`, `250ms` into milliseconds.
 * Throws an Error that names the bad text.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(trimmed)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    consumed = re.lastIndex;
  }
  if (trimmed.length === 0 || consumed !== trimmed.length) {
    throw new Error(`"${text}" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 90s, 30m, 1h30m`);
  }
  return Math.round(total);
}

/** A duration field: either milliseconds as a number or text such as `30m`. */
export const DurationSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") return value;
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/** Formats milliseconds as the shortest `1h30m`-style text. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1_000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join("");
}
