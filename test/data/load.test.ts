import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsv, parseCsvRecords } from "../../src/data/csv.js";
import { DATA_FILES, DataError, defaultDataDir, fileLabel, gcpAcceleratorOf, loadReport, loadWorldData } from "../../src/data/load.js";
import {
  AvailabilityTraceSchema,
  InterRegionEgressSchema,
  InternetEgressTierSchema,
  OfferSchema,
  PriceSeriesSchema,
  SpotAdvisorRowSchema,
} from "../../src/domain/index.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dataDir = join(projectRoot, "data");

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function offer(id: string) {
  const found = loadWorldData().offers.find((o) => o.id === id);
  if (found === undefined) throw new Error(`no offer ${id}`);
  return found;
}

function series(id: string) {
  const found = loadWorldData().priceSeries.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no series ${id}`);
  return found;
}

describe("the CSV reader", () => {
  it("keeps commas and doubled quotes inside quoted fields", () => {
    const records = parseCsvRecords('a,b,c\r\nx,"1,2","say ""hi"""\r\n"",plain,"a ""b"", c"\r\n', "t.csv");
    expect(records).toEqual([
      { line: 1, cells: ["a", "b", "c"] },
      { line: 2, cells: ["x", "1,2", 'say "hi"'] },
      { line: 3, cells: ["", "plain", 'a "b", c'] },
    ]);
  });

  it("reads LF and CRLF line ends alike and numbers records by the line they start on", () => {
    const records = parseCsvRecords('h1,h2\n1,"two\r\nlines"\r\n3,4\n5,6', "t.csv");
    expect(records).toEqual([
      { line: 1, cells: ["h1", "h2"] },
      { line: 2, cells: ["1", "two\r\nlines"] },
      { line: 4, cells: ["3", "4"] },
      { line: 5, cells: ["5", "6"] },
    ]);
  });

  it("ignores a byte-order mark and the final line end", () => {
    expect(parseCsvRecords("\uFEFFa,b\n1,2\n", "t.csv")).toEqual([
      { line: 1, cells: ["a", "b"] },
      { line: 2, cells: ["1", "2"] },
    ]);
  });

  it("rejects an unclosed quote and a stray quote, naming the file and line", () => {
    expect(() => parseCsvRecords('a,b\n1,"open\n', "t.csv")).toThrow(new DataError("t.csv", 2, "a quoted field is not closed"));
    expect(() => parseCsvRecords('a,b\n1,x"y\n', "t.csv")).toThrow(/t\.csv line 2: a quote inside an unquoted field/);
    expect(() => parseCsvRecords('a,b\n1,"x"y\n', "t.csv")).toThrow(/t\.csv line 2: text after a closing quote/);
  });

  it("checks the header and names the expected columns", () => {
    expect(() => parseCsv("a,c\n1,2\n", "t.csv", ["a", "b"])).toThrow('t.csv line 1: unexpected header "a,c"; expected columns a, b');
    expect(parseCsv("a,b\n1,2\n", "t.csv", ["a", "b"])).toEqual([{ line: 2, cells: ["1", "2"] }]);
  });

  it("rejects a record with the wrong number of cells", () => {
    expect(() => parseCsv("a,b\n1,2\n3\n", "t.csv", ["a", "b"])).toThrow("t.csv line 3: has 1 columns, expected 2 (a, b)");
  });
});

describe("loadWorldData on the bundled data", () => {
  it("finds the project's data folder from the module's own location", () => {
    expect(defaultDataDir()).toBe(dataDir);
    expect(fileLabel(join(dataDir, DATA_FILES.catalog))).toBe("data/catalog/skypilot_catalog_gpu_extract.csv");
  });

  it("loads 507 AWS, 187 Azure and 702 GCP GPU offers, and reports what it skipped", () => {
    const data = loadWorldData();
    expect(data.offers).toHaveLength(1396);
    expect(countBy(data.offers, (o) => o.cloud)).toEqual({ aws: 507, azure: 187, gcp: 702 });
    // GCP: 610 bundled machine types plus 92 n1 host + attachable GPU combinations.
    expect(data.offers.filter((o) => o.cloud === "gcp" && o.instanceType.includes("+"))).toHaveLength(92);
    const report = loadReport();
    expect(report.offers).toEqual({
      skippedNoAccelerator: { aws: 64, gcp: 0, azure: 21 },
      skippedTpuRows: 74,
      skippedGcpMissingAccelerator: 39,
      duplicateIds: 0,
    });
  });

  it("keeps only GPU offers: no CPU-only type and no TPU", () => {
    const { offers } = loadWorldData();
    expect(offers.every((o) => o.accelerator !== null && o.acceleratorCount > 0)).toBe(true);
    expect(offers.some((o) => /tpu/i.test(o.accelerator ?? "") || o.instanceType.startsWith("m8i") || o.instanceType === "Standard_E8s_v5")).toBe(false);
  });

  it("returns offers with unique ids, sorted by id, each a valid Offer", () => {
    const { offers } = loadWorldData();
    const ids = offers.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
    for (const o of offers) expect(OfferSchema.parse(o)).toEqual(o);
  });

  it("adds a GCP host row and its accelerator row as in the data README's worked example", () => {
    // a2-highgpu-1g us-central1-a: host 0.73948 + A100x1 2.93391 = 3.67339 (spot 0.36975 + 1.4341).
    expect(offer("gcp:us-central1:us-central1-a:a2-highgpu-1g")).toEqual({
      id: "gcp:us-central1:us-central1-a:a2-highgpu-1g",
      cloud: "gcp",
      region: "us-central1",
      zone: "us-central1-a",
      instanceType: "a2-highgpu-1g",
      accelerator: "A100",
      acceleratorCount: 1,
      gpuMemoryGb: 40,
      vcpus: 12,
      memoryGb: 85,
      onDemandUsdPerHour: 3.67339,
      spotUsdPerHour: 1.80385,
    });
  });

  it("pairs GCP machine types with the accelerator their name implies", () => {
    expect(gcpAcceleratorOf("a2-highgpu-8g")).toEqual({ name: "A100", count: 8 });
    expect(gcpAcceleratorOf("a2-megagpu-16g")).toEqual({ name: "A100", count: 16 });
    expect(gcpAcceleratorOf("a2-ultragpu-4g")).toEqual({ name: "A100-80GB", count: 4 });
    expect(gcpAcceleratorOf("a3-edgegpu-8g-nolssd")).toEqual({ name: "H100", count: 8 });
    expect(gcpAcceleratorOf("a3-megagpu-8g")).toEqual({ name: "H100-MEGA", count: 8 });
    expect(gcpAcceleratorOf("a3-ultragpu-8g")).toEqual({ name: "H200", count: 8 });
    expect(gcpAcceleratorOf("a4-highgpu-8g")).toEqual({ name: "B200", count: 8 });
    expect(gcpAcceleratorOf("g2-standard-32")).toEqual({ name: "L4", count: 1 });
    expect(gcpAcceleratorOf("g2-standard-48")).toEqual({ name: "L4", count: 4 });
    expect(gcpAcceleratorOf("n1-highmem-8")).toBe("n1");
    expect(gcpAcceleratorOf("e2-standard-8")).toBeNull();
    const h200 = offer("gcp:us-central1:us-central1-b:a3-ultragpu-8g");
    expect([h200.accelerator, h200.acceleratorCount, h200.gpuMemoryGb]).toEqual(["H200", 8, 1128]);
  });

  it("offers an N1 host once per attachable accelerator sold in its zone", () => {
    const n1 = loadWorldData().offers.filter((o) => o.zone === "us-central1-a" && o.instanceType.startsWith("n1-"));
    expect(n1.map((o) => o.instanceType)).toEqual(["n1-standard-8+P4x1", "n1-standard-8+T4x1", "n1-standard-8+V100x1"]);
    const t4 = n1[1]!;
    expect([t4.accelerator, t4.acceleratorCount, t4.gpuMemoryGb, t4.vcpus, t4.memoryGb]).toEqual(["T4", 1, 16, 8, 30]);
    expect(t4.onDemandUsdPerHour).toBe(0.73); // 0.38 + 0.35
    expect(t4.spotUsdPerHour).toBe(0.27946); // 0.10446 + 0.175
  });

  it("gives an AWS offer exactly the prices of its catalog row", () => {
    const csv = readFileSync(join(dataDir, DATA_FILES.catalog), "utf8").split("\r\n");
    const cells = csv[1]!.split(","); // aws,g4dn.4xlarge,T4,1.0,16384,16.0,64.0,1.505,0.588400,eu-central-1,euc1-az3,…
    const o = offer(`aws:${cells[9]}:${cells[10]}:${cells[1]}`);
    expect(o.onDemandUsdPerHour).toBe(Number(cells[7]));
    expect(o.spotUsdPerHour).toBe(Number(cells[8]));
    expect(o).toMatchObject({ region: "eu-central-1", zone: "euc1-az3", accelerator: "T4", acceleratorCount: 1, gpuMemoryGb: 16, vcpus: 16, memoryGb: 64 });
  });

  it("keeps empty catalog prices as null (AWS p5e.48xlarge has no on-demand price)", () => {
    const p5e = loadWorldData().offers.filter((o) => o.instanceType === "p5e.48xlarge");
    expect(p5e.length).toBeGreaterThan(0);
    expect(p5e.every((o) => o.onDemandUsdPerHour === null)).toBe(true);
  });

  it('parses an Azure row whose quoted arch_or_generation is "V1,V2", with no zone', () => {
    expect(offer("azure:centralus::Standard_NC12s_v3")).toEqual({
      id: "azure:centralus::Standard_NC12s_v3",
      cloud: "azure",
      region: "centralus",
      zone: null,
      instanceType: "Standard_NC12s_v3",
      accelerator: "V100",
      acceleratorCount: 2,
      gpuMemoryGb: null,
      vcpus: 12,
      memoryGb: 224,
      onDemandUsdPerHour: 6.916,
      spotUsdPerHour: 0.788424,
    });
  });

  it("builds 3,492 price series from five sources, each valid, sorted and without repeated prices", () => {
    const { priceSeries } = loadWorldData();
    expect(countBy(priceSeries, (s) => `${s.source}/${s.kind}`)).toEqual({
      "aws-2019/spot": 98,
      "aws-2022-05/spot": 512,
      "azure-2020/spot": 28,
      "gcp-history/spot": 1427,
      "gcp-history/ondemand": 1421,
      "spot-traces/spot": 6,
    });
    const ids = priceSeries.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
    const unordered: string[] = [];
    for (const s of priceSeries) {
      PriceSeriesSchema.parse(s);
      for (let k = 1; k < s.points.length; k++) {
        const [a, b] = [s.points[k - 1]!, s.points[k]!];
        if (!(b.atMs > a.atMs) || b.usdPerHour === a.usdPerHour) unordered.push(`${s.id} point ${k}`);
      }
    }
    expect(unordered).toEqual([]);
  });

  it("reads AWS 2019-2020 spot history per zone, collapsing repeated prices", () => {
    const s = series("aws-2019:aws:eu-west-1:eu-west-1a:p2.16xlarge");
    expect(s.zone).toBe("eu-west-1a");
    // The file repeats 4.6656 daily from 2019-12-22T13:41:55Z on: one point.
    expect(s.points[0]).toEqual({ atMs: Date.parse("2019-12-22T13:41:55Z"), usdPerHour: 4.6656 });
    expect(s.points[1]?.usdPerHour).not.toBe(4.6656);
  });

  it("places Azure daily low-priority prices at midnight UTC, per region", () => {
    const s = series("azure-2020:azure:eastus::Standard_NC12");
    expect(s.zone).toBeNull();
    expect(s.points[0]).toEqual({ atMs: Date.UTC(2020, 1, 24), usdPerHour: 0.24552 });
  });

  it("ends a GCP series at a disappeared row and starts a #2 series when the type comes back", () => {
    const first = series("gcp-history:gcp:asia-east1::a2-ultragpu-2g:ondemand");
    const second = series("gcp-history:gcp:asia-east1::a2-ultragpu-2g:ondemand#2");
    expect(first.points.at(-1)!.atMs).toBeLessThan(Date.parse("2023-05-09T12:07:08Z"));
    expect(second.points[0]!.atMs).toBe(Date.parse("2023-05-10T08:37:55Z"));
    expect(loadReport().priceSeries.gcpReappearances).toBe(38);
    // Spot prices start in 2023-05 (none before), on-demand from the first snapshot.
    const a2 = series("gcp-history:gcp:us-central1::a2-highgpu-1g");
    expect(a2.kind).toBe("spot");
    expect(a2.points[0]!.atMs).toBeGreaterThanOrEqual(Date.parse("2023-05-08T00:00:00Z"));
    expect(series("gcp-history:gcp:us-central1::a2-highgpu-1g:ondemand").points[0]!.atMs).toBe(Date.parse("2022-02-09T23:07:12Z"));
  });

  it("times spot-trace prices from the trace start plus the run's offset", () => {
    const s = series("spot-traces:aws:us-east-1:us-east-1b:r5.16xlarge");
    const start = Date.UTC(2023, 3, 19); // folder date aws-04-19-2023; the source has no exact time
    expect(s.points.slice(0, 2)).toEqual([
      { atMs: start, usdPerHour: 1.2754 },
      { atMs: start + 18_734_000, usdPerHour: 1.3024 },
    ]);
  });

  it("maps the 2022-05-31 sample's AZ ids to regions through the catalog and skips unknown ones", () => {
    const s = series("aws-2022-05:aws:us-east-1:use1-az2:dl1.24xlarge");
    expect(s.points).toEqual([{ atMs: Date.parse("2022-05-31T19:43:19Z"), usdPerHour: 4.4264 }]);
    expect(loadReport().priceSeries.skippedUnknownAzId).toBe(12); // sae1-az* (sa-east-1 is not in the catalog)
    expect(loadWorldData().priceSeries.some((p) => p.zone?.startsWith("sae1-"))).toBe(false);
  });

  it("loads all 50 availability traces, whose runs cover every tick without exceeding the node count", () => {
    const { traces } = loadWorldData();
    expect(traces).toHaveLength(50);
    expect(countBy(traces, (t) => t.kind)).toEqual({ availability: 36, preemption: 14 });
    for (const t of traces) {
      AvailabilityTraceSchema.parse(t);
      expect(t.runs.reduce((n, r) => n + r.nTicks, 0)).toBe(t.nTicks);
      expect(t.runs.every((r) => r.value <= t.nodes)).toBe(true);
    }
    expect(traces.filter((t) => t.prices.length > 0)).toHaveLength(6);
    const exact = traces.find((t) => t.id === "availability-1node-aws-10-26-2022-us-west-2a-p2.xlarge")!;
    expect(exact).toMatchObject({ startMs: Date.parse("2022-10-26T22:05:04Z"), gapSeconds: 600, nTicks: 3895, nodes: 1, accelerator: "K80" });
    const gcp = traces.find((t) => t.id === "preemption-1node-gcp-04-30-2023-us-central1-a-c3-highcpu-88")!;
    expect(gcp).toMatchObject({ cloud: "gcp", region: "us-central1", accelerator: null, startMs: Date.UTC(2023, 3, 30) });
  });

  it("reads inter-region egress with Azure regions named as in the catalog", () => {
    const { interRegionEgress } = loadWorldData();
    expect(interRegionEgress).toHaveLength(1053);
    expect(countBy(interRegionEgress, (e) => e.cloud)).toEqual({ aws: 400, gcp: 169, azure: 484 });
    for (const e of interRegionEgress) InterRegionEgressSchema.parse(e);
    expect(interRegionEgress.find((e) => e.cloud === "azure" && e.srcRegion === "westeurope" && e.dstRegion === "eastus")?.usdPerGb).toBe(0.05);
    expect(interRegionEgress.some((e) => e.cloud === "azure" && e.srcRegion === "eastus2")).toBe(true);
  });

  it("takes internet egress tiers from SkyPilot's rows, with an open last tier", () => {
    const { internetEgress } = loadWorldData();
    for (const t of internetEgress) InternetEgressTierSchema.parse(t);
    expect(internetEgress.filter((t) => t.cloud === "gcp")).toEqual([
      { cloud: "gcp", startGb: 0, endGb: 1024, usdPerGb: 0.12 },
      { cloud: "gcp", startGb: 1024, endGb: 10240, usdPerGb: 0.11 },
      { cloud: "gcp", startGb: 10240, endGb: null, usdPerGb: 0.08 },
    ]);
    expect(countBy(internetEgress, (t) => t.cloud)).toEqual({ aws: 5, gcp: 3, azure: 5 });
    expect(internetEgress.find((t) => t.cloud === "aws" && t.startGb === 1)?.usdPerGb).toBe(0.09);
  });

  it("keeps only the latest spot-advisor snapshot (2025-06-28)", () => {
    const { spotAdvisor } = loadWorldData();
    expect(loadReport().spotAdvisorSnapshot).toBe("2025-06-28");
    expect(spotAdvisor).toHaveLength(14962);
    for (const row of spotAdvisor) SpotAdvisorRowSchema.parse(row);
  });

  it("caches one load per folder and hands out frozen records", () => {
    const data = loadWorldData();
    expect(loadWorldData(dataDir)).toBe(data);
    expect(Object.isFrozen(data.offers)).toBe(true);
    expect(Object.isFrozen(data.offers[0])).toBe(true);
    expect(Object.isFrozen(data.priceSeries[0]!.points[0])).toBe(true);
    expect(() => (data.offers as unknown[]).push({})).toThrow(TypeError);
  });
});

describe("loadWorldData on malformed data", () => {
  const temps: string[] = [];
  afterAll(() => {
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the data folder with one file changed by `edit` (which gets and returns the lines). */
  function copyWith(rel: string, edit: (lines: string[]) => string[]): string {
    const dir = mkdtempSync(join(tmpdir(), "skyops-data-"));
    temps.push(dir);
    cpSync(dataDir, dir, { recursive: true });
    const file = join(dir, rel);
    writeFileSync(file, edit(readFileSync(file, "utf8").split("\r\n")).join("\r\n"));
    return dir;
  }

  /** Replaces cell `column` of 1-based line `line`. */
  function setCell(line: number, column: number, value: string) {
    return (lines: string[]): string[] => {
      const cells = lines[line - 1]!.split(",");
      cells[column] = value;
      lines[line - 1] = cells.join(",");
      return lines;
    };
  }

  function loadError(dir: string): DataError {
    try {
      loadWorldData(dir);
    } catch (error) {
      if (error instanceof DataError) return error;
      throw error;
    }
    throw new Error("expected a DataError");
  }

  function expectError(error: DataError, rel: string, line: number, problem: string | RegExp): void {
    expect(error.file.endsWith(`/${rel}`)).toBe(true);
    expect(error.line).toBe(line);
    if (typeof problem === "string") expect(error.problem).toBe(problem);
    else expect(error.problem).toMatch(problem);
    expect(error.message).toBe(`${error.file} line ${line}: ${error.problem}`);
  }

  it("names the file and line of a price that is not a number", () => {
    const error = loadError(copyWith(DATA_FILES.catalog, setCell(12, 8, "abc")));
    expectError(error, DATA_FILES.catalog, 12, 'price_spot_usd_per_hour "abc" is not a number');
  });

  it("rejects NaN as a price", () => {
    const error = loadError(copyWith(DATA_FILES.catalog, setCell(40, 7, "NaN")));
    expectError(error, DATA_FILES.catalog, 40, 'price_ondemand_usd_per_hour "NaN" is not a number');
  });

  it("rejects a negative price", () => {
    const error = loadError(copyWith(DATA_FILES.catalog, setCell(7, 7, "-1.5")));
    expectError(error, DATA_FILES.catalog, 7, 'price_ondemand_usd_per_hour "-1.5" is negative');
  });

  it("rejects a row with a missing column", () => {
    const error = loadError(
      copyWith(DATA_FILES.catalog, (lines) => {
        lines[99] = lines[99]!.split(",").slice(1).join(",");
        return lines;
      }),
    );
    expectError(error, DATA_FILES.catalog, 100, /^has 14 columns, expected 15 \(cloud, instance_type, /);
  });

  it("rejects an unknown cloud", () => {
    const error = loadError(copyWith(DATA_FILES.catalog, setCell(2000, 0, "oracle")));
    expectError(error, DATA_FILES.catalog, 2000, 'cloud "oracle" is not one of aws, gcp, azure');
  });

  it("rejects a negative spot price in the spot history", () => {
    const error = loadError(copyWith(DATA_FILES.awsHistory, setCell(5, 6, "-0.5")));
    expectError(error, DATA_FILES.awsHistory, 5, 'spot_price_usd_per_hour "-0.5" is negative');
  });

  it("rejects a malformed timestamp", () => {
    const error = loadError(copyWith(DATA_FILES.gcpHistory, setCell(3, 0, "2022-02-30T23:07:12Z")));
    expectError(error, DATA_FILES.gcpHistory, 3, 'valid_from "2022-02-30T23:07:12Z" is not an ISO 8601 time with a UTC offset');
  });

  it("rejects trace runs with a gap, naming the trace and the line", () => {
    // Line 3 is the second run of the first trace: it starts at tick 246.
    const error = loadError(copyWith(DATA_FILES.traceRuns, setCell(3, 4, "250")));
    expectError(
      error,
      DATA_FILES.traceRuns,
      3,
      "trace availability-1node-aws-02-15-2023-us-east-1a-p3.2xlarge: run starts at tick 250, expected 246 (runs must be contiguous from tick 0)",
    );
  });

  it("rejects trace runs that stop before the trace's last tick", () => {
    const lines = readFileSync(join(dataDir, DATA_FILES.traceRuns), "utf8").split("\r\n");
    const lastOfFirst = lines.findIndex((l, k) => k > 0 && !l.startsWith("availability-1node-aws-02-15-2023-us-east-1a-")) - 1;
    const error = loadError(copyWith(DATA_FILES.traceRuns, (ls) => ls.filter((_, k) => k !== lastOfFirst)));
    expectError(error, DATA_FILES.traceRuns, lastOfFirst, /^trace availability-1node-aws-02-15-2023-us-east-1a-p3\.2xlarge: runs cover \d+ ticks, the index says n_ticks 20158$/);
  });

  it("rejects a run whose value exceeds the trace's nodes", () => {
    const error = loadError(copyWith(DATA_FILES.traceRuns, setCell(2, 8, "2")));
    expectError(error, DATA_FILES.traceRuns, 2, "trace availability-1node-aws-02-15-2023-us-east-1a-p3.2xlarge: value 2 is more than the trace's 1 nodes");
  });

  it("rejects an unexpected header, naming the expected columns", () => {
    const error = loadError(copyWith(DATA_FILES.interRegion, setCell(1, 3, "usd")));
    expectError(error, DATA_FILES.interRegion, 1, 'unexpected header "cloud,src_region,dst_region,usd"; expected columns cloud, src_region, dst_region, usd_per_gb');
  });

  it("reports a missing file as a DataError", () => {
    const dir = mkdtempSync(join(tmpdir(), "skyops-data-"));
    temps.push(dir);
    expect(() => loadWorldData(dir)).toThrow(DataError);
    expect(() => loadWorldData(dir)).toThrow(/catalog\/skypilot_catalog_gpu_extract\.csv: cannot be read \(ENOENT\)/);
  });
});
