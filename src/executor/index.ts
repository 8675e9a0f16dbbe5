export * from "./ports.js";
export * from "./errors.js";
export * from "./backoff.js";
export * from "./saga.js";
export * from "./executor.js";
export { SAGAS } from "./sagas/index.js";
