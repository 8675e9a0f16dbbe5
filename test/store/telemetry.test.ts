import { describe, expect, it } from "vitest";
import { SecretInPayloadError } from "../../src/store/index.js";
import { HOUR, memoryStore, MINUTE, T0 } from "./helpers.js";

describe("TelemetryRepository", () => {
  const { telemetry } = memoryStore();

  it("appends compact tick and source summaries and lists them by time", async () => {
    await telemetry.append({ atMs: T0, kind: "tick", server: null, summary: { sources: 2, failed: 1, workloads: 120, findings: 2 } });
    await telemetry.appendMany([
      { atMs: T0, kind: "source", server: "aws", summary: { ok: true, ms: 41 } },
      { atMs: T0, kind: "source", server: "gcp", summary: { ok: false, error: "timeout", ms: 5000 } },
    ]);
    const rows = await telemetry.list(T0, T0);
    expect(rows.map((r) => [r.kind, r.server])).toEqual([
      ["tick", null],
      ["source", "aws"],
      ["source", "gcp"],
    ]);
    expect(rows[2]?.summary).toEqual({ ok: false, error: "timeout", ms: 5000 });
  });

  it("prunes events strictly older than the cutoff and says how many", async () => {
    await telemetry.append({ atMs: T0 + HOUR, kind: "tick", server: null, summary: { sources: 2, failed: 0 } });
    expect(await telemetry.pruneOlderThan(T0 + MINUTE)).toBe(3);
    expect((await telemetry.list(0, T0 + 2 * HOUR)).map((r) => r.atMs)).toEqual([T0 + HOUR]);
    expect(await telemetry.pruneOlderThan(T0 + HOUR)).toBe(0);
  });

  it("refuses a summary that carries a credential-named key, naming where it was", async () => {
    await expect(telemetry.append({ atMs: T0, kind: "source", server: "aws", summary: { auth: { accessToken: "x" } } })).rejects.toThrow(SecretInPayloadError);
    await expect(telemetry.append({ atMs: T0, kind: "source", server: "aws", summary: { auth: { accessToken: "x" } } })).rejects.toThrow("$.auth.accessToken");
  });
});
