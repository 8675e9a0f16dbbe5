import { describe, expect, it } from "vitest";
import { finding, memoryStore, MINUTE, T0 } from "./helpers.js";

describe("FindingRepository", () => {
  const store = memoryStore();
  const findings = store.findings;

  it("opens a finding when first seen and refreshes the same row when seen again, keeping its first-seen time and saying when its severity changed", async () => {
    expect(await findings.upsert(finding("surge:a", T0))).toBe("opened");
    expect(await findings.upsert(finding("surge:a", T0 + MINUTE, { severity: "critical", facts: { usdPerHour: 12 } }))).toBe("severity-changed");
    expect(await findings.upsert(finding("surge:a", T0 + 2 * MINUTE, { severity: "critical", facts: { usdPerHour: 13 } }))).toBe("refreshed");
    const f = (await findings.get("surge:a"))!;
    expect(f).toMatchObject({ firstSeenMs: T0, lastSeenMs: T0 + 2 * MINUTE, atMs: T0 + 2 * MINUTE, severity: "critical", facts: { usdPerHour: 13 }, open: true, closedAtMs: null });
  });

  it("never moves last-seen back when an older observation arrives late", async () => {
    await findings.upsert(finding("surge:late", T0 + 5 * MINUTE));
    await findings.upsert(finding("surge:late", T0 + 2 * MINUTE));
    expect((await findings.get("surge:late"))!.lastSeenMs).toBe(T0 + 5 * MINUTE);
  });

  it("closes an open finding once, and reopens it as a new episode when it is seen again", async () => {
    await findings.upsert(finding("drift:b", T0, { kind: "drift", workloadId: "serve-bert" }));
    expect(await findings.close("drift:b", T0 + MINUTE)).toBe(true);
    expect(await findings.close("drift:b", T0 + 2 * MINUTE)).toBe(false);
    expect(await findings.get("drift:b")).toMatchObject({ open: false, closedAtMs: T0 + MINUTE });
    expect((await findings.listOpen()).map((f) => f.id)).not.toContain("drift:b");

    expect(await findings.upsert(finding("drift:b", T0 + 10 * MINUTE, { kind: "drift", workloadId: "serve-bert" }))).toBe("reopened");
    expect(await findings.get("drift:b")).toMatchObject({ open: true, closedAtMs: null, firstSeenMs: T0 + 10 * MINUTE });
  });

  it("lists open findings oldest first, for the fleet or one workload", async () => {
    const open = await findings.listOpen();
    expect(open.map((f) => f.firstSeenMs)).toEqual([...open.map((f) => f.firstSeenMs)].sort((a, b) => a - b));
    expect((await findings.listOpen("serve-bert")).map((f) => f.id)).toEqual(["drift:b"]);
    expect(await findings.listOpen("nobody")).toEqual([]);
  });

  it("closes several in one call and counts only those that were open", async () => {
    await findings.upsertMany([finding("x:1", T0), finding("x:2", T0)]);
    expect(await findings.closeMany(["x:1", "x:2", "x:unknown"], T0 + MINUTE)).toBe(2);
  });

  it("refuses a finding that fails its schema and writes nothing of the batch", async () => {
    const bad = { ...finding("bad", T0), severity: "dire" } as unknown as ReturnType<typeof finding>;
    await expect(findings.upsertMany([finding("ok-but-batched", T0), bad])).rejects.toThrow();
    expect(await findings.get("ok-but-batched")).toBeNull();
  });

  it("makes a tick's findings the open ones in one call: upserts them and closes every other open finding", async () => {
    const { findings } = memoryStore();
    await findings.upsertMany([finding("a", T0), finding("b", T0), finding("c", T0)]);
    await findings.close("c", T0 + MINUTE);
    const r = await findings.replaceOpen([finding("a", T0 + 2 * MINUTE), finding("c", T0 + 2 * MINUTE), finding("d", T0 + 2 * MINUTE)], T0 + 2 * MINUTE);
    expect(r).toEqual({ outcomes: ["refreshed", "reopened", "opened"], closed: [{ id: "b", kind: "price-surge", workloadId: "train-llama" }] });
    expect((await findings.listOpen()).map((f) => f.id).sort()).toEqual(["a", "c", "d"]);
    expect(await findings.get("b")).toMatchObject({ open: false, closedAtMs: T0 + 2 * MINUTE });
    // nothing found: every open finding closes
    expect((await findings.replaceOpen([], T0 + 3 * MINUTE)).closed.map((f) => f.id).sort()).toEqual(["a", "c", "d"]);
    expect(await findings.listOpen()).toEqual([]);
  });

  it("counts the open findings by kind, kinds in alphabetical order", async () => {
    const { findings } = memoryStore();
    await findings.upsertMany([finding("s:1", T0), finding("s:2", T0), finding("d:1", T0, { kind: "drift" }), finding("o:1", T0, { kind: "orphan-instance" })]);
    await findings.close("o:1", T0 + MINUTE);
    const counts = await findings.countOpenByKind();
    expect(counts).toEqual({ drift: 1, "price-surge": 2 });
    expect(Object.keys(counts)).toEqual(["drift", "price-surge"]);
  });
});
