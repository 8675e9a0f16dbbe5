import type { Proposer } from "../domain/index.js";
import { planWithReasons } from "./plan.js";
import type { PlannerInput, PlanResult } from "./types.js";

/**
 * The planner port: what the agent asks each tick, of the built-in planner and (when configured) the LLM
 * planner alike. A planner only returns proposals and why it proposed nothing where findings were; it holds
 * no tool that changes the world, and every proposal it makes still goes through the policy engine. Async,
 * because an LLM planner waits on a model; the built-in one answers at once.
 */
export interface Planner {
  /** Who proposes: the `proposer` its proposals carry, the principal the policies see. */
  readonly name: Proposer;
  plan(input: PlannerInput): Promise<PlanResult>;
}

/** The built-in planner (src/planner/plan.ts) behind the port: deterministic, always available. */
export const builtinPlanner: Planner = Object.freeze({
  name: "builtin" as const,
  plan: (input: PlannerInput): Promise<PlanResult> => Promise.resolve(planWithReasons(input)),
});
