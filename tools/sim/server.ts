import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { PROFILES } from "../../src/domain/index.js";
import { createToolServer, type Handlers } from "../kit/index.js";
import type { SimContext } from "./context.js";
import { simToolError } from "./errors.js";
import { getDriftHandler } from "./get-drift.js";
import { getEgressPriceHandler } from "./get-egress-price.js";
import { getHealthHandler } from "./get-health.js";
import { getPriceHistoryHandler } from "./get-price-history.js";
import { launchHandler } from "./launch.js";
import { SessionListings } from "./listing.js";
import { listInstancesHandler } from "./list-instances.js";
import { listOffersHandler } from "./list-offers.js";
import { listWorkloadsHandler } from "./list-workloads.js";
import { requestCheckpointHandler } from "./request-checkpoint.js";
import { resumeFromCheckpointHandler } from "./resume-from-checkpoint.js";
import { scaleHandler } from "./scale.js";
import { setModelVersionHandler } from "./set-model-version.js";
import { setTrafficWeightsHandler } from "./set-traffic-weights.js";
import { terminateHandler } from "./terminate.js";

export const SIM_SERVER_NAME = "skyops-sim";
export const SIM_SERVER_VERSION = "0.1.0";

/** The tools the sim server offers: the whole contract. */
export const SIM_TOOLS = PROFILES.sim.map((t) => t.name);
/** Those a read-only sim server offers, from their annotations. */
export const READ_ONLY_TOOLS = PROFILES.sim.filter((t) => t.annotations.readOnlyHint).map((t) => t.name);

/** What this world does that the contract's descriptions leave to each cloud. */
const INSTRUCTIONS =
  "A simulated multi-cloud (AWS, GCP, Azure) with ML workloads: training jobs and serving workloads. " +
  "Start with list_workloads, get_health and list_offers. Prices are USD/hour, data sizes GB, times ms since epoch (simulated), latency ms, traffic requests/second. " +
  "Changing tools need an idempotencyKey; a domain failure comes back as an error result saying which argument is wrong and what to do instead. " +
  "In this world instances and replicas provision in 60-120 s depending on the cloud, a spot interruption notice comes 2 minutes ahead, " +
  "checkpoints are written at 2 GB/s, a resumed job restarts 60 s after its checkpoint arrives, and spot prices replay real published histories with the world's price events applied.";

/** One session's handlers: every session of a process shares the world in `ctx`, each keeps its own incremental-listing revisions. */
export function simHandlers(ctx: SimContext, listings: SessionListings): Handlers<typeof PROFILES.sim> {
  return {
    list_offers: listOffersHandler(ctx, listings),
    get_price_history: getPriceHistoryHandler(ctx),
    list_instances: listInstancesHandler(ctx, listings),
    get_health: getHealthHandler(ctx, listings),
    get_egress_price: getEgressPriceHandler(ctx),
    list_workloads: listWorkloadsHandler(ctx, listings),
    get_drift: getDriftHandler(ctx, listings),
    launch: launchHandler(ctx),
    terminate: terminateHandler(ctx),
    scale: scaleHandler(ctx),
    set_traffic_weights: setTrafficWeightsHandler(ctx),
    set_model_version: setModelVersionHandler(ctx),
    request_checkpoint: requestCheckpointHandler(ctx),
    resume_from_checkpoint: resumeFromCheckpointHandler(ctx),
  };
}

/**
 * The sim tool server: the DESIGN.md tool contract over one simulated world. One McpServer per client
 * session; every session of a process shares the world in `ctx`, each keeps its own incremental-listing
 * revisions. Transports are the caller's business.
 */
export function createSimServer(ctx: SimContext): McpServer {
  // incremental listing remembers the last answers of this session (src/domain/contract/listing.ts)
  const listings = new SessionListings();
  return createToolServer({ name: SIM_SERVER_NAME, version: SIM_SERVER_VERSION, instructions: INSTRUCTIONS }, PROFILES.sim, simHandlers(ctx, listings), {
    readOnly: ctx.readOnly,
    toToolError: simToolError,
  });
}
