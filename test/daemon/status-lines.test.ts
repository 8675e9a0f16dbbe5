import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { WorkloadLine } from "../../src/server/status.js";
import { statusReport } from "../../src/server/status.js";
import { databasePath, openStore } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/sqlite/migrations/index.js";
import { onTheFile } from "../store/helpers.js";
import { CHAT, startTestDaemon, type TestDaemon, TRAINER } from "./helpers.js";

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.close();
  d = null;
});

/** The lines `skyops status` should show for the daemon's latest snapshot, built from it directly. */
function expected(t: TestDaemon): WorkloadLine[] {
  return t.daemon.agent.lastSnapshot!.workloads.map((w) => ({
    id: w.id,
    kind: w.kind,
    tier: w.tier,
    state: w.state,
    locations: w.deployments.map((x) => `${x.location}${x.spot ? " (spot)" : ""}`),
    usdPerHour: w.usdPerHour,
    costUsd: w.costUsd,
  }));
}

describe("the workload lines skyops status shows", () => {
  it("follow the snapshot tick after tick, through a migration, while only changed lines are rewritten", async () => {
    d = await startTestDaemon({ workloads: [TRAINER, CHAT], events: [{ at: "2m", price: { cloud: "aws", region: "us-east-1", gpu: "A100", spot: true, factor: 5, for: "12h" } }] });
    // every row written to workload_lines (inserted, or updated by the upsert) is counted, by triggers
    // added to the state file from a connection of the test's own: they fire on the daemon's writes too
    const file = databasePath(d.state);
    onTheFile(file, (db) =>
      db.exec(`CREATE TABLE line_writes (n INTEGER NOT NULL);
        INSERT INTO line_writes VALUES (0);
        CREATE TRIGGER line_inserted AFTER INSERT ON workload_lines BEGIN UPDATE line_writes SET n = n + 1; END;
        CREATE TRIGGER line_updated AFTER UPDATE ON workload_lines BEGIN UPDATE line_writes SET n = n + 1; END;`),
    );
    const writes = (): number => onTheFile(file, (db) => (db.prepare("SELECT n FROM line_writes").get() as { n: number }).n);
    const locations = new Set<string>();
    let quietTicks = 0;
    for (let i = 0; i < 40; i++) {
      const before = writes();
      await d.daemon.tickOnce();
      const status = await statusReport(d.daemon.store);
      expect(status.workloads).toEqual(expected(d));
      locations.add(status.workloads.find((w) => w.id === "trainer")!.locations.join(","));
      if (i > 0 && writes() === before) quietTicks++;
    }
    // the job moved, and most ticks wrote no line at all (only costs moved)
    expect(locations.size).toBeGreaterThan(1);
    expect(quietTicks).toBeGreaterThan(20);
  }, 60_000);

  it("are all published again by a restarted daemon, and a workload gone from the snapshot leaves the list", async () => {
    d = await startTestDaemon({ workloads: [TRAINER, CHAT] });
    await d.ticks(2);
    // a line the restarted daemon does not know (a workload since removed) must not survive its first tick
    onTheFile(databasePath(d.state), (db) => db.prepare("INSERT INTO workload_lines (id, server, line) VALUES ('old-job', 'sim', '{\"id\":\"old-job\",\"kind\":\"training\",\"tier\":\"dev\",\"state\":\"running\",\"locations\":[],\"usdPerHour\":1}')").run());
    const state = d.state;
    await d.daemon.close();
    d.host.close();
    d = await startTestDaemon({ workloads: [TRAINER, CHAT] }, {}, state);
    await d.ticks(1);
    expect((await statusReport(d.daemon.store)).workloads.map((w) => w.id)).toEqual(["chat", "trainer"]);
  }, 60_000);

  it("count the ticks on across a restart, from the stored count", async () => {
    d = await startTestDaemon({ workloads: [TRAINER, CHAT] });
    await d.ticks(3);
    const state = d.state;
    await d.daemon.close();
    d.host.close();
    d = await startTestDaemon({ workloads: [TRAINER, CHAT] }, {}, state);
    await d.ticks(2);
    expect((await statusReport(d.daemon.store)).clock.ticks).toBe(5);
  }, 60_000);

  it("lose a line the publisher names gone, and keep the lines it does not mention", async () => {
    const store = openStore(":memory:");
    try {
      const line = (id: string) => ({ id, kind: "inference", tier: "dev", state: "running", locations: [], usdPerHour: 1 });
      const costs = { sim: { ids: ["a", "b"], usd: [1, 2] } };
      await store.workloadLines.publish({ changed: [{ server: "sim", line: line("a") }, { server: "sim", line: line("b") }], gone: [], all: true, costs, atMs: 1 });
      await store.workloadLines.publish({ changed: [], gone: [{ server: "sim", id: "a" }], all: false, costs: { sim: { ids: ["b"], usd: [3] } }, atMs: 2 });
      expect(await store.workloadLines.list()).toEqual([{ ...line("b"), costUsd: 3 }]);
    } finally {
      await store.close();
    }
  });

  it("show no cost, rather than fail, where the costs value is not in the shape this version writes", async () => {
    const store = openStore(":memory:");
    try {
      const line = { id: "chat", kind: "inference", tier: "prod", state: "running", locations: ["aws/us-east-1"], usdPerHour: 2 };
      await store.workloadLines.publish({ changed: [{ server: "sim", line }], gone: [], all: true, costs: { sim: { ids: ["chat"], usd: [7.5] } }, atMs: 1 });
      expect(await store.workloadLines.list()).toEqual([{ ...line, costUsd: 7.5 }]);
      await store.kv.set("workload-costs", { sim: { chat: 7.5 } }, 2);
      expect(await store.workloadLines.list()).toEqual([{ ...line, costUsd: 0 }]);
    } finally {
      await store.close();
    }
  });

  it("replace the whole-fleet kv value a daemon before migration 4 wrote", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skyops-lines-"));
    const path = join(dir, "skyops.db");
    try {
      const old = new Database(path);
      old.exec("CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
      for (const m of MIGRATIONS.filter((m) => m.id < 4)) {
        old.exec(m.sql);
        old.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)").run(m.id, m.name, "2026-01-01T00:00:00Z");
      }
      old.prepare("INSERT INTO kv (key, value, at_ms) VALUES ('workloads', '[{\"id\":\"w\"}]', 1)").run();
      old.close();
      const store = openStore(path);
      try {
        expect(await store.kv.get("workloads")).toBeNull();
        expect(await store.workloadLines.list()).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
