import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { createHash } from "node:crypto";
import { foldName, type Decision, type DecisionWorkload, type Offer, type Outcome, type Proposal, type Reason } from "../domain/index.js";
import { actionContext } from "./context.js";
import type { PolicyFacts } from "./facts.js";
import type { Guardrails } from "./guardrails.js";
import { validate } from "./validators.js";

/** Cedar's API, as its WebAssembly module gives it; loaded by the caller (src/server/cedar-tier.ts). */
export type CedarModule = typeof cedar;

/** A source text and the file it came from (for error messages). */
export interface SourceText {
  file: string;
  text: string;
}

export interface PolicySources {
  schema: SourceText;
  /** One or more `.cedar` files; every policy carries `@id` and `@reason`, ids unique across files. */
  policies: SourceText[];
  guardrails: Guardrails;
}

export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  problem: string;
}

/** The policies, schema or guardrails do not parse or validate. Fail closed: nothing starts with them. */
export class PolicyLoadError extends Error {
  override readonly name = "PolicyLoadError";
  constructor(readonly problems: PolicyProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.problem}`).join("\n"));
  }
}

interface PolicyInfo {
  id: string;
  reason: string;
  effect: "permit" | "forbid";
  file: string;
  line: number;
}

/** A decision with what it was made on, for the audit trail and `skyops policy check --json`. */
export interface DecisionDetail extends Decision {
  /** The Cedar context of the evaluations (absent when a validator decided). */
  context?: Record<string, unknown>;
  principal: string;
  action: string;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

function problemsOf(errors: cedar.DetailedError[], source: SourceText, baseOffset = 0): PolicyProblem[] {
  return errors.map((e) => {
    const at = e.sourceLocations?.[0]?.start;
    const { line, column } = lineColumn(source.text, baseOffset + (at ?? 0));
    return { file: source.file, line: at === undefined && baseOffset === 0 ? 1 : line, column, problem: e.help ? `${e.message} (${e.help})` : e.message };
  });
}

/** Canonical JSON (sorted keys) so the same inputs always give the same digest. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

let instanceCounter = 0;

/** The Cedar principal of a proposer: `Agent::"builtin"`, `Agent::"llm"`, or `User::"alice"` for `user:alice`. */
function principalOf(proposer: string): { type: "Agent" | "User"; id: string } {
  return proposer.startsWith("user:") ? { type: "User", id: proposer.slice("user:".length) } : { type: "Agent", id: proposer };
}

/** A workload as the Cedar `Workload` entity (money in integer cents: Cedar has no floats). */
function workloadEntity(w: DecisionWorkload): { id: string; attrs: Record<string, unknown> } {
  return { id: w.id, attrs: { team: w.team, tier: w.tier, residency: [...w.residency], frozen: w.frozen, maxCentsPerHour: w.maxUsdPerHour === null ? 0 : Math.round(w.maxUsdPerHour * 100) } };
}

/** Digests of offer lists by identity: a tick decides many proposals on the same quoted offers. */
const offersDigests = new WeakMap<object, string>();
function offersDigest(offers: PolicyFacts["offers"]): string | null {
  if (offers === undefined) return null;
  let d = offersDigests.get(offers);
  if (d === undefined) {
    d = sha256(canonicalJson(offers));
    offersDigests.set(offers, d);
  }
  return d;
}

/**
 * The policy engine: validators, then Cedar twice (autonomous, then approved). Pure given its inputs:
 * `now`, facts and counters are arguments. Policies and schema are parsed once; a new set is a new
 * engine (swap the reference to reload atomically).
 */
export class PolicyEngine {
  readonly digest: string;
  readonly guardrails: Guardrails;
  private readonly psetId: string;
  private readonly schemaId: string;
  private readonly info = new Map<string, PolicyInfo>();

  private constructor(
    sources: PolicySources,
    private readonly catalog: readonly Offer[] | null,
    private readonly cedar: CedarModule,
  ) {
    this.guardrails = sources.guardrails;
    const problems: PolicyProblem[] = [];
    const schemaCheck = this.cedar.checkParseSchema(sources.schema.text);
    if (schemaCheck.type === "failure") problems.push(...problemsOf(schemaCheck.errors, sources.schema));
    const staticPolicies: Record<string, string> = {};
    for (const file of sources.policies) {
      const parts = this.cedar.policySetTextToParts(file.text);
      if (parts.type === "failure") {
        problems.push(...problemsOf(parts.errors, file));
        continue;
      }
      if (parts.policy_templates.length > 0) {
        problems.push({ file: file.file, line: 1, column: 1, problem: "templates are not supported: write static policies" });
      }
      let searchFrom = 0;
      for (const text of parts.policies) {
        const found = file.text.indexOf(text, searchFrom);
        const offset = found >= 0 ? found : searchFrom;
        if (found >= 0) searchFrom = found + text.length;
        const { line } = lineColumn(file.text, offset);
        const json = this.cedar.policyToJson(text);
        if (json.type === "failure") {
          problems.push(...problemsOf(json.errors, file, offset));
          continue;
        }
        const annotations = json.json.annotations ?? {};
        const id = annotations["id"];
        const reason = annotations["reason"];
        if (!id) {
          problems.push({ file: file.file, line, column: 1, problem: "this policy has no @id annotation: every policy needs @id(\"…\") and @reason(\"…\")" });
          continue;
        }
        if (!reason) problems.push({ file: file.file, line, column: 1, problem: `policy "${id}" has no @reason annotation: say in plain words why it decides` });
        const clash = this.info.get(id);
        if (clash) {
          problems.push({ file: file.file, line, column: 1, problem: `policy id "${id}" is used twice (also at ${clash.file}:${clash.line})` });
          continue;
        }
        this.info.set(id, { id, reason: reason ?? "", effect: json.json.effect, file: file.file, line });
        staticPolicies[id] = text;
      }
    }
    if (problems.length === 0) {
      const validation = this.cedar.validate({ schema: sources.schema.text, policies: { staticPolicies }, validationSettings: { mode: "strict" } });
      if (validation.type === "failure") problems.push(...problemsOf(validation.errors, sources.schema));
      else {
        for (const v of validation.validationErrors) {
          const info = this.info.get(v.policyId);
          const file = sources.policies.find((f) => f.file === info?.file) ?? sources.policies[0]!;
          const policyOffset = info ? file.text.indexOf(staticPolicies[v.policyId]!) : 0;
          problems.push(...problemsOf([v.error], file, Math.max(0, policyOffset)).map((p) => ({ ...p, problem: `policy "${v.policyId}": ${p.problem}` })));
        }
      }
    }
    if (problems.length > 0) throw new PolicyLoadError(problems);
    this.digest = sha256(canonicalJson({ schema: sources.schema.text, policies: staticPolicies, guardrails: sources.guardrails }));
    const n = ++instanceCounter;
    this.psetId = `skyops-${n}-${this.digest.slice(0, 12)}`;
    this.schemaId = `skyops-schema-${n}-${this.digest.slice(0, 12)}`;
    const ps = this.cedar.preparsePolicySet(this.psetId, { staticPolicies });
    if (ps.type === "failure") throw new PolicyLoadError(problemsOf(ps.errors, sources.policies[0]!));
    const ss = this.cedar.preparseSchema(this.schemaId, sources.schema.text);
    if (ss.type === "failure") throw new PolicyLoadError(problemsOf(ss.errors, sources.schema));
  }

  /**
   * Parses, validates and pre-parses a policy set. Throws PolicyLoadError naming file, line and problem
   * for everything wrong at once. `cedar`: Cedar's module (src/server/cedar-tier.ts, `cedarWasm()`).
   * `catalog`: offers a target must exist in (when facts carry no quotes).
   */
  static create(sources: PolicySources, options: { cedar: CedarModule; catalog?: readonly Offer[]; warmup?: number }): PolicyEngine {
    const engine = new PolicyEngine(sources, options.catalog ?? null, options.cedar);
    if (options.warmup) engine.warm(options.warmup);
    return engine;
  }

  /** The ids and reasons of the loaded policies. */
  policies(): PolicyInfo[] {
    return [...this.info.values()];
  }

  /**
   * On the optimizing tier (src/server/cedar-tier.ts) V8 tiers the wasm up lazily: the first few thousand calls are
   * several times slower. Evaluating synthetic requests at start keeps the first real decisions fast. On
   * the baseline tier there is nothing to tier up, and the daemon does not warm up.
   */
  warm(calls: number): void {
    const context = {
      approved: false,
      proposer: "builtin",
      trustLlm: false,
      hasSource: false,
      source: { cloud: "", region: "", geo: "", spot: false },
      sourceHealthy: true,
      hasTarget: false,
      target: { cloud: "", region: "", geo: "", spot: false },
      targetHealthy: true,
      targetInResidency: true,
      costDeltaCentsPerHour: 0,
      oneOffCostCents: 0,
      actionNetTodayCents: 0,
      workloadCentsPerHourAfter: 0,
      downtimeMs: 0,
      blastRadiusBp: 0,
      costOnly: false,
      spendTodayCents: 0,
      projectedSpendTodayCents: 0,
      budgetCentsPerDay: 1,
      approvalAboveCentsPerHour: 0,
      actionsLastHourWorkload: 0,
      maxActionsPerHourPerWorkload: 1,
      actionsLastHour: 0,
      maxActionsPerHour: 1,
      inFlight: 0,
      circuitOpen: false,
      inChangeWindow: true,
      hour: 0,
      weekday: 0,
      prodMaxDowntimeMs: 0,
      prodMaxBlastRadiusBp: 0,
    };
    const entity = { uid: { type: "Workload", id: "warmup" }, attrs: { team: "t", tier: "dev", residency: [], frozen: false, maxCentsPerHour: 0 }, parents: [] };
    for (let i = 0; i < calls; i++) {
      this.cedar.statefulIsAuthorized({
        principal: { type: "Agent", id: "builtin" },
        action: { type: "Action", id: "rollback" },
        resource: { type: "Workload", id: "warmup" },
        context: { ...context, approved: i % 2 === 0 },
        entities: [entity],
        preparsedPolicySetId: this.psetId,
        preparsedSchemaName: this.schemaId,
        validateRequest: false,
      });
    }
  }

  private evaluate(principal: { type: string; id: string }, action: string, workload: { id: string; attrs: Record<string, unknown> }, context: Record<string, unknown>): { allowed: boolean; reasons: Reason[] } {
    const answer = this.cedar.statefulIsAuthorized({
      principal,
      action: { type: "Action", id: action },
      resource: { type: "Workload", id: workload.id },
      context: context as cedar.Context,
      entities: [{ uid: { type: "Workload", id: workload.id }, attrs: workload.attrs as Record<string, cedar.CedarValueJson>, parents: [] }],
      preparsedPolicySetId: this.psetId,
      preparsedSchemaName: this.schemaId,
      // the context is built here to the schema (checked at load); skipping request validation halves the cost
      validateRequest: false,
    });
    if (answer.type === "failure") {
      return { allowed: false, reasons: [{ source: "engine", id: "evaluation-error", reason: `the policy engine could not evaluate the request: ${answer.errors.map((e) => e.message).join("; ")}` }] };
    }
    const { decision, diagnostics } = answer.response;
    if (diagnostics.errors.length > 0) {
      // a policy that errors is skipped by Cedar; we fail closed instead
      return {
        allowed: false,
        reasons: diagnostics.errors.map((e) => ({ source: "engine" as const, id: e.policyId, reason: `policy "${e.policyId}" failed to evaluate: ${e.error.message}` })),
      };
    }
    const reasons = diagnostics.reason.map((id) => ({ source: "policy" as const, id, reason: this.info.get(id)?.reason ?? "" }));
    if (decision === "deny" && reasons.length === 0) reasons.push({ source: "policy", id: "default-deny", reason: "No policy permits this action." });
    return { allowed: decision === "allow", reasons };
  }

  /**
   * Decides one proposal: validators first, then Cedar autonomous (`approved=false`) → allow; else Cedar
   * with `approved=true` → needs-approval; else deny. Always with reasons and a digest of the inputs.
   */
  decide(input: unknown, facts: PolicyFacts): DecisionDetail {
    const { offers, ...rest } = facts;
    const inputDigest = sha256(canonicalJson({ proposal: input, facts: rest, offers: offersDigest(offers), policies: this.digest }));
    const rawId = typeof input === "object" && input !== null && typeof (input as { id?: unknown }).id === "string" ? (input as { id: string }).id : "unknown";
    const validated = validate(input, facts, this.catalog);
    if (!validated.ok) {
      return { proposalId: rawId, outcome: "deny", reasons: [validated.reason], atMs: facts.now, inputDigest, workload: null, principal: "", action: "" };
    }
    const p: Proposal = validated.proposal;
    const w = facts.workload!;
    const seen: DecisionWorkload = { id: w.id, team: w.team, tier: w.tier, residency: [...w.residency], frozen: w.frozen, maxUsdPerHour: w.maxUsdPerHour };
    const workload = workloadEntity(seen);
    const principal = principalOf(p.proposer);
    const base = actionContext(p, facts, this.guardrails);
    const autonomous = this.evaluate(principal, p.type, workload, { ...base, approved: false });
    let outcome: Outcome;
    let reasons: Reason[];
    if (autonomous.allowed) {
      outcome = "allow";
      reasons = autonomous.reasons;
    } else {
      const approved = this.evaluate(principal, p.type, workload, { ...base, approved: true });
      if (approved.allowed) {
        outcome = "needs-approval";
        // what the approval lifts: the forbids that stopped the autonomous run
        reasons = autonomous.reasons;
      } else {
        outcome = "deny";
        reasons = approved.reasons;
      }
    }
    return { proposalId: p.id, outcome, reasons, atMs: facts.now, inputDigest, workload: seen, context: base, principal: `${principal.type}::"${principal.id}"`, action: `Action::"${p.type}"` };
  }

  /**
   * Whether `approver` may approve a proposal: people may, agents never, and nobody their own.
   * `proposerId`: who proposed (`builtin`, `llm`, or `user:<name>`). `workload`: as the policy saw it when it
   * decided the proposal (a decision's `workload`); null when unknown, then a dev workload of team default.
   */
  mayApprove(approver: { kind: "user" | "agent"; id: string }, proposal: { workloadId: string; proposerId: string }, workload: DecisionWorkload | null): { allowed: boolean; reasons: Reason[] } {
    const w = workload ?? { id: proposal.workloadId, team: "default", tier: "dev" as const, residency: [], frozen: false, maxUsdPerHour: null };
    const proposer = principalOf(proposal.proposerId);
    const result = this.evaluate(
      { type: approver.kind === "user" ? "User" : "Agent", id: approver.id },
      "approve",
      workloadEntity(w),
      // by name, case-folded, whatever the kind: `user:Alice` proposed, so `alice` may not approve
      { proposer: proposal.proposerId, approverIsProposer: foldName(proposer.id) === foldName(approver.id) },
    );
    return result;
  }
}
