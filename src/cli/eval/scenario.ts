import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import {
  ActionTypeSchema,
  CloudSchema,
  DurationSchema,
  EventSpecSchema,
  RegionNameSchema,
  WorkloadSpecSchema,
  eventKind,
  type EventSpec,
  type WorkloadSpec,
} from "../../domain/index.js";
import { InputError, parseYamlInput, readYamlFile, type InputProblem } from "../../server/yaml-input.js";

/**
 * A scenario file, exactly as ../shared/SCENARIOS.md (copied into docs as evals/scenarios/README.md)
 * writes it: a small world, a fleet, a timeline and what must (and must never) happen. Every object is
 * strict, so an unknown key is an error naming the key, the file and the line.
 */

const EVENT_KINDS = ["price", "outage", "stockout", "preempt", "latency", "drift", "traffic", "note"] as const;

/** The event schema for one kind: the option of the domain's union that has that key. */
const EVENT_OPTION = new Map<string, z.ZodType>(
  EVENT_KINDS.map((kind) => {
    const option = EventSpecSchema.options.find((o) => kind in (o as unknown as { shape: Record<string, unknown> }).shape);
    if (!option) throw new Error(`no event schema for ${kind}`);
    return [kind, option as z.ZodType];
  }),
);

/**
 * One timeline entry. The union of event kinds is resolved by the kind's key first, so a problem inside
 * an event is reported for that kind (`events.2.price.fator: unknown key`) rather than as "no union
 * member matched".
 */
const EventSchema = z.unknown().transform((value, ctx): EventSpec => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: "custom", message: `an event is a map such as {at: 30m, outage: {...}}; one of ${EVENT_KINDS.join(", ")}` });
    return z.NEVER;
  }
  const kinds = Object.keys(value).filter((k) => k !== "at");
  const known = kinds.filter((k) => EVENT_OPTION.has(k));
  if (known.length !== 1) {
    const unknown = kinds.filter((k) => !EVENT_OPTION.has(k));
    ctx.addIssue({
      code: "custom",
      message:
        unknown.length > 0 && known.length === 0
          ? `unknown event "${unknown[0]}": an event is one of ${EVENT_KINDS.join(", ")}`
          : known.length === 0
            ? `an event needs one of ${EVENT_KINDS.join(", ")} besides "at"`
            : `one event per entry, found ${known.join(" and ")}`,
    });
    return z.NEVER;
  }
  const result = EVENT_OPTION.get(known[0]!)!.safeParse(value);
  if (result.success) return result.data as EventSpec;
  for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER;
});

const TargetMatchSchema = z.strictObject({ cloud: CloudSchema.optional(), region: RegionNameSchema.optional(), spot: z.boolean().optional() });

/** An entry of `expect.actions` or `expect.never`: every field it gives must match. */
export const ActionMatchSchema = z
  .strictObject({
    type: ActionTypeSchema.optional(),
    workload: z.string().min(1).optional(),
    to: TargetMatchSchema.optional(),
    after: DurationSchema.optional(),
    before: DurationSchema.optional(),
  })
  .refine((m) => m.after === undefined || m.before === undefined || m.after <= m.before, { message: "after must not be later than before", path: ["before"] });
export type ActionMatch = z.infer<typeof ActionMatchSchema>;

export const ExpectSchema = z.strictObject({
  actions: z.array(ActionMatchSchema).default([]),
  never: z.array(ActionMatchSchema).default([]),
  approvals: z
    .strictObject({ min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
    .refine((a) => a.min === undefined || a.max === undefined || a.min <= a.max, { message: "min must not exceed max", path: ["max"] })
    .optional(),
  maxCostUsd: z.number().finite().nonnegative().optional(),
  deadlinesMissed: z.number().int().nonnegative().optional(),
  minAvailability: z.record(z.string().min(1), z.number().finite().min(0).max(1)).default({}),
});
export type Expect = z.infer<typeof ExpectSchema>;

const StartSchema = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const ms = value instanceof Date ? value.getTime() : /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: `"${String(value)}" is not an ISO 8601 time such as 2025-06-01T00:00:00Z` });
    return z.NEVER;
  }
  return ms;
});

