import type * as CedarWasm from "@cedar-policy/cedar-wasm/nodejs";
import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";

/**
 * Loads Cedar's WebAssembly for the policy engine (src/policy takes the module as an argument: setting V8's
 * flags and loading a module at run time are the process's business, not decision code's).
 *
 * How V8 compiles Cedar's WebAssembly (the only Wasm skyops runs). `baseline` (the default) keeps it on
 * Liftoff, V8's one-pass compiler; `optimizing` lets V8 tier hot functions up to TurboFan, as V8 does on
 * its own.
 *
 * Measured on the default policies (evals/RESULTS.md, "Control loop"): tiering up holds about 70 MB more
 * resident memory (loading and validating the policies alone makes most of the module hot) for decisions
 * about twice as fast (1.2 → 0.6 ms for an allowed action). A daemon decides a handful of proposals a
 * tick, so memory is the better buy; `SKYOPS_CEDAR_TIER=optimizing` buys speed instead.
 */
export type CedarTier = "baseline" | "optimizing";

let tier: CedarTier = "baseline";
let cedar: typeof CedarWasm | null = null;

/**
 * Chooses the tier; it takes effect when Cedar's module compiles, on the first policy load of the process.
 * After that it can no longer change, and asking for the other one is an error.
 */
export function setCedarTier(next: CedarTier): void {
  if (cedar !== null && next !== tier) throw new Error(`Cedar's WebAssembly is already compiled on the ${tier} tier in this process; set SKYOPS_CEDAR_TIER before it starts`);
  tier = next;
}

/**
 * Cedar's module, compiled on first use under the chosen tier (the flag must be set before V8 compiles it,
 * so Cedar is loaded here and not by a static import).
 */
export function cedarWasm(): typeof CedarWasm {
  if (cedar === null) {
    setFlagsFromString(tier === "baseline" ? "--liftoff-only" : "--no-liftoff-only");
    cedar = createRequire(import.meta.url)("@cedar-policy/cedar-wasm/nodejs") as typeof CedarWasm;
  }
  return cedar;
}
