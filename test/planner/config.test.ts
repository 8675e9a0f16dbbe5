import { describe, expect, it } from "vitest";
import { PlannerConfigSchema, plannerConfig } from "../../src/planner/index.js";

describe("planner configuration", () => {
  it("fills every option with its default and describes each in one line", () => {
    const config = plannerConfig();
    expect(config.provisionMs).toEqual({ aws: 90_000, gcp: 60_000, azure: 120_000 });
    expect(config.restartMs).toBe(60_000);
    expect(config.egressFallback).toEqual({ usdPerGb: 0.12, transferGbPerSecond: 0.5 });
    for (const [key, schema] of Object.entries(PlannerConfigSchema.shape)) {
      expect(schema.description, key).toBeTruthy();
      expect(schema.description!.includes("\n"), key).toBe(false);
    }
  });

  it("reports every problem at once", () => {
    const result = PlannerConfigSchema.safeParse({ minNetSavingsUsd: -1, replicaHeadroom: "lots", provisionMs: { aws: -5 } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toEqual(expect.arrayContaining(["minNetSavingsUsd", "replicaHeadroom", "provisionMs.aws"]));
  });
});