export const ScenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "a scenario name is kebab-case: lower-case letters and digits joined by dashes"),
    about: z.string().min(1).max(2_000),
    seed: z.number().int().nonnegative().max(2 ** 32 - 1),
    start: StartSchema.optional(),
    duration: DurationSchema.refine((ms) => ms > 0, "duration must be more than zero"),
    tick: DurationSchema.default(60_000).refine((ms) => ms >= 1_000, "tick must be at least 1s"),
    clouds: z.array(CloudSchema).min(1).optional(),
    autonomy: z.enum(["auto", "approve-all", "observe"]).default("auto"),
    approver: z.enum(["approve", "reject", "ignore"]).default("approve"),
    planner: z.enum(["builtin", "llm"]).default("builtin"),
    policies: z.string().min(1).default("default"),
    budgetUsdPerDay: z.number().finite().positive().optional(),
    workloads: z.array(WorkloadSpecSchema).min(1),
    events: z.array(EventSchema).default([]),
    expect: ExpectSchema.default({ actions: [], never: [], minAvailability: {} }),
  })
  .superRefine((s, ctx) => {
    if (s.tick > s.duration) ctx.addIssue({ code: "custom", path: ["tick"], message: "tick is longer than the scenario's duration" });
    const ids = new Set<string>();
    s.workloads.forEach((w, i) => {
      if (ids.has(w.id)) ctx.addIssue({ code: "custom", path: ["workloads", i, "id"], message: `workload "${w.id}" is defined twice` });
      ids.add(w.id);
      const clouds = s.clouds;
      const at = w.kind === "training" ? [w.at.cloud] : Object.keys(w.replicas).map((k) => k.split("/")[0]);
      if (clouds && at.some((c) => !clouds.includes(c as never))) {
        ctx.addIssue({ code: "custom", path: ["workloads", i], message: `workload "${w.id}" runs on a cloud outside clouds: [${clouds.join(", ")}]` });
      }
    });
    const known = (id: string | undefined, path: (string | number)[]) => {
      if (id !== undefined && !ids.has(id)) ctx.addIssue({ code: "custom", path, message: `no workload "${id}" in this scenario (workloads: ${[...ids].join(", ")})` });
    };
    s.events.forEach((e, i) => {
      const kind = eventKind(e);
      const body = (e as Record<string, unknown>)[kind] as { workload?: string };
      known(body.workload, ["events", i, kind, "workload"]);
      if (e.at > s.duration) ctx.addIssue({ code: "custom", path: ["events", i, "at"], message: "this event comes after the scenario ends (see duration)" });
    });
    s.expect.actions.forEach((m, i) => known(m.workload, ["expect", "actions", i, "workload"]));
    for (const id of Object.keys(s.expect.minAvailability)) {
      known(id, ["expect", "minAvailability", id]);
      const w = s.workloads.find((x) => x.id === id);
      if (w && w.kind !== "inference") ctx.addIssue({ code: "custom", path: ["expect", "minAvailability", id], message: `"${id}" is a training job: availability is measured for inference workloads` });
    }
  });

export type ScenarioBody = z.infer<typeof ScenarioSchema>;

export interface Scenario extends ScenarioBody {
  /** The file it came from (as given). */
  file: string;
  /** The policy folder, resolved: `default` is the project's, otherwise relative to the file. */
  policyDir: string;
  workloads: WorkloadSpec[];
}

/** Parses one scenario file; throws InputError naming every problem with file and line. */
export function parseScenario(file: string, text: string, defaultPolicyDir: string): Scenario {
  const body = parseYamlInput(file, text, ScenarioSchema);
  const policyDir = body.policies === "default" ? defaultPolicyDir : isAbsolute(body.policies) ? body.policies : resolve(dirname(file), body.policies);
  return { ...body, file, policyDir };
}

/** Reads and parses scenario files; every file's problems are reported together. */
export function readScenarios(files: readonly string[], defaultPolicyDir: string): Scenario[] {
  const problems: InputProblem[] = [];
  const out: Scenario[] = [];
  for (const file of files) {
    try {
      out.push(parseScenario(file, readYamlFile(file, "the scenario"), defaultPolicyDir));
    } catch (error) {
      if (error instanceof InputError) problems.push(...error.problems);
      else throw error;
    }
  }
  const seen = new Map<string, string>();
  for (const s of out) {
    const other = seen.get(s.name);
    if (other !== undefined) problems.push({ file: s.file, line: 1, column: 1, problem: `name: "${s.name}" is also the name of ${other}; scenario names are unique` });
    seen.set(s.name, s.file);
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}
