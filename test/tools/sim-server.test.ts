import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  CONTRACT as TOOL_CONTRACT,
  CheckpointOutputSchema,
  DriftOutputSchema,
  EgressPriceOutputSchema,
  HealthOutputSchema,
  ListInstancesOutputSchema,
  ListOffersOutputSchema,
  ListWorkloadsOutputSchema,
  PriceHistoryOutputSchema,
  ResumeOutputSchema,
  type Instance,
  type ToolName,
  type WorkloadStatus,
} from "../../src/domain/index.js";
import { READ_ONLY_TOOLS, type SimHost } from "../../tools/sim/index.js";
import { call, connect, frozenHost, ok, text, worldState } from "./helpers.js";

/** DESIGN.md's tool contract, written out here so the server cannot drift from it unnoticed. */
const CONTRACT = [
  "list_offers",
  "get_price_history",
  "list_instances",
  "get_health",
  "get_egress_price",
  "launch",
  "terminate",
  "list_workloads",
  "scale",
  "set_traffic_weights",
  "set_model_version",
  "request_checkpoint",
  "resume_from_checkpoint",
  "get_drift",
];
const READ = ["list_offers", "get_price_history", "list_instances", "get_health", "get_egress_price", "list_workloads", "get_drift"];
const DESTRUCTIVE = ["terminate", "scale", "set_model_version", "resume_from_checkpoint"];

/** Units each description must state. */
const UNITS: Record<string, RegExp[]> = {
  list_offers: [/USD\/hour/, /\bGB\b/],
  get_price_history: [/USD\/hour/, /\bms\b/],
  list_instances: [/USD\/hour/, /\bUSD\b/, /\bms\b/],
  get_health: [/\bms\b/, /requests\/second/],
  get_egress_price: [/USD per GB/, /GB\/s/, /\bms\b/],
  launch: [/USD\/hour/],
  terminate: [/USD\/hour/],
  list_workloads: [/USD\/hour/, /requests\/second/, /\bms\b/, /hours/],
  scale: [/USD\/hour/, /requests\/second/],
  set_traffic_weights: [/requests\/second/],
  set_model_version: [],
  request_checkpoint: [/\bGB\b/, /ms since epoch/],
  resume_from_checkpoint: [/\bGB\b/, /USD per GB/, /\bms\b/],
  get_drift: [/\bms\b/, /PSI/],
};

const OFFER = "aws:us-east-1:use1-az1:p4d.24xlarge";

/** Valid arguments for every read tool, with the schema its structuredContent must parse with. */
const READ_CALLS: [string, Record<string, unknown>, z.ZodType][] = [
  ["list_offers", {}, ListOffersOutputSchema],
  ["list_offers", { cloud: "gcp", region: "us-central1", accelerator: "a100", spot: true, minAcceleratorCount: 8, limit: 5 }, ListOffersOutputSchema],
  ["get_price_history", { offerId: OFFER, spot: true }, PriceHistoryOutputSchema],
  ["get_price_history", { offerId: OFFER, spot: false, sinceMs: 0 }, PriceHistoryOutputSchema],
  ["list_instances", {}, ListInstancesOutputSchema],
  ["list_instances", { cloud: "aws", region: "us-east-1", workloadId: "chat-api", includeEnded: true }, ListInstancesOutputSchema],
  ["get_health", {}, HealthOutputSchema],
  ["get_health", { cloud: "azure" }, HealthOutputSchema],
  ["get_egress_price", { from: "aws/us-east-1", to: "gcp/us-central1", gb: 120 }, EgressPriceOutputSchema],
  ["get_egress_price", { from: "aws/us-east-1", to: "aws/us-east-1" }, EgressPriceOutputSchema],
  ["list_workloads", {}, ListWorkloadsOutputSchema],
  ["list_workloads", { kind: "inference" }, ListWorkloadsOutputSchema],
  ["get_drift", {}, DriftOutputSchema],
  ["get_drift", { workloadId: "chat-api" }, DriftOutputSchema],
];

let host: SimHost;
let client: Client;

