import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_META_KEY, WorldSpecSchema, errorCodeOf, isRetryable, type ToolErrorCode } from "../../src/domain/index.js";
import { DEFAULT_START_MS, type SimErrorCode } from "../../src/sim/index.js";
import { SIM_ERROR_CODES, SimHost } from "../../tools/sim/index.js";
import { loadWorldData } from "../../src/data/load.js";
import { call, connect, text } from "./helpers.js";

/**
 * How retryability was decided before typed codes: a regex over the error text (src/executor/ports.ts,
 * `isRetryableErrorText`, as it stood). The executor retries what is retryable, so every refusal of the
 * world must keep the answer this gave, or the scenario figures move.
 */
const RETRYABLE_TEXT_BEFORE =
  /\b(throttl\w*|rate[- ]?limit\w*|too many requests|request ?limit ?exceeded|slow ?down|time[ds]?[- ]?out|timeout|deadline exceeded|temporarily unavailable|service unavailable|try again later|429|503|504|ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN)\b/i;

describe("the sim's refusals as typed codes", () => {
  it("map each of the world's error codes to the contract's, none of them retryable", () => {
    expect(SIM_ERROR_CODES).toEqual({
      "unknown-cloud": "invalid-target",
      "unknown-region": "invalid-target",
      "region-unavailable": "invalid-target",
      "no-spot-price": "invalid-target",
      "unknown-offer": "not-found",
      "unknown-workload": "not-found",
      "unknown-instance": "not-found",
      "unknown-checkpoint": "not-found",
      "no-capacity": "no-capacity",
      "invalid-argument": "invalid-argument",
      "idempotency-mismatch": "idempotency-mismatch",
      conflict: "conflict",
    });
    for (const [sim, code] of Object.entries(SIM_ERROR_CODES)) expect(isRetryable(code), `${sim} → ${code}`).toBe(false);
  });

  describe("through the server, one refusal of each kind", () => {
    let host: SimHost;
    let client: Client;
    let job: { instance: string; checkpoint: string };
    beforeAll(async () => {
      host = new SimHost({
        speed: 0,
        data: loadWorldData(),
        spec: WorldSpecSchema.parse({
          seed: 7,
          startMs: DEFAULT_START_MS,
          clouds: ["aws", "gcp"],
          workloads: [{ id: "job", kind: "training", gpu: "A100:8", at: { cloud: "aws", region: "us-east-1", spot: false }, workHours: 40, checkpointEvery: "30m", checkpointGb: 120 }],
          events: [
            { at: 0, outage: { cloud: "aws", region: "us-west-2", for: "24h" } },
            { at: 0, stockout: { cloud: "gcp", region: "us-central1", gpu: "A100", for: "24h" } },
          ],
        }),
      });
      host.advanceBy(3_600_000);
      client = await connect(host);
      const instance = host.world.listInstances({ workloadId: "job" })[0]!.id;
      const checkpoint = (await call(client, "request_checkpoint", { workloadId: "job", idempotencyKey: "errors/checkpoint" })).structuredContent as { uri: string };
      job = { instance, checkpoint: checkpoint.uri };
      await call(client, "launch", { cloud: "aws", region: "us-east-1", gpu: "A100:8", spot: false, count: 1, idempotencyKey: "errors/launch" });
    });
    afterAll(async () => {
      await client.close();
      host.close();
    });

    const launch = { cloud: "aws", region: "us-east-1", gpu: "A100:8", spot: false, count: 1 };
    const CASES: [SimErrorCode, string, () => Record<string, unknown>][] = [
      ["unknown-cloud", "list_offers", () => ({ cloud: "azure" })],
      ["unknown-region", "list_offers", () => ({ region: "mars-1" })],
      ["region-unavailable", "launch", () => ({ ...launch, region: "us-west-2", idempotencyKey: "errors/outage" })],
      ["no-spot-price", "get_price_history", () => ({ offerId: host.world.listOffers({}).find((o) => o.spotUsdPerHourNow === null)!.id, spot: true })],
      ["unknown-offer", "get_price_history", () => ({ offerId: "no-such-offer", spot: true })],
      ["unknown-workload", "list_workloads", () => ({ workloadId: "ghost" })],
      ["unknown-instance", "terminate", () => ({ instanceIds: ["i-aws-999999"], idempotencyKey: "errors/terminate" })],
      ["unknown-checkpoint", "resume_from_checkpoint", () => ({ workloadId: "job", instanceIds: [job.instance], checkpointUri: "sim://nope", idempotencyKey: "errors/resume-1" })],
      ["no-capacity", "launch", () => ({ ...launch, cloud: "gcp", region: "us-central1", idempotencyKey: "errors/stockout" })],
      ["invalid-argument", "get_egress_price", () => ({ from: "aws/us-east-1", gb: 5 })],
      ["idempotency-mismatch", "launch", () => ({ ...launch, count: 2, idempotencyKey: "errors/launch" })],
      ["conflict", "resume_from_checkpoint", () => ({ workloadId: "job", instanceIds: [job.instance], checkpointUri: job.checkpoint, idempotencyKey: "errors/resume-2" })],
    ];

    it("covers every code the world has", () => {
      expect(new Set(CASES.map(([sim]) => sim))).toEqual(new Set(Object.keys(SIM_ERROR_CODES)));
    });

    it.each(CASES)("answers %s (%s) with its contract code, not retryable, as its text was not before", async (sim, tool, args) => {
      const result = await call(client, tool, args());
      expect(result.isError, text(result)).toBe(true);
      const code: ToolErrorCode = errorCodeOf(result._meta);
      expect(code).toBe(SIM_ERROR_CODES[sim]);
      expect(result._meta?.[ERROR_META_KEY]).toMatchObject({ code, retryable: false });
      expect(isRetryable(code)).toBe(false);
      expect(RETRYABLE_TEXT_BEFORE.test(text(result)), text(result)).toBe(false);
    });
  });
});
