import { describe, expect, it } from "vitest";
import { finding, memoryStore, MINUTE, T0 } from "./helpers.js";

describe("FindingRepository", () => {
  const store = memoryStore();
  const findings = store.findings;

  it("opens a finding when first seen and refreshes the same row when seen again, keeping its first-seen time", () => {
    expect(findings.upsert(finding("surge:a", T0))).toBe("opened");
    expect(findings.upsert(finding("surge:a", T0 + MINUTE, { severity: "critical", facts: { usdPerHour: 12 } }))).toBe("refreshed");
    const f = findings.get("surge:a")!;
    expect(f).toMatchObject({ firstSeenMs: T0, lastSeenMs: T0 + MINUTE, atMs: T0 + MINUTE, severity: "critical", facts: { usdPerHour: 12 }, open: true, closedAtMs: null });
  });

  it("never moves last-seen back when an older observation arrives late", () => {
    findings.upsert(finding("surge:late", T0 + 5 * MINUTE));
    findings.upsert(finding("surge:late", T0 + 2 * MINUTE));
    expect(findings.get("surge:late")!.lastSeenMs).toBe(T0 + 5 * MINUTE);
  });

  it("closes an open finding once, and reopens it as a new episode when it is seen again", () => {
    findings.upsert(finding("drift:b", T0, { kind: "drift", workloadId: "serve-bert" }));
    expect(findings.close("drift:b", T0 + MINUTE)).toBe(true);
    expect(findings.close("drift:b", T0 + 2 * MINUTE)).toBe(false);
    expect(findings.get("drift:b")).toMatchObject({ open: false, closedAtMs: T0 + MINUTE });
    expect(findings.listOpen().map((f) => f.id)).not.toContain("drift:b");

    expect(findings.upsert(finding("drift:b", T0 + 10 * MINUTE, { kind: "drift", workloadId: "serve-bert" }))).toBe("reopened");
    expect(findings.get("drift:b")).toMatchObject({ open: true, closedAtMs: null, firstSeenMs: T0 + 10 * MINUTE });
  });

  it("lists open findings oldest first, for the fleet or one workload", () => {
    const open = findings.listOpen();
    expect(open.map((f) => f.firstSeenMs)).toEqual([...open.map((f) => f.firstSeenMs)].sort((a, b) => a - b));
    expect(findings.listOpen("serve-bert").map((f) => f.id)).toEqual(["drift:b"]);
    expect(findings.listOpen("nobody")).toEqual([]);
  });

  it("closes several in one call and counts only those that were open", () => {
    findings.upsertMany([finding("x:1", T0), finding("x:2", T0)]);
    expect(findings.closeMany(["x:1", "x:2", "x:unknown"], T0 + MINUTE)).toBe(2);
  });

  it("refuses a finding that fails its schema and writes nothing of the batch", () => {
    const bad = { ...finding("bad", T0), severity: "dire" } as unknown as ReturnType<typeof finding>;
    expect(() => findings.upsertMany([finding("ok-but-batched", T0), bad])).toThrow();
    expect(findings.get("ok-but-batched")).toBeNull();
  });
});
