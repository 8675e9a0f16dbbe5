export { plan, planWithReasons, STRATEGIES } from "./plan.js";
export { builtinPlanner, type Planner } from "./port.js";
export { choosePlacement, type PlacementChoice, type PlacementOption, type PlacementRequest } from "./placement.js";
export { uniformProgress, spotOverheadShare, type SpotVerdict, type SpotVerdictReason, type UniformProgressInput } from "./uniform-progress.js";
export { PlannerConfigSchema, plannerConfig, type PlannerConfig, type PlannerConfigInput } from "./config.js";
export { createPlanContext, egressBetween, type PlanContext } from "./context.js";
export { proportionalWeights, deploymentHealth } from "./strategies/health.js";
export { planServingSpot, spreadReplicas, survivors, type LossWindow, type ServingSpotInput, type ServingSpotPlan, type ServingZone } from "./serving-spot.js";
export type { PlannerInput, PlanResult, Skip, SkipReason, Strategy, StrategyName, StrategyOutcome } from "./types.js";
