import { GET_DRIFT } from "./get-drift.js";
import { GET_EGRESS_PRICE } from "./get-egress-price.js";
import { GET_HEALTH } from "./get-health.js";
import { GET_PRICE_HISTORY } from "./get-price-history.js";
import { LAUNCH } from "./launch.js";
import { LIST_INSTANCES } from "./list-instances.js";
import { LIST_OFFERS } from "./list-offers.js";
import { LIST_WORKLOADS } from "./list-workloads.js";
import { REQUEST_CHECKPOINT } from "./request-checkpoint.js";
import { RESUME_FROM_CHECKPOINT } from "./resume-from-checkpoint.js";
import { SCALE } from "./scale.js";
import { SET_MODEL_VERSION } from "./set-model-version.js";
import { SET_TRAFFIC_WEIGHTS } from "./set-traffic-weights.js";
import { TERMINATE } from "./terminate.js";

/*
 * The tool contract (DESIGN.md, "Tool contract"): one file per tool, the one definition every tool server
 * registers (tools/kit) and every client reads (observe, the executor, the contract suite in test/contract).
 */

export * from "./call.js";
export * from "./errors.js";
export * from "./inputs.js";
export * from "./listing.js";
export * from "./outputs.js";
export * from "./tool.js";
export * from "./workload-output.js";
export * from "./list-offers.js";
export * from "./get-price-history.js";
export * from "./list-instances.js";
export * from "./get-health.js";
export * from "./get-egress-price.js";
export * from "./launch.js";
export * from "./terminate.js";
export * from "./list-workloads.js";
export * from "./scale.js";
export * from "./set-traffic-weights.js";
export * from "./set-model-version.js";
export * from "./request-checkpoint.js";
export * from "./resume-from-checkpoint.js";
export * from "./get-drift.js";

/** Every tool of the contract, by name, in DESIGN.md's order. */
export const CONTRACT = {
  list_offers: LIST_OFFERS,
  get_price_history: GET_PRICE_HISTORY,
  list_instances: LIST_INSTANCES,
  get_health: GET_HEALTH,
  get_egress_price: GET_EGRESS_PRICE,
  launch: LAUNCH,
  terminate: TERMINATE,
  list_workloads: LIST_WORKLOADS,
  scale: SCALE,
  set_traffic_weights: SET_TRAFFIC_WEIGHTS,
  set_model_version: SET_MODEL_VERSION,
  request_checkpoint: REQUEST_CHECKPOINT,
  resume_from_checkpoint: RESUME_FROM_CHECKPOINT,
  get_drift: GET_DRIFT,
} as const;

export type ContractTools = typeof CONTRACT;
export type ToolName = keyof ContractTools;
export const TOOL_NAMES = Object.keys(CONTRACT) as ToolName[];

/** The tools that take `sinceRevision` and answer incrementally (listing.ts). */
export type ListingToolName = { [K in ToolName]: ContractTools[K]["listing"] extends null ? never : K }[ToolName];

/**
 * Which tools a kind of server offers. A cloud server places and ends instances; a cluster server runs
 * workloads on them (Kubernetes: replicas, traffic, model versions, checkpoints); the drift server reports
 * model drift; the simulator offers all of them (in the order it has always listed them). The contract suite
 * (test/contract) checks a server against its profile.
 */
export const PROFILES = {
  cloud: [LIST_OFFERS, GET_PRICE_HISTORY, LIST_INSTANCES, GET_HEALTH, GET_EGRESS_PRICE, LAUNCH, TERMINATE],
  cluster: [LIST_WORKLOADS, GET_HEALTH, SCALE, SET_TRAFFIC_WEIGHTS, SET_MODEL_VERSION, REQUEST_CHECKPOINT, RESUME_FROM_CHECKPOINT],
  drift: [GET_DRIFT],
  sim: [
    LIST_OFFERS,
    GET_PRICE_HISTORY,
    LIST_INSTANCES,
    GET_HEALTH,
    GET_EGRESS_PRICE,
    LIST_WORKLOADS,
    GET_DRIFT,
    LAUNCH,
    TERMINATE,
    SCALE,
    SET_TRAFFIC_WEIGHTS,
    SET_MODEL_VERSION,
    REQUEST_CHECKPOINT,
    RESUME_FROM_CHECKPOINT,
  ],
} as const;

export type ProfileName = keyof typeof PROFILES;
export type Profile = (typeof PROFILES)[ProfileName];