/** A fresh world and client for each test of the block (for tests that change the world). */
function freshWorldPerTest(): void {
  beforeEach(async () => {
    host = frozenHost();
    client = await connect(host);
  });
  afterEach(async () => {
    await client.close();
    host.close();
  });
}

/** One world and client for the whole block (for tests that must leave the world unchanged anyway). */
function sharedWorld(): void {
  beforeAll(async () => {
    host = frozenHost();
    client = await connect(host);
  });
  afterAll(async () => {
    await client.close();
    host.close();
  });
}

describe("the sim tool server's tool list", () => {
  sharedWorld();
  let tools: Tool[];
  beforeAll(async () => {
    tools = (await client.listTools()).tools;
  });

  it("offers exactly the 14 tools of the DESIGN.md contract", () => {
    expect(tools.map((t) => t.name).sort()).toEqual([...CONTRACT].sort());
  });

  it("gives every tool an input schema, an output schema, a title and all four annotation hints", () => {
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      expect(tool.title, tool.name).toBeTruthy();
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
        expect(typeof tool.annotations?.[hint], `${tool.name}.${hint}`).toBe("boolean");
      }
      const contract = TOOL_CONTRACT[tool.name as ToolName];
      expect(tool.annotations).toEqual({ title: contract.title, ...contract.annotations });
    }
  });

  it("marks the read tools read-only, only terminate, scale, set_model_version and resume_from_checkpoint destructive, and every tool open-world", () => {
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(READ.includes(tool.name));
      expect(tool.annotations?.destructiveHint, tool.name).toBe(DESTRUCTIVE.includes(tool.name));
      expect(tool.annotations?.idempotentHint, tool.name).toBe(true);
      expect(tool.annotations?.openWorldHint, tool.name).toBe(true);
    }
    expect([...READ_ONLY_TOOLS].sort()).toEqual([...READ].sort());
  });

  it("requires an idempotencyKey on every changing tool and on no read tool", () => {
    for (const tool of tools) {
      const required = (tool.inputSchema.required ?? []) as string[];
      expect(required.includes("idempotencyKey"), tool.name).toBe(!READ.includes(tool.name));
    }
  });

  it("states units in the descriptions", () => {
    for (const tool of tools) {
      for (const unit of UNITS[tool.name] ?? []) expect(tool.description, tool.name).toMatch(unit);
    }
  });

  it("lists only the read-only tools, derived from the annotations, on a read-only server", async () => {
    const readOnlyHost = frozenHost({ readOnly: true });
    const readOnly = await connect(readOnlyHost);
    const listed = (await readOnly.listTools()).tools;
    expect(listed.map((t) => t.name).sort()).toEqual([...READ].sort());
    expect(listed.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    await readOnly.close();
  });
});

