import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { READ_ONLY_TOOLS, SIM_TOOLS, type SimToolName } from "./annotations.js";
import type { SimContext } from "./context.js";
import { SessionListings } from "./listing.js";
import { registerGetDrift } from "./get-drift.js";
import { registerGetEgressPrice } from "./get-egress-price.js";
import { registerGetHealth } from "./get-health.js";
import { registerGetPriceHistory } from "./get-price-history.js";
import { registerLaunch } from "./launch.js";
import { registerListInstances } from "./list-instances.js";
import { registerListOffers } from "./list-offers.js";
import { registerListWorkloads } from "./list-workloads.js";
import { registerRequestCheckpoint } from "./request-checkpoint.js";
import { registerResumeFromCheckpoint } from "./resume-from-checkpoint.js";
import { registerScale } from "./scale.js";
import { registerSetModelVersion } from "./set-model-version.js";
import { registerSetTrafficWeights } from "./set-traffic-weights.js";
import { registerTerminate } from "./terminate.js";

export const SIM_SERVER_NAME = "skyops-sim";
export const SIM_SERVER_VERSION = "0.1.0";

const REGISTER: Record<SimToolName, (server: McpServer, ctx: SimContext, listings: SessionListings) => void> = {
  list_offers: registerListOffers,
  get_price_history: registerGetPriceHistory,
  list_instances: registerListInstances,
  get_health: registerGetHealth,
  get_egress_price: registerGetEgressPrice,
  list_workloads: registerListWorkloads,
  get_drift: registerGetDrift,
  launch: registerLaunch,
  terminate: registerTerminate,
  scale: registerScale,
  set_traffic_weights: registerSetTrafficWeights,
  set_model_version: registerSetModelVersion,
  request_checkpoint: registerRequestCheckpoint,
  resume_from_checkpoint: registerResumeFromCheckpoint,
};

const INSTRUCTIONS =
  "A simulated multi-cloud (AWS, GCP, Azure) with ML workloads: training jobs and serving workloads. " +
  "Start with list_workloads, get_health and list_offers. Prices are USD/hour, data sizes GB, times ms since epoch (simulated), latency ms, traffic requests/second. " +
  "Changing tools need an idempotencyKey; a domain failure comes back as an error result saying which argument is wrong and what to do instead.";

/**
 * The sim tool server: the DESIGN.md tool contract over one simulated world. One McpServer per client
 * session; every session of a process shares the world in `ctx`, each keeps its own incremental-listing
 * revisions. Transports are the caller's business.
 */
export function createSimServer(ctx: SimContext): McpServer {
  const server = new McpServer({ name: SIM_SERVER_NAME, version: SIM_SERVER_VERSION }, { instructions: INSTRUCTIONS });
  // incremental listing remembers the last answers of this session (src/domain/tools.ts, "Incremental listing")
  const listings = new SessionListings();
  for (const name of SIM_TOOLS) {
    if (ctx.readOnly && !READ_ONLY_TOOLS.includes(name)) continue;
    REGISTER[name](server, ctx, listings);
  }
  return server;
}
