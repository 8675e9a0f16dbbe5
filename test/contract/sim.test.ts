import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { loadWorldData } from "../../src/data/load.js";
import { PROFILES, type WorldData } from "../../src/domain/index.js";
import { SimHost, createSimServer } from "../../tools/sim/index.js";
import { describeContract, type ContractTarget, type SampleContext } from "./suite.js";

/*
 * The simulator against the contract suite: the default world, frozen (the suite moves its clock), one
 * fresh world per session. What is the sim's own — its ids, which calls it refuses, how a checkpoint is
 * set up before a resume — is here, not in the suite.
 */

let data: WorldData | undefined;

const OFFER = "aws:us-east-1:use1-az1:p4d.24xlarge";

function structured(answer: CallToolResult): Record<string, unknown> {
  if (answer.isError === true || answer.structuredContent === undefined) throw new Error(`setup call failed: ${JSON.stringify(answer.content)}`);
  return answer.structuredContent;
}

/** Launches an on-demand A100:8 instance in a GCP region for a workload and returns its id. */
async function launched(ctx: SampleContext, key: string, region: string, workloadId: string): Promise<string[]> {
  const out = structured(await ctx.call("launch", { cloud: "gcp", region, gpu: "A100:8", spot: false, count: 1, workloadId, idempotencyKey: key }));
  return (out["instances"] as { id: string }[]).map((i) => i.id);
}

const sim: ContractTarget = {
  name: "the sim tool server",
  profile: PROFILES.sim,
  async open(options = {}) {
    data ??= loadWorldData();
    const host = new SimHost({ speed: 0, data, readOnly: options.readOnly });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createSimServer(host.context()).connect(serverSide);
    const client = new Client({ name: "skyops-contract-suite", version: "0.0.0" });
    await client.connect(clientSide);
    return {
      client,
      advance: (ms) => host.advanceBy(ms),
      close: async () => {
        await client.close();
        host.close();
      },
    };
  },
  samples: {
    list_offers: { call: () => ({}), refused: { args: { cloud: "aws", region: "mars-1" }, code: "invalid-target" } },
    get_price_history: { call: () => ({ offerId: OFFER, spot: true }), refused: { args: { offerId: "no-such-offer", spot: true }, code: "not-found" } },
    list_instances: { call: () => ({}), refused: { args: { cloud: "gcp", region: "us-east-1" }, code: "invalid-target" } },
    get_health: { call: () => ({}), refused: { args: { region: "mars-1" }, code: "invalid-target" } },
    get_egress_price: { call: () => ({ from: "aws/us-east-1", to: "gcp/us-central1", gb: 10 }), refused: { args: { from: "aws/us-east-1", gb: 5 }, code: "invalid-argument" } },
    list_workloads: { call: () => ({}), refused: { args: { workloadId: "no-such-workload" }, code: "not-found" } },
    get_drift: { call: () => ({}), refused: { args: { workloadId: "no-such-workload" }, code: "not-found" } },
    launch: {
      call: () => ({ cloud: "aws", region: "us-west-2", gpu: "A100:8", spot: false, count: 1, idempotencyKey: "contract/launch" }),
      otherArgs: (args) => ({ ...args, count: 2 }),
      refused: { args: { cloud: "aws", region: "mars-1", gpu: "A100:8", spot: false, count: 1, idempotencyKey: "contract/launch-refused" }, code: "invalid-target" },
    },
    terminate: {
      // one that was there before (a delta must then name it removed)
      call: async (ctx) => ({ instanceIds: [(structured(await ctx.call("list_instances", { cloud: "azure" }))["instances"] as { id: string }[])[0]!.id], idempotencyKey: "contract/terminate" }),
      otherArgs: (args) => ({ ...args, instanceIds: ["i-aws-000001"] }),
      refused: { args: { instanceIds: ["i-aws-999999"], idempotencyKey: "contract/terminate-refused" }, code: "not-found" },
    },
    scale: {
      call: () => ({ workloadId: "chat-api", cloud: "aws", region: "us-east-1", replicas: 3, idempotencyKey: "contract/scale" }),
      otherArgs: (args) => ({ ...args, replicas: 4 }),
      refused: { args: { workloadId: "no-such-workload", cloud: "aws", region: "us-east-1", replicas: 1, idempotencyKey: "contract/scale-refused" }, code: "not-found" },
    },
    set_traffic_weights: {
      call: () => ({ workloadId: "chat-api", weights: { "aws/us-east-1": 70, "gcp/us-central1": 30 }, idempotencyKey: "contract/weights" }),
      otherArgs: (args) => ({ ...args, weights: { "aws/us-east-1": 40, "gcp/us-central1": 60 } }),
      refused: { args: { workloadId: "chat-api", weights: { "aws/us-east-1": 0 }, idempotencyKey: "contract/weights-refused" }, code: "invalid-argument" },
    },
    set_model_version: {
      // back to the version before (v2 serves in the default world)
      call: () => ({ workloadId: "chat-api", version: "v1", idempotencyKey: "contract/model" }),
      otherArgs: (args) => ({ ...args, version: "v3" }),
      refused: { args: { workloadId: "no-such-workload", version: "v2", idempotencyKey: "contract/model-refused" }, code: "not-found" },
    },
    request_checkpoint: {
      call: () => ({ workloadId: "llm-finetune", idempotencyKey: "contract/checkpoint" }),
      otherArgs: (args) => ({ ...args, workloadId: "recsys-train" }),
      refused: { args: { workloadId: "chat-api", idempotencyKey: "contract/checkpoint-refused" }, code: "invalid-argument" },
    },
    resume_from_checkpoint: {
      // a durable checkpoint of two hours' progress, and instances for the job in another cloud
      call: async (ctx) => {
        ctx.advance!(2 * 3_600_000);
        const checkpoint = structured(await ctx.call("request_checkpoint", { workloadId: "llm-finetune", idempotencyKey: "contract/resume-checkpoint" }));
        ctx.advance!((checkpoint["readyAtMs"] as number) - (checkpoint["atMs"] as number));
        const instanceIds = await launched(ctx, "contract/resume-launch", "us-central1", "llm-finetune");
        return { workloadId: "llm-finetune", instanceIds, checkpointUri: checkpoint["uri"], idempotencyKey: "contract/resume" };
      },
      otherArgs: ({ checkpointUri: _uri, ...args }) => args,
      refused: { args: { workloadId: "llm-finetune", instanceIds: ["i-gcp-999999"], idempotencyKey: "contract/resume-refused" }, code: "not-found" },
    },
  },
};

describeContract(sim);
