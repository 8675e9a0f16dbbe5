import { afterAll, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon } from "./helpers.js";

let d: TestDaemon | null = null;

/** ~80 MB that is unreachable once this returns (in a block of the caller, V8 may keep it alive). */
function garbage(): number {
  const junk: number[][] = [];
  for (let i = 0; i < 100; i++) junk.push(Array.from({ length: 100_000 }, (_, j) => j + i));
  return junk.length;
}
afterAll(async () => {
  await d?.close();
});

describe("the daemon between ticks", () => {
  it("collects garbage in its idle time, so the heap shrinks back to what is live", async () => {
    d = await startTestDaemon({ workloads: [{ id: "chat", kind: "inference", gpu: "L4:1", replicas: { "aws/us-east-1": 2 }, rps: 100, sloP99Ms: 800 }] }, { http: "127.0.0.1:0" });
    await d.ticks(2);
    expect(garbage()).toBe(100);
    const before = process.memoryUsage().heapUsed;
    const ms = d.daemon.idle();
    const after = process.memoryUsage().heapUsed;
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(before - after).toBeGreaterThan(50 * 1024 * 1024);
  });
});
