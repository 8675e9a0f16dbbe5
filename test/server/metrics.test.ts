import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/server/metrics.js";

describe("the daemon's metrics", () => {
  it("are all named skyops_…, with no word repeated in a name", async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain("skyops_process_cpu_user_seconds_total");
    expect(names).toContain("skyops_nodejs_heap_size_used_bytes");
    for (const name of names) {
      expect(name).toMatch(/^skyops_/);
      const words = name.split("_");
      expect([name, words.some((w, i) => i > 0 && w === words[i - 1])]).toEqual([name, false]);
    }
  });
});
