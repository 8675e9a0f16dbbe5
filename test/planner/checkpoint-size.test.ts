import { describe, expect, it } from "vitest";
import { checkpointGbOf } from "../../src/domain/index.js";

describe("a training job's checkpoint size", () => {
  it("is what its tool server reports, else the configured size for it, else the default", () => {
    expect(checkpointGbOf(120, { job: 40 }, 50, "job")).toBe(120);
    expect(checkpointGbOf(0, { job: 40 }, 50, "job")).toBe(0);
    expect(checkpointGbOf(null, { job: 40 }, 50, "job")).toBe(40);
    expect(checkpointGbOf(undefined, {}, 50, "job")).toBe(50);
    // own keys only: a workload named like an Object method gets the default, not a function
    expect(checkpointGbOf(null, {}, 50, "constructor")).toBe(50);
  });
});