describe("read tools", () => {
  sharedWorld();
  it("return structuredContent that parses with each tool's output schema, and a short text", async () => {
    for (const [name, args, schema] of READ_CALLS) {
      const result = await call(client, name, args);
      expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
      expect(() => schema.parse(result.structuredContent), name).not.toThrow();
      expect(text(result).length, name).toBeGreaterThan(10);
      expect(text(result).length, `${name} summarises instead of dumping`).toBeLessThan(3_000);
    }
  });

  it("change nothing and do not move the simulated clock", async () => {
    const before = worldState(host);
    for (const [name, args] of READ_CALLS) await call(client, name, args);
    expect(worldState(host)).toEqual(before);
  });

  it("summarise the whole catalog in a few lines naming the cheapest offers", async () => {
    const result = await call(client, "list_offers", {});
    const offers = ListOffersOutputSchema.parse(result.structuredContent);
    expect(offers.total).toBeGreaterThan(1_000);
    expect(offers.offers).toHaveLength(offers.total);
    expect(text(result)).toMatch(/^[\d,]+ offers \(aws [\d,]+, azure [\d,]+, gcp [\d,]+\)/);
    expect(text(result)).toMatch(/Cheapest spot with capacity now: .+ \$[\d.]+\/hour/);
    expect(text(result).split("\n").length).toBeLessThanOrEqual(5);
  });

  it("filter offers by cloud, accelerator (any case) and spot", async () => {
    const { offers } = ListOffersOutputSchema.parse(await ok(client, "list_offers", { cloud: "gcp", accelerator: "a100", spot: true }));
    expect(offers.length).toBeGreaterThan(0);
    for (const o of offers) {
      expect(o.cloud).toBe("gcp");
      expect(o.accelerator).toBe("A100");
      expect(o.spotUsdPerHourNow).not.toBeNull();
    }
    const onDemand = ListOffersOutputSchema.parse(await ok(client, "list_offers", { cloud: "azure", spot: false }));
    expect(onDemand.offers.every((o) => o.cloud === "azure" && o.onDemandUsdPerHourNow !== null)).toBe(true);
  });

  it("return the cheapest offers first when a limit cuts the list", async () => {
    const limited = ListOffersOutputSchema.parse(await ok(client, "list_offers", { accelerator: "H100", limit: 3 }));
    expect(limited.offers).toHaveLength(3);
    expect(limited.truncated).toBe(true);
    expect(limited.total).toBeGreaterThan(3);
    const price = (o: (typeof limited.offers)[number]) => Math.min(o.spotUsdPerHourNow ?? Infinity, o.onDemandUsdPerHourNow ?? Infinity);
    const prices = limited.offers.map(price);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it("report one drift report per serving workload, or the one asked for", async () => {
    const all = DriftOutputSchema.parse(await ok(client, "get_drift", {}));
    expect(all.reports.map((r) => r.workloadId).sort()).toEqual(["chat-api", "doc-classifier", "eu-search-embed"]);
    const one = DriftOutputSchema.parse(await ok(client, "get_drift", { workloadId: "chat-api" }));
    expect(one.reports).toHaveLength(1);
    expect(one.reports[0]!.features.length).toBeGreaterThan(0);
  });
});

describe("changing tools", () => {
  freshWorldPerTest();
  const launchArgs = { cloud: "aws", region: "us-west-2", gpu: "A100:8", spot: false, count: 2, idempotencyKey: "test/launch-1" };

  it("launch starts instances that list_instances then shows, provisioning and labelled", async () => {
    const { instances } = await ok<{ instances: Instance[] }>(client, "launch", { ...launchArgs, workloadId: "llm-finetune" });
    expect(instances).toHaveLength(2);
    const listed = ListInstancesOutputSchema.parse(await ok(client, "list_instances", { workloadId: "llm-finetune" }));
    for (const launched of instances) {
      const seen = listed.instances.find((i) => i.id === launched.id);
      expect(seen?.state).toBe("provisioning");
      expect(seen?.labels["skyops/workload"]).toBe("llm-finetune");
      expect(seen?.idempotencyKey).toBe("test/launch-1");
    }
  });

  it("launch twice with the same idempotencyKey launches one set of instances", async () => {
    const before = host.world.listInstances().length;
    const first = await ok<{ instances: Instance[] }>(client, "launch", launchArgs);
    const events = host.world.events().length;
    const second = await ok<{ instances: Instance[] }>(client, "launch", { ...launchArgs, gpu: { name: "A100", count: 8 } });
    expect(second.instances.map((i) => i.id)).toEqual(first.instances.map((i) => i.id));
    expect(host.world.listInstances().length).toBe(before + 2);
    expect(host.world.events().length).toBe(events);
  });

  it("refuses an idempotencyKey reused with other arguments, naming the key and changing nothing", async () => {
    await ok(client, "launch", launchArgs);
    const before = worldState(host);
    const result = await call(client, "launch", { ...launchArgs, count: 3 });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/^idempotencyKey: .*already used with different arguments/);
    expect(worldState(host)).toEqual(before);
  });

  it("terminate ends instances, stops their billing, and a repeat changes nothing", async () => {
    const { instances } = await ok<{ instances: Instance[] }>(client, "launch", launchArgs);
    const ids = instances.map((i) => i.id);
    const ended = await ok<{ instances: Instance[] }>(client, "terminate", { instanceIds: ids, idempotencyKey: "test/terminate-1" });
    expect(ended.instances.map((i) => [i.id, i.state, i.usdPerHour])).toEqual(ids.map((id) => [id, "terminated", 0]));
    const live = ListInstancesOutputSchema.parse(await ok(client, "list_instances", {}));
    expect(live.instances.some((i) => ids.includes(i.id))).toBe(false);
    const all = ListInstancesOutputSchema.parse(await ok(client, "list_instances", { includeEnded: true }));
    expect(all.instances.filter((i) => ids.includes(i.id))).toHaveLength(2);
    const before = worldState(host);
    await ok(client, "terminate", { instanceIds: ids, idempotencyKey: "test/terminate-1" });
    expect(worldState(host)).toEqual(before);
  });

  it("scale adds replicas to a serving deployment and drains them again", async () => {
    const deployment = (w: WorkloadStatus) => w.deployments.find((d) => d.location === "aws/us-east-1")!;
    const up = await ok<{ workload: WorkloadStatus }>(client, "scale", { workloadId: "chat-api", cloud: "aws", region: "us-east-1", replicas: 4, idempotencyKey: "test/scale-up" });
    expect(deployment(up.workload).replicas).toBe(4);
    expect(deployment(up.workload).healthyReplicas).toBe(2); // two new ones still provisioning
    host.advanceBy(5 * 60_000);
    const down = await ok<{ workload: WorkloadStatus }>(client, "scale", { workloadId: "chat-api", cloud: "aws", region: "us-east-1", replicas: 1, idempotencyKey: "test/scale-down" });
    expect(deployment(down.workload).replicas).toBe(1);
    expect(host.world.listInstances({ workloadId: "chat-api", cloud: "aws" })).toHaveLength(1);
  });

  it("set_traffic_weights splits a serving workload's traffic as asked", async () => {
    const { workload } = await ok<{ workload: WorkloadStatus }>(client, "set_traffic_weights", {
      workloadId: "chat-api",
      weights: { "aws/us-east-1": 70, "gcp/us-central1": 30 },
      idempotencyKey: "test/weights-1",
    });
    expect(Object.fromEntries(workload.deployments.map((d) => [d.location, d.trafficWeight]))).toEqual({ "aws/us-east-1": 70, "gcp/us-central1": 30 });
  });

  it("set_model_version rolls a serving workload to a version and remembers the previous one", async () => {
    const { workload } = await ok<{ workload: WorkloadStatus }>(client, "set_model_version", { workloadId: "chat-api", version: "v2", idempotencyKey: "test/model-1" });
    expect([workload.modelVersion, workload.previousModelVersion]).toEqual(["v2", "v1"]);
    const drift = DriftOutputSchema.parse(await ok(client, "get_drift", { workloadId: "chat-api" }));
    expect(drift.reports[0]!.modelVersion).toBe("v2");
  });

  it("moves a training job to another cloud through a checkpoint and charges egress at get_egress_price × checkpoint GB", async () => {
    host.advanceBy(2 * 3_600_000); // two hours of progress
    const ckpt = CheckpointOutputSchema.parse(await ok(client, "request_checkpoint", { workloadId: "llm-finetune", idempotencyKey: "test/ckpt-1" }));
    expect(ckpt.ready).toBe(false);
    expect(ckpt.progressHours).toBeCloseTo(2, 6);
    const { instances } = await ok<{ instances: Instance[] }>(client, "launch", {
      cloud: "gcp",
      region: "us-central1",
      gpu: "A100:8",
      spot: false,
      count: 1,
      workloadId: "llm-finetune",
      idempotencyKey: "test/ckpt-launch",
    });
    const resumeArgs = { workloadId: "llm-finetune", instanceIds: instances.map((i) => i.id), checkpointUri: ckpt.uri, idempotencyKey: "test/resume-1" };

    const early = worldState(host);
    const tooSoon = await call(client, "resume_from_checkpoint", resumeArgs);
    expect(tooSoon.isError).toBe(true);
    expect(text(tooSoon)).toMatch(/^checkpointUri: .*still being written/);
    expect(worldState(host)).toEqual(early);

    host.advanceTo(ckpt.readyAtMs);
    const polled = CheckpointOutputSchema.parse(await ok(client, "request_checkpoint", { workloadId: "llm-finetune", idempotencyKey: "test/ckpt-1" }));
    expect([polled.uri, polled.ready]).toEqual([ckpt.uri, true]);

    const egress = EgressPriceOutputSchema.parse(await ok(client, "get_egress_price", { from: `${ckpt.cloud}/${ckpt.region}`, to: "gcp/us-central1", gb: ckpt.gb }));
    const egressBefore = host.world.totals().egressUsd;
    const resumed = ResumeOutputSchema.parse(await ok(client, "resume_from_checkpoint", resumeArgs));
    expect(resumed.fromRegion).toBe("aws/us-east-1");
    expect(resumed.toRegion).toBe("gcp/us-central1");
    expect(resumed.egressGb).toBe(ckpt.gb);
    expect(resumed.egressUsd).toBeCloseTo(egress.usdPerGb * ckpt.gb, 9);
    expect(resumed.egressUsd).toBeCloseTo(egress.usd!, 9);
    expect(resumed.egressUsd).toBeGreaterThan(0);
    expect(host.world.totals().egressUsd - egressBefore).toBeCloseTo(resumed.egressUsd, 9);
    expect(resumed.progressHours).toBeCloseTo(2, 6);

    host.advanceTo(resumed.resumesAtMs + 60_000);
    const [job] = ListWorkloadsOutputSchema.parse(await ok(client, "list_workloads", { workloadId: "llm-finetune" })).workloads;
    expect(job!.state).toBe("running");
    expect(job!.deployments.map((d) => d.location)).toEqual(["gcp/us-central1"]);
  });
});

describe("bad arguments", () => {
  sharedWorld();
  const launch = { cloud: "aws", region: "us-east-1", gpu: "A100:8", spot: false, count: 1, idempotencyKey: "test/bad" };
  const BAD: [string, Record<string, unknown>, string][] = [
    // the schema refuses (the SDK answers -32602 naming the path)
    ["list_offers", { colud: "aws" }, "colud"],
    ["launch", { ...launch, count: -1 }, "count"],
    ["launch", { ...launch, count: 0 }, "count"],
    ["launch", { ...launch, count: 2.5 }, "count"],
    ["launch", { ...launch, count: Number.NaN }, "count"],
    ["launch", { ...launch, count: Number.POSITIVE_INFINITY }, "count"],
    ["launch", { ...launch, count: 1e9 }, "count"],
    ["launch", { ...launch, idempotencyKey: "" }, "idempotencyKey"],
    ["launch", { ...launch, idempotencyKey: "k".repeat(257) }, "idempotencyKey"],
    ["launch", { cloud: "aws", region: "us-east-1", gpu: "A100:8", spot: false, count: 1 }, "idempotencyKey"],
    ["launch", { ...launch, cloud: "ibm" }, "cloud"],
    ["launch", { ...launch, gpu: "A100:0" }, "gpu"],
    ["get_price_history", { offerId: OFFER, spot: true, sinceMs: Number.NaN }, "sinceMs"],
    ["get_price_history", { offerId: OFFER, spot: true, untilMs: Number.NEGATIVE_INFINITY }, "untilMs"],
    ["get_egress_price", { from: "aws/us-east-1", to: "aws/us-west-2", gb: Number.NaN }, "gb"],
    ["get_egress_price", { from: "aws/us-east-1", to: "aws/us-west-2", gb: -5 }, "gb"],
    ["get_egress_price", { from: "us-east-1", to: "aws/us-west-2" }, "from"],
    ["scale", { workloadId: "chat-api", cloud: "aws", region: "us-east-1", replicas: -1, idempotencyKey: "k" }, "replicas"],
    ["scale", { workloadId: "chat-api", cloud: "aws", region: "us-east-1", replicas: 1.5, idempotencyKey: "k" }, "replicas"],
    ["set_traffic_weights", { workloadId: "chat-api", weights: { "aws/us-east-1": Number.NaN }, idempotencyKey: "k" }, "weights"],
    ["set_traffic_weights", { workloadId: "chat-api", weights: { "aws/us-east-1": Number.POSITIVE_INFINITY }, idempotencyKey: "k" }, "weights"],
    ["set_traffic_weights", { workloadId: "chat-api", weights: { "aws/us-east-1": -1 }, idempotencyKey: "k" }, "weights"],
    ["list_offers", { minAcceleratorCount: Number.NaN }, "minAcceleratorCount"],
    ["terminate", { instanceIds: [], idempotencyKey: "k" }, "instanceIds"],
    // the world refuses (a domain error naming the field, with a hint)
    ["list_offers", { cloud: "aws", region: "mars-1" }, "region"],
    ["list_offers", { region: "mars-1" }, "region"],
    ["get_health", { region: "mars-1" }, "region"],
    ["list_instances", { cloud: "gcp", region: "us-east-1" }, "region"],
    ["launch", { ...launch, region: "mars-1" }, "region"],
    ["launch", { ...launch, instanceType: "p4d.24xlarge" }, "instanceType"],
    ["launch", { ...launch, gpu: "A100:3" }, "gpu"],
    ["launch", { ...launch, workloadId: "no-such-workload" }, "workloadId"],
    ["get_price_history", { offerId: "no-such-offer", spot: true }, "offerId"],
    ["get_price_history", { offerId: OFFER, spot: true, sinceMs: 8_000_000_000_000 }, "sinceMs"],
    ["get_egress_price", { from: "aws/mars-1", to: "aws/us-west-2" }, "from"],
    ["get_egress_price", { from: "aws/us-east-1", to: "gcp/mars-1" }, "to"],
    ["scale", { workloadId: "no-such-workload", cloud: "aws", region: "us-east-1", replicas: 1, idempotencyKey: "k" }, "workloadId"],
    ["scale", { workloadId: "llm-finetune", cloud: "aws", region: "us-east-1", replicas: 1, idempotencyKey: "k" }, "workloadId"],
    ["scale", { workloadId: "chat-api", cloud: "aws", region: "mars-1", replicas: 3, idempotencyKey: "k" }, "region"],
    ["set_traffic_weights", { workloadId: "chat-api", weights: { "azure/eastus": 10 }, idempotencyKey: "k" }, "weights"],
    ["set_traffic_weights", { workloadId: "chat-api", weights: { "aws/us-east-1": 0 }, idempotencyKey: "k" }, "weights"],
    ["set_model_version", { workloadId: "no-such-workload", version: "v2", idempotencyKey: "k" }, "workloadId"],
    ["terminate", { instanceIds: ["i-aws-999999"], idempotencyKey: "k" }, "instanceIds"],
    ["request_checkpoint", { workloadId: "chat-api", idempotencyKey: "k" }, "workloadId"],
    ["resume_from_checkpoint", { workloadId: "llm-finetune", instanceIds: ["i-gcp-999999"], idempotencyKey: "k" }, "instanceIds"],
    ["resume_from_checkpoint", { workloadId: "llm-finetune", instanceIds: ["i-gcp-000002"], idempotencyKey: "k" }, "instanceIds"],
    ["resume_from_checkpoint", { workloadId: "llm-finetune", instanceIds: ["i-aws-000001"], checkpointUri: "sim://nope", idempotencyKey: "k" }, "checkpointUri"],
    ["get_drift", { workloadId: "no-such-workload" }, "workloadId"],
    ["list_workloads", { workloadId: "no-such-workload" }, "workloadId"],
  ];

  it.each(BAD)("%s %j is an error naming %s, and the world is unchanged", async (name, args, field) => {
    const before = worldState(host);
    const result = await call(client, name, args);
    expect(result.isError, text(result)).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(text(result)).toContain(field);
    expect(worldState(host)).toEqual(before);
  });

  it("answers a schema failure with the SDK's -32602 error naming the path", async () => {
    const result = await call(client, "launch", { ...launch, count: Number.NaN });
    expect(text(result)).toMatch(/^MCP error -32602: Input validation error: Invalid arguments for tool launch: .*expected number, received NaN at count/);
  });

  it("answers a domain failure with the field, what is wrong and what to do instead", async () => {
    const result = await call(client, "scale", { workloadId: "no-such-workload", cloud: "aws", region: "us-east-1", replicas: 1, idempotencyKey: "k" });
    expect(text(result)).toBe('workloadId: unknown workload "no-such-workload". call list_workloads for the ids that exist');
  });
});
