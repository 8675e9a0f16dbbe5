import { z } from "zod";
import { DurationSchema } from "../domain/index.js";

const DaySchema = z.enum(["sun", "mon", "tue", "wed", "thu", "fri", "sat"]);
export const WEEKDAYS = DaySchema.options;
const ClockSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "write times as HH:MM, 00:00 to 23:59");

export const ChangeWindowSchema = z
  .strictObject({
    days: z.array(DaySchema).min(1),
    from: ClockSchema,
    to: ClockSchema,
  })
  .refine((w) => w.from < w.to, "a change window's from must be before its to (windows do not cross midnight; split them)");
export type ChangeWindow = z.infer<typeof ChangeWindowSchema>;

/**
 * `policies/guardrails.yaml`: the stateful limits computed in code and passed to Cedar in context.
 * Every option has a default; unknown keys are errors.
 */
export const GuardrailsSchema = z.strictObject({
  /** Deny an action that would push today's spend (UTC day) over this, USD. */
  budgetUsdPerDay: z.number().finite().positive().default(5000),
  /** Past this many actions on one workload within an hour, a human decides (flap guard). */
  maxActionsPerHourPerWorkload: z.number().int().positive().default(3),
  /** Past this many actions in the fleet within an hour, a human decides. */
  maxActionsPerHour: z.number().int().positive().default(60),
  /** At most this many actions executing at once; the executor queues the rest. */
  maxInFlight: z.number().int().positive().default(4),
  /** An action raising the cost rate by more than this (USD/hour) needs a human. */
  approvalRequiredAboveUsdPerHour: z.number().finite().nonnegative().default(50),
  /** An approval request not answered by then expires, ms (written `30m`). */
  approvalExpiry: DurationSchema.default(1_800_000),
  circuitBreaker: z
    .strictObject({
      failures: z.number().int().positive().default(3),
      window: DurationSchema.default(900_000),
      coolOff: DurationSchema.default(1_800_000),
    })
    .default({ failures: 3, window: 900_000, coolOff: 1_800_000 }),
  prod: z
    .strictObject({
      maxDowntime: DurationSchema.default(300_000),
      maxBlastRadius: z.number().finite().min(0).max(1).default(0.5),
    })
    .default({ maxDowntime: 300_000, maxBlastRadius: 0.5 }),
  changeWindows: z
    .strictObject({
      timezone: z.string().min(1).default("UTC"),
      prod: z.array(ChangeWindowSchema).default([]),
    })
    .default({ timezone: "UTC", prod: [] }),
  /** true: the LLM planner's proposals may run without a human. */
  trustLlm: z.boolean().default(false),
});
export type Guardrails = z.infer<typeof GuardrailsSchema>;
export type GuardrailsInput = z.input<typeof GuardrailsSchema>;

export const DEFAULT_GUARDRAILS: Guardrails = GuardrailsSchema.parse({});

/** Whether the IANA time zone is known to this runtime. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Weekday (0 = Sunday) and minutes since midnight of `nowMs` in a time zone. */
export function localTime(nowMs: number, timeZone: string): { weekday: number; hour: number; minutes: number } {
  if (timeZone === "UTC") {
    const dayMs = ((nowMs % 86_400_000) + 86_400_000) % 86_400_000;
    const minutes = Math.floor(dayMs / 60_000);
    return { weekday: (Math.floor(nowMs / 86_400_000) + 4) % 7, hour: Math.floor(minutes / 60), minutes };
  }
  let format = formatters.get(timeZone);
  if (!format) {
    // constructing a formatter costs ~100 µs; decisions reuse one per zone
    format = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(nowMs);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday"));
  const hour = Number(get("hour"));
  return { weekday, hour, minutes: hour * 60 + Number(get("minute")) };
}

/** Whether `nowMs` falls inside one of the windows. */
export function inChangeWindow(nowMs: number, windows: readonly ChangeWindow[], timeZone: string): boolean {
  const t = localTime(nowMs, timeZone);
  const day = WEEKDAYS[t.weekday]!;
  return windows.some((w) => {
    if (!w.days.includes(day)) return false;
    const [fh, fm] = w.from.split(":").map(Number) as [number, number];
    const [th, tm] = w.to.split(":").map(Number) as [number, number];
    return t.minutes >= fh * 60 + fm && t.minutes < th * 60 + tm;
  });
}

/**
 * The circuit breaker is open when `failures` executions failed within some `window`, until `coolOff`
 * after the last failure of that burst.
 */
export function circuitOpen(nowMs: number, failureTimesMs: readonly number[], breaker: Guardrails["circuitBreaker"]): boolean {
  const times = failureTimesMs.filter((t) => t <= nowMs).sort((a, b) => a - b);
  for (let i = breaker.failures - 1; i < times.length; i++) {
    const last = times[i]!;
    const first = times[i - breaker.failures + 1]!;
    if (last - first <= breaker.window && nowMs < last + breaker.coolOff) return true;
  }
  return false;
}
