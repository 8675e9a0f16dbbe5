export * from "./engine.js";
export * from "./facts.js";
export * from "./guardrails.js";
export * from "./context.js";
export * from "./validators.js";
