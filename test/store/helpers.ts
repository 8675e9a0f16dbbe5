import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll } from "vitest";
import type { Decision, Finding, Proposal } from "../../src/domain/index.js";
import { openStore, type Store } from "../../src/store/index.js";

export const T0 = Date.UTC(2025, 5, 2, 10, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A temp folder removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `skyops-store-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An in-memory store closed after the file's tests. */
export function memoryStore(): Store {
  const store = openStore(":memory:");
  afterAll(() => store.close());
  return store;
}

/**
 * Runs `fn` on a connection of its own to the database file at `path`, then closes it: for tests that
 * read rows as stored, or change them behind the store's back (a tampered audit row). The store itself
 * lends nobody its connection.
 */
export function onTheFile<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function migrateProposal(id: string, over: Partial<Extract<Proposal, { type: "migrate" }>> = {}): Proposal {
  return {
    id,
    type: "migrate",
    workloadId: "train-llama",
    proposer: "builtin",
    createdAtMs: T0,
    costDeltaUsdPerHour: -12.5,
    oneOffCostUsd: 3.2,
    expectedDowntimeMs: 90_000,
    blastRadius: 1,
    rationale: "spot price in us-east-1 surged; eu-west-1 is cheaper after egress",
    findingIds: ["price-surge:train-llama"],
    costOnly: true,
    source: { cloud: "aws", region: "us-east-1", spot: true },
    target: { cloud: "aws", region: "eu-west-1", spot: true },
    checkpointGb: 40,
    ...over,
  };
}

export function finding(id: string, atMs: number, over: Partial<Finding> = {}): Finding {
  return {
    id,
    kind: "price-surge",
    workloadId: "train-llama",
    severity: "warning",
    atMs,
    summary: "spot price up 80% in us-east-1",
    facts: { usdPerHour: 9.1, baseline: 5.05 },
    ...over,
  };
}

export function decision(proposalId: string, atMs: number, outcome: Decision["outcome"] = "allow"): Decision {
  return { proposalId, outcome, atMs, reasons: [{ source: "policy", id: "cost-saving-autonomous", reason: "saves money within limits" }], inputDigest: "a".repeat(64) };
}
