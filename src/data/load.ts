/**
 * Loads the real price catalog, price histories, availability traces, egress prices and spot-advisor rows
 * under `data/` (see data/README.md) into validated `WorldData` records. Every row is checked with zod; a
 * malformed row is a DataError that names the file (relative to the project root) and the line.
 *
 * The loader reads only the project's own `data/` folder (or a folder passed in); it is synchronous and
 * caches one result per folder. The records it returns are frozen: copy before changing them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CLOUDS, type Cloud } from "../domain/cloud.js";
import type {
  AvailabilityTrace,
  InterRegionEgress,
  InternetEgressTier,
  PricePoint,
  PriceSeries,
  SpotAdvisorRow,
  TraceRun,
  WorldData,
} from "../domain/data.js";
import { offerId, type Offer } from "../domain/offer.js";
import { DataError, readCsv } from "./csv.js";

export { DataError } from "./csv.js";

/** The files the loader reads, relative to the data folder. */
export const DATA_FILES = {
  catalog: "catalog/skypilot_catalog_gpu_extract.csv",
  awsHistory: "spot_price_history/aws_gpu_spot_price_history_2019_2020.csv",
  azureHistory: "spot_price_history/azure_gpu_lowpriority_price_daily_2020.csv",
  gcpHistory: "spot_price_history/gcp_gpu_vm_price_history_changes.csv",
  awsSample: "spot_price_history/aws_gpu_spot_prices_2022-05-31_sample_ericpauley.csv",
  traceIndex: "traces/spot_traces_index.csv",
  traceRuns: "traces/spot_traces_runs.csv",
  tracePrices: "traces/spot_traces_prices.csv",
  interRegion: "egress/inter_region_transfer_usd_per_gb_sustaincluster.csv",
  egressTiers: "egress/egress_tiers_from_code_constants.csv",
  spotAdvisor: "spot_advisor/aws_spot_advisor_interruption_linux.csv",
} as const;

/** Price-series `source` values, one per input. */
export const PRICE_SOURCES = {
  aws2019: "aws-2019",
  azure2020: "azure-2020",
  gcpHistory: "gcp-history",
  spotTraces: "spot-traces",
  aws202205: "aws-2022-05",
} as const;

/** What the loader skipped or derived, for the README and for tests. */
export interface LoadReport {
  /** Wall time of the (uncached) load, ms. */
  loadMs: number;
  offers: {
    /** Catalog rows without an accelerator (AWS m8i, Azure E8s_v5 and the Azure rows whose GPU the catalog leaves blank). */
    skippedNoAccelerator: Record<Cloud, number>;
    /** GCP `tpu_price` rows: TPUs are not GPU offers. */
    skippedTpuRows: number;
    /** GCP host rows (or n1 host + accelerator pairs) whose accelerator row is missing in that zone. */
    skippedGcpMissingAccelerator: number;
    /** Offers dropped because an earlier row produced the same id. */
    duplicateIds: number;
  };
  priceSeries: {
    /** Rows of the 2022-05-31 sample whose AZ id prefix the catalog does not map to a region. */
    skippedUnknownAzId: number;
    /** GCP series that a `disappeared` row ended and that came back later as a new series (`#2`, `#3`…). */
    gcpReappearances: number;
  };
  /** The spot-advisor snapshot kept (the latest). */
  spotAdvisorSnapshot: string;
}

// ---------------------------------------------------------------------------------------------------------
// Where the data lives

let packageRootCache: string | null | undefined;

/** The package root: the nearest folder above this module holding both package.json and data/. */
export function packageRoot(): string | null {
  if (packageRootCache !== undefined) return packageRootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "data"))) return (packageRootCache = dir);
    const parent = dirname(dir);
    if (parent === dir) return (packageRootCache = null);
    dir = parent;
  }
}

/** The project's `data/` folder, found from this module's location (works from src/ and from dist/src/). */
export function defaultDataDir(): string {
  const root = packageRoot();
  if (root === null) throw new Error("skyops data folder not found: no folder above this module holds package.json and data/");
  return join(root, "data");
}

/** How errors name a file: relative to the project root when inside it (`data/catalog/…`), else the absolute path. */
export function fileLabel(abs: string): string {
  const root = packageRoot();
  if (root !== null) {
    const rel = relative(root, abs);
    if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep).join("/");
  }
  return abs.split(sep).join("/");
}

// ---------------------------------------------------------------------------------------------------------
// Cell schemas: each cell is a string; transforms turn it into a typed value or an issue whose message is
// the problem ("is not a number"), so errors read `column "raw" problem`.

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const REGION_RE = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const MAX_USD_PER_HOUR = 100_000;

type Ctx = z.RefinementCtx;
function fail(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
}

function toNumber(s: string, ctx: Ctx): number {
  if (!NUMBER_RE.test(s)) return fail(ctx, "is not a number");
  const n = Number(s);
  return Number.isFinite(n) ? n : fail(ctx, "is not a finite number");
}

/**
 * A cell converted by `fn`. Cells are always strings (the CSV reader makes them), so the transform runs on
 * its own, without a string schema and a pipe in front (less zod work per cell).
 */
function cell<O>(fn: (s: string, ctx: Ctx) => O) {
  return z.transform<string, O>(fn);
}

const text = z.string();
const required = z.string().min(1, "is empty");
const num = cell(toNumber);
function nonNegValue(s: string, ctx: Ctx): number {
  const n = toNumber(s, ctx);
  return n < 0 ? fail(ctx, "is negative") : n;
}
const nonNeg = cell(nonNegValue);
const optNonNeg = cell((s, ctx) => (s === "" ? null : nonNegValue(s, ctx)));
function priceValue(s: string, ctx: Ctx): number {
  const n = nonNegValue(s, ctx);
  return n > MAX_USD_PER_HOUR ? fail(ctx, "is over 100,000 USD/hour") : n;
}
const price = cell(priceValue);
const optPrice = cell((s, ctx) => (s === "" ? null : priceValue(s, ctx)));
function intValue(s: string, ctx: Ctx, min: number): number {
  const n = toNumber(s, ctx);
  if (!Number.isInteger(n)) return fail(ctx, "is not a whole number");
  return n < min ? fail(ctx, min === 0 ? "is negative" : `is less than ${min}`) : n;
}
const nonNegInt = cell((s, ctx) => intValue(s, ctx, 0));
const posInt = cell((s, ctx) => intValue(s, ctx, 1));
const optNonNegInt = cell((s, ctx) => (s === "" ? null : intValue(s, ctx, 0)));
const cloud = cell((s, ctx): Cloud => ((CLOUDS as readonly string[]).includes(s) ? (s as Cloud) : fail(ctx, `is not one of ${CLOUDS.join(", ")}`)));
function cloudIs<C extends Cloud>(expected: C) {
  return cell((s, ctx): C => {
    if (!(CLOUDS as readonly string[]).includes(s)) return fail(ctx, `is not one of ${CLOUDS.join(", ")}`);
    return s === expected ? expected : fail(ctx, `is not ${expected} (this file holds ${expected} rows only)`);
  });
}
const region = cell((s, ctx) => (REGION_RE.test(s) ? s : fail(ctx, "is not a region name (lower-case letters, digits and dashes)")));
/** Digits of `s` from `from` to `to` as a number, or NaN. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}
/**
 * `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` as UTC ms, or NaN (field by field: Date.parse is slow on 40k rows,
 * and lenient).
 */
function isoTimeMs(s: string): number {
  if (!ISO_TIME_RE.test(s)) return NaN;
  const y = digits(s, 0, 4), mo = digits(s, 5, 7), d = digits(s, 8, 10);
  const h = digits(s, 11, 13), mi = digits(s, 14, 16), sec = digits(s, 17, 19);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return NaN;
  let k = 19;
  let ms = 0;
  if (s.charCodeAt(k) === 46 /* . */) {
    let end = k + 1;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    ms = Math.round(Number(s.slice(k, end)) * 1000);
    k = end;
  }
  let offsetMin = 0;
  if (s.charCodeAt(k) !== 90 /* Z */) {
    const sign = s.charCodeAt(k) === 45 /* - */ ? -1 : 1;
    offsetMin = sign * (digits(s, k + 1, k + 3) * 60 + digits(s, k + 4, k + 6));
  }
  if (d > daysInMonth(y, mo)) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMin * 60_000;
}
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(y: number, mo: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0);
}
const isoTime = cell((s, ctx) => {
  const ms = isoTimeMs(s);
  return Number.isFinite(ms) ? ms : fail(ctx, "is not an ISO 8601 time with a UTC offset");
});
const optIsoTime = cell((s, ctx) => {
  if (s === "") return null;
  const ms = isoTimeMs(s);
  return Number.isFinite(ms) ? ms : fail(ctx, "is not an ISO 8601 time with a UTC offset");
});
function dateMs(s: string): number | null {
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) ? Date.UTC(y, mo - 1, d) : null;
}
/** A `YYYY-MM-DD` date as midnight UTC, ms. */
const date = cell((s, ctx) => dateMs(s) ?? fail(ctx, "is not a date (YYYY-MM-DD)"));
/**
 * The trace index's start_date: a plain date, or (one trace) `2023-05-01 (README) / 2023-04-19 (dir name)`,
 * where the date of the source folder, which the trace id also carries, is used.
 */
const traceStartDate = cell((s, ctx) => {
  const plain = dateMs(s);
  if (plain !== null) return plain;
  const labelled = /(\d{4}-\d{2}-\d{2}) \(dir name\)/.exec(s);
  const ms = labelled ? dateMs(labelled[1] ?? "") : null;
  return ms ?? fail(ctx, "is not a date (YYYY-MM-DD, or several dates one of them marked (dir name))");
});
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return cell((s, ctx): T[number] => (values.includes(s) ? s : fail(ctx, `is not one of ${values.join(", ")}`)));
}

// ---------------------------------------------------------------------------------------------------------
// Reading a file into validated rows

type Shape = Record<string, z.ZodType<unknown, string>>;
type RowOf<S extends Shape> = { [K in keyof S]: z.output<S[K]> } & { line: number };

interface Source {
  dir: string;
}

/**
 * Reads `rel` under the data folder, checks its header against the shape's keys, validates every row with
 * zod and hands it to `onRow` as it is read (rows are not kept, which keeps the load fast). Returns the
 * file's label for error messages.
 */
function eachRow<S extends Shape>(src: Source, rel: string, shape: S, onRow: (row: RowOf<S>, file: string) => void): string {
  const abs = resolve(src.dir, rel);
  const file = fileLabel(abs);
  let content: string;
  try {
    content = readFileSync(abs, "utf8");
  } catch (error) {
    throw new DataError(file, 0, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const columns = Object.keys(shape);
  const width = columns.length;
  const schema = z.object(shape);
  readCsv(content, file, columns, (cells, line) => {
    const input: Record<string, string> = {};
    for (let k = 0; k < width; k++) input[columns[k]!] = cells[k]!;
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const column = String(issue?.path[0] ?? "");
      throw new DataError(file, line, `${column} "${input[column] ?? ""}" ${issue?.message ?? "is invalid"}`);
    }
    const row = parsed.data as unknown as RowOf<S>;
    row.line = line;
    onRow(row, file);
  });
  return file;
}

/** eachRow, keeping the rows (for small files). */
function readRows<S extends Shape>(src: Source, rel: string, shape: S): { file: string; rows: RowOf<S>[] } {
  const rows: RowOf<S>[] = [];
  const file = eachRow(src, rel, shape, (row) => {
    rows.push(row);
  });
  return { file, rows };
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Sum of two prices without binary noise (catalog prices have at most 6 decimals): 0.73948 + 2.93391 = 3.67339. */
function addPrices(a: number, b: number): number {
  return Number((a + b).toFixed(10));
}

// ---------------------------------------------------------------------------------------------------------
// Offers

const catalogShape = {
  cloud,
  instance_type: text,
  accelerator_name: text,
  accelerator_count: optNonNeg,
  gpu_total_memory_mib: optNonNeg,
  vcpus: optNonNeg,
  memory_gib: optNonNeg,
  price_ondemand_usd_per_hour: optPrice,
  price_spot_usd_per_hour: optPrice,
  region,
  availability_zone: text,
  arch_or_generation: text,
  row_kind: oneOf(["instance", "vm_host_only_price", "accelerator_only_price", "tpu_price"] as const),
  source_path: text,
  source_commit: text,
};
type CatalogRow = RowOf<typeof catalogShape>;

const GCP_N1_ATTACHABLE = ["T4", "V100", "P100", "P4"] as const;

/** The accelerator a GCP machine type comes with, `n1` for the N1 types that take attachable GPUs, or null. */
export function gcpAcceleratorOf(machineType: string): { name: string; count: number } | "n1" | null {
  let m: RegExpExecArray | null;
  if ((m = /^a2-highgpu-(\d+)g$/.exec(machineType))) return { name: "A100", count: Number(m[1]) };
  if (machineType === "a2-megagpu-16g") return { name: "A100", count: 16 };
  if ((m = /^a2-ultragpu-(\d+)g$/.exec(machineType))) return { name: "A100-80GB", count: Number(m[1]) };
  if ((m = /^a3-highgpu-(\d+)g$/.exec(machineType))) return { name: "H100", count: Number(m[1]) };
  if (/^a3-edgegpu-8g(-nolssd)?$/.test(machineType)) return { name: "H100", count: 8 };
  if (machineType === "a3-megagpu-8g") return { name: "H100-MEGA", count: 8 };
  if (/^a3-ultragpu-8g(-nolssd)?$/.test(machineType)) return { name: "H200", count: 8 };
  if (machineType === "a4-highgpu-8g") return { name: "B200", count: 8 };
  if ((m = /^g2-standard-(\d+)$/.exec(machineType))) {
    const l4 = ({ 4: 1, 8: 1, 12: 1, 16: 1, 32: 1, 24: 2, 48: 4, 96: 8 } as Record<string, number>)[m[1] ?? ""];
    return l4 === undefined ? null : { name: "L4", count: l4 };
  }
  if (machineType === "n1-standard-8" || machineType === "n1-highmem-8") return "n1";
  return null;
}

function wholeCount(row: CatalogRow, file: string): number {
  const count = row.accelerator_count;
  if (count === null) throw new DataError(file, row.line, `accelerator_count "" is empty for accelerator ${row.accelerator_name}`);
  if (!Number.isInteger(count)) throw new DataError(file, row.line, `accelerator_count "${count}" is not a whole number`);
  return count;
}

function requireHost(row: CatalogRow, file: string): { vcpus: number; memoryGb: number } {
  if (row.instance_type === "") throw new DataError(file, row.line, `instance_type "" is empty`);
  if (row.vcpus === null) throw new DataError(file, row.line, `vcpus "" is empty`);
  if (row.memory_gib === null) throw new DataError(file, row.line, `memory_gib "" is empty`);
  return { vcpus: row.vcpus, memoryGb: row.memory_gib };
}

function loadOffers(src: Source, report: LoadReport): { offers: Offer[]; awsAzIdRegions: Map<string, string> } {
  const { file, rows } = readRows(src, DATA_FILES.catalog, catalogShape);
  const out: Offer[] = [];
  const awsAzIdRegions = new Map<string, string>();
  const gcpAccelerators = new Map<string, CatalogRow>();
  const gcpHosts: CatalogRow[] = [];
  const stats = report.offers;

  for (const row of rows) {
    if (row.cloud === "gcp") {
      if (row.row_kind === "instance") throw new DataError(file, row.line, `row_kind "instance" is not a GCP row kind (vm_host_only_price, accelerator_only_price, tpu_price)`);
      if (row.availability_zone === "") throw new DataError(file, row.line, `availability_zone "" is empty (GCP prices are per zone)`);
      if (row.row_kind === "tpu_price") stats.skippedTpuRows++;
      else if (row.row_kind === "vm_host_only_price") {
        requireHost(row, file);
        gcpHosts.push(row);
      } else {
        if (row.accelerator_name === "") throw new DataError(file, row.line, `accelerator_name "" is empty in an accelerator_only_price row`);
        const key = `${row.availability_zone}|${row.accelerator_name}|${wholeCount(row, file)}`;
        if (!gcpAccelerators.has(key)) gcpAccelerators.set(key, row);
      }
      continue;
    }
    if (row.row_kind !== "instance") throw new DataError(file, row.line, `row_kind "${row.row_kind}" is not an ${row.cloud} row kind (instance)`);
    const host = requireHost(row, file);
    if (row.cloud === "aws") {
      if (row.availability_zone === "") throw new DataError(file, row.line, `availability_zone "" is empty (AWS prices are per AZ)`);
      const known = awsAzIdRegions.get(row.availability_zone);
      if (known !== undefined && known !== row.region) throw new DataError(file, row.line, `availability_zone "${row.availability_zone}" is listed in ${known} and ${row.region}`);
      awsAzIdRegions.set(row.availability_zone, row.region);
    }
    if (row.accelerator_name === "") {
      stats.skippedNoAccelerator[row.cloud]++;
      continue;
    }
    const zone = row.cloud === "aws" ? row.availability_zone : null;
    out.push({
      id: offerId(row.cloud, row.region, zone, row.instance_type),
      cloud: row.cloud,
      region: row.region,
      zone,
      instanceType: row.instance_type,
      accelerator: row.accelerator_name,
      acceleratorCount: wholeCount(row, file),
      gpuMemoryGb: row.gpu_total_memory_mib === null ? null : row.gpu_total_memory_mib / 1024,
      vcpus: host.vcpus,
      memoryGb: host.memoryGb,
      onDemandUsdPerHour: row.price_ondemand_usd_per_hour,
      spotUsdPerHour: row.price_spot_usd_per_hour,
    });
  }

  // GCP: a host row plus the accelerator row of the same zone.
  const combine = (host: CatalogRow, acc: CatalogRow, instanceType: string, count: number): Offer => {
    const sum = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : addPrices(a, b));
    return {
      id: offerId("gcp", host.region, host.availability_zone, instanceType),
      cloud: "gcp",
      region: host.region,
      zone: host.availability_zone,
      instanceType,
      accelerator: acc.accelerator_name,
      acceleratorCount: count,
      gpuMemoryGb: acc.gpu_total_memory_mib === null ? null : acc.gpu_total_memory_mib / 1024,
      vcpus: host.vcpus ?? 0,
      memoryGb: host.memory_gib ?? 0,
      onDemandUsdPerHour: sum(host.price_ondemand_usd_per_hour, acc.price_ondemand_usd_per_hour),
      spotUsdPerHour: sum(host.price_spot_usd_per_hour, acc.price_spot_usd_per_hour),
    };
  };
  for (const host of gcpHosts) {
    const implied = gcpAcceleratorOf(host.instance_type);
    if (implied === null) {
      throw new DataError(file, host.line, `instance_type "${host.instance_type}" is a GCP machine type with no known accelerator (add it to gcpAcceleratorOf)`);
    }
    if (implied === "n1") {
      let paired = 0;
      for (const name of GCP_N1_ATTACHABLE) {
        const acc = gcpAccelerators.get(`${host.availability_zone}|${name}|1`);
        if (acc === undefined) continue;
        out.push(combine(host, acc, `${host.instance_type}+${name}x1`, 1));
        paired++;
      }
      if (paired === 0) stats.skippedGcpMissingAccelerator++;
      continue;
    }
    const acc = gcpAccelerators.get(`${host.availability_zone}|${implied.name}|${implied.count}`);
    if (acc === undefined) {
      stats.skippedGcpMissingAccelerator++;
      continue;
    }
    out.push(combine(host, acc, host.instance_type, implied.count));
  }

  const seen = new Map<string, Offer>();
  for (const offer of out) {
    if (seen.has(offer.id)) stats.duplicateIds++;
    else seen.set(offer.id, offer);
  }
  return { offers: [...seen.values()].sort(byId), awsAzIdRegions };
}

// ---------------------------------------------------------------------------------------------------------
// Price series

interface SeriesMeta {
  source: string;
  cloud: Cloud;
  region: string;
  zone: string | null;
  instanceType: string;
  kind: "spot" | "ondemand";
  /** 1 for the first series of this key; 2, 3… for series a GCP `disappeared` row split off. */
  segment?: number;
}

/** `source:cloud:region:zone:instanceType`, then `:ondemand` for on-demand series, then `#n` for a later segment. */
export function priceSeriesId(meta: SeriesMeta): string {
  const base = `${meta.source}:${meta.cloud}:${meta.region}:${meta.zone ?? ""}:${meta.instanceType}`;
  return `${base}${meta.kind === "ondemand" ? ":ondemand" : ""}${meta.segment !== undefined && meta.segment > 1 ? `#${meta.segment}` : ""}`;
}

/** The points of one series as they are read: parallel arrays (no object per point until the end). */
interface SeriesEntry {
  id: string;
  meta: SeriesMeta;
  file: string;
  atMs: number[];
  usd: number[];
  lines: number[];
  sorted: boolean;
}

class SeriesBuilder {
  private readonly series = new Map<string, SeriesEntry>();

  /** The entry of a series, created on first use. */
  entry(meta: SeriesMeta, file: string): SeriesEntry {
    const id = priceSeriesId(meta);
    let entry = this.series.get(id);
    if (entry === undefined) {
      entry = { id, meta, file, atMs: [], usd: [], lines: [], sorted: true };
      this.series.set(id, entry);
    } else if (entry.file !== file) {
      throw new DataError(file, 0, `series ${id} is also built from ${entry.file}`);
    }
    return entry;
  }

  static push(entry: SeriesEntry, atMs: number, usdPerHour: number, line: number): void {
    const n = entry.atMs.length;
    if (n > 0 && atMs < entry.atMs[n - 1]!) entry.sorted = false;
    entry.atMs.push(atMs);
    entry.usd.push(usdPerHour);
    entry.lines.push(line);
  }

  /** Series sorted by id; points sorted by time (stable), consecutive equal prices collapsed. */
  build(): PriceSeries[] {
    const out: PriceSeries[] = [];
    for (const { id, meta, file, atMs, usd, lines, sorted } of this.series.values()) {
      let order: number[] | null = null;
      if (!sorted) {
        order = atMs.map((_, k) => k);
        order.sort((a, b) => atMs[a]! - atMs[b]! || a - b);
      }
      const points: PricePoint[] = [];
      let previous = -1;
      for (let n = 0; n < atMs.length; n++) {
        const k = order === null ? n : order[n]!;
        if (previous >= 0 && atMs[previous] === atMs[k] && usd[previous] !== usd[k]) {
          throw new DataError(file, lines[k]!, `series ${id} has two prices (${usd[previous]} and ${usd[k]}) at ${new Date(atMs[k]!).toISOString()}`);
        }
        if (previous < 0 || usd[previous] !== usd[k]) points.push({ atMs: atMs[k]!, usdPerHour: usd[k]! });
        previous = k;
      }
      out.push({
        id,
        source: meta.source,
        cloud: meta.cloud,
        region: meta.region,
        zone: meta.zone,
        instanceType: meta.instanceType,
        kind: meta.kind,
        points,
      });
    }
    return out.sort(byId);
  }
}

/** Remembers the last entry, so runs of rows of one series look it up once. */
function entryCache(series: SeriesBuilder, file: string) {
  let last: SeriesEntry | undefined;
  return (meta: SeriesMeta): SeriesEntry => {
    const m = last?.meta;
    if (
      last === undefined ||
      m === undefined ||
      m.region !== meta.region ||
      m.zone !== meta.zone ||
      m.instanceType !== meta.instanceType ||
      m.kind !== meta.kind ||
      m.segment !== meta.segment ||
      m.source !== meta.source ||
      m.cloud !== meta.cloud
    ) {
      last = series.entry(meta, file);
    }
    return last;
  };
}

function loadAwsHistory(src: Source, series: SeriesBuilder): void {
  let entryFor: ((meta: SeriesMeta) => SeriesEntry) | undefined;
  eachRow(
    src,
    DATA_FILES.awsHistory,
    {
      timestamp_utc: isoTime,
      cloud: cloudIs("aws"),
      region,
      zone: required,
      instance_type: required,
      product: required,
      spot_price_usd_per_hour: price,
    },
    (row, file) => {
      if (!row.zone.startsWith(row.region)) throw new DataError(file, row.line, `zone "${row.zone}" is not in region ${row.region}`);
      if (row.product !== "Linux/UNIX") throw new DataError(file, row.line, `product "${row.product}" is not Linux/UNIX`);
      entryFor ??= entryCache(series, file);
      const entry = entryFor({ source: PRICE_SOURCES.aws2019, cloud: "aws", region: row.region, zone: row.zone, instanceType: row.instance_type, kind: "spot" });
      SeriesBuilder.push(entry, row.timestamp_utc, row.spot_price_usd_per_hour, row.line);
    },
  );
}

function loadAzureHistory(src: Source, series: SeriesBuilder): void {
  let entryFor: ((meta: SeriesMeta) => SeriesEntry) | undefined;
  eachRow(
    src,
    DATA_FILES.azureHistory,
    {
      date,
      cloud: cloudIs("azure"),
      region,
      instance_type: required,
      azure_size_label: text,
      accelerator: text,
      accelerator_count: posInt,
      spot_price_usd_per_hour: price,
    },
    (row, file) => {
      entryFor ??= entryCache(series, file);
      const entry = entryFor({ source: PRICE_SOURCES.azure2020, cloud: "azure", region: row.region, zone: null, instanceType: row.instance_type, kind: "spot" });
      SeriesBuilder.push(entry, row.date, row.spot_price_usd_per_hour, row.line);
    },
  );
}

/**
 * GCP change points: a row holds the prices in force from `valid_from` until the next row of the same
 * (machine type, region), whose rows must be in time order. A `disappeared` row ends that pair's series;
 * if the pair appears again later, its prices form a new series with the same fields and the id suffix
 * `#2` (then `#3`…), numbered per kind, so no price is carried across the gap.
 */
function loadGcpHistory(src: Source, series: SeriesBuilder, report: LoadReport): void {
  interface PairState {
    lastMs: number;
    present: boolean;
    appearances: number;
    spot: SeriesEntry | null;
    ondemand: SeriesEntry | null;
    spotSegments: number;
    ondemandSegments: number;
  }
  const pairs = new Map<string, Map<string, PairState>>(); // machine type → region → state
  eachRow(
    src,
    DATA_FILES.gcpHistory,
    {
      valid_from: isoTime,
      machine_type: required,
      accelerator: text,
      accelerator_count: optNonNeg, // fractional for shared GPUs (g4-standard-6: 0.125 RTX PRO 6000)
      vcpus: optNonNeg,
      memory_gib: optNonNeg,
      region,
      ondemand_usd_per_hour: optPrice,
      spot_usd_per_hour: optPrice,
      change: oneOf(["first_seen", "price_change", "disappeared"] as const),
    },
    (row, file) => {
      let byRegion = pairs.get(row.machine_type);
      if (byRegion === undefined) pairs.set(row.machine_type, (byRegion = new Map()));
      let pair = byRegion.get(row.region);
      if (pair === undefined) {
        pair = { lastMs: -Infinity, present: false, appearances: 0, spot: null, ondemand: null, spotSegments: 0, ondemandSegments: 0 };
        byRegion.set(row.region, pair);
      }
      if (row.valid_from < pair.lastMs) {
        throw new DataError(file, row.line, `valid_from "${new Date(row.valid_from).toISOString()}" is before the previous row of ${row.machine_type} in ${row.region} (rows must be in time order)`);
      }
      pair.lastMs = row.valid_from;
      if (row.change === "disappeared") {
        pair.present = false;
        pair.spot = null;
        pair.ondemand = null;
        return;
      }
      if (!pair.present) {
        pair.present = true;
        pair.appearances++;
        if (pair.appearances > 1) report.priceSeries.gcpReappearances++;
      }
      const meta = (kind: "spot" | "ondemand", segment: number): SeriesMeta => ({
        source: PRICE_SOURCES.gcpHistory,
        cloud: "gcp",
        region: row.region,
        zone: null,
        instanceType: row.machine_type,
        kind,
        segment,
      });
      if (row.spot_usd_per_hour !== null) {
        pair.spot ??= series.entry(meta("spot", ++pair.spotSegments), file);
        SeriesBuilder.push(pair.spot, row.valid_from, row.spot_usd_per_hour, row.line);
      }
      if (row.ondemand_usd_per_hour !== null) {
        pair.ondemand ??= series.entry(meta("ondemand", ++pair.ondemandSegments), file);
        SeriesBuilder.push(pair.ondemand, row.valid_from, row.ondemand_usd_per_hour, row.line);
      }
    },
  );
}

function loadAwsSample(src: Source, series: SeriesBuilder, azIdRegions: Map<string, string>, report: LoadReport): void {
  // AZ id prefix (`use1`, `usw2-lax1`) → region, learned from the catalog's AWS rows.
  const prefixRegion = new Map<string, string>();
  for (const [azId, r] of azIdRegions) {
    const cut = azId.lastIndexOf("-az");
    if (cut > 0) prefixRegion.set(azId.slice(0, cut), r);
  }
  eachRow(
    src,
    DATA_FILES.awsSample,
    {
      timestamp_utc: isoTime,
      cloud: cloudIs("aws"),
      zone_id: required,
      instance_type: required,
      product: required,
      spot_price_usd_per_hour: price,
    },
    (row, file) => {
      if (row.product !== "Linux/UNIX") throw new DataError(file, row.line, `product "${row.product}" is not Linux/UNIX`);
      const cut = row.zone_id.lastIndexOf("-az");
      if (cut <= 0) throw new DataError(file, row.line, `zone_id "${row.zone_id}" is not an AWS AZ id (such as use1-az1)`);
      const r = azIdRegions.get(row.zone_id) ?? prefixRegion.get(row.zone_id.slice(0, cut));
      if (r === undefined) {
        report.priceSeries.skippedUnknownAzId++;
        return;
      }
      const entry = series.entry({ source: PRICE_SOURCES.aws202205, cloud: "aws", region: r, zone: row.zone_id, instanceType: row.instance_type, kind: "spot" }, file);
      SeriesBuilder.push(entry, row.timestamp_utc, row.spot_price_usd_per_hour, row.line);
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Availability traces (+ the spot prices some of them carry)

function loadTraces(src: Source, series: SeriesBuilder): AvailabilityTrace[] {
  const index = readRows(src, DATA_FILES.traceIndex, {
    trace_id: required,
    source_repo: text,
    source_commit: text,
    source_path: text,
    kind: oneOf(["availability", "preemption"] as const),
    nodes: posInt,
    cloud,
    region,
    zone: required,
    instance_type: required,
    accelerator: text,
    accelerator_count: optNonNegInt,
    start_date: traceStartDate,
    start_time_utc: optIsoTime,
    gap_seconds: posInt,
    n_ticks: posInt,
    duration_hours: nonNeg,
    n_runs: posInt,
    mean_value: nonNeg,
    frac_ticks_all_nodes_up: nonNeg,
    has_prices: oneOf(["0", "1"] as const),
  });
  type IndexRow = (typeof index.rows)[number];
  const traces = new Map<string, { row: IndexRow; runs: TraceRun[]; prices: AvailabilityTrace["prices"] }>();
  for (const row of index.rows) {
    if (traces.has(row.trace_id)) throw new DataError(index.file, row.line, `trace_id "${row.trace_id}" is listed twice`);
    traces.set(row.trace_id, { row, runs: [], prices: [] });
  }
  const startMsOf = (row: IndexRow): number => row.start_time_utc ?? row.start_date;

  const runShape = {
    trace_id: required,
    cloud,
    zone: required,
    instance_type: required,
    start_tick: nonNegInt,
    n_ticks: posInt,
    start_offset_s: nonNeg,
    end_offset_s: nonNeg,
  };

  /** Checks a run against its trace and the run before it; returns the trace. */
  const checkRun = (
    file: string,
    run: RowOf<typeof runShape>,
    previous: RowOf<typeof runShape> | undefined,
    what: "run" | "price run",
  ): NonNullable<ReturnType<typeof traces.get>> => {
    const trace = traces.get(run.trace_id);
    if (trace === undefined) throw new DataError(file, run.line, `trace_id "${run.trace_id}" is not in ${DATA_FILES.traceIndex}`);
    const t = trace.row;
    if (run.cloud !== t.cloud || run.zone !== t.zone || run.instance_type !== t.instance_type) {
      throw new DataError(file, run.line, `trace ${run.trace_id}: ${what} says ${run.cloud} ${run.zone} ${run.instance_type}, the index says ${t.cloud} ${t.zone} ${t.instance_type}`);
    }
    const expectedTick = previous === undefined ? 0 : previous.start_tick + previous.n_ticks;
    if (run.start_tick !== expectedTick) {
      throw new DataError(
        file,
        run.line,
        `trace ${run.trace_id}: ${what} starts at tick ${run.start_tick}, expected ${expectedTick} (runs must be contiguous from tick 0)`,
      );
    }
    if (run.start_tick + run.n_ticks > t.n_ticks) {
      throw new DataError(file, run.line, `trace ${run.trace_id}: ${what} ends at tick ${run.start_tick + run.n_ticks}, past the trace's n_ticks ${t.n_ticks}`);
    }
    if (run.end_offset_s < run.start_offset_s || (previous !== undefined && run.start_offset_s !== previous.end_offset_s)) {
      throw new DataError(file, run.line, `trace ${run.trace_id}: ${what} offsets ${run.start_offset_s}..${run.end_offset_s} s do not follow the previous run`);
    }
    return trace;
  };
  const checkCovered = (file: string, last: Map<string, RowOf<typeof runShape>>, what: "runs" | "price runs"): void => {
    for (const [id, run] of last) {
      const n = traces.get(id)!.row.n_ticks;
      if (run.start_tick + run.n_ticks !== n) {
        throw new DataError(file, run.line, `trace ${id}: ${what} cover ${run.start_tick + run.n_ticks} ticks, the index says n_ticks ${n}`);
      }
    }
  };

  const lastRun = new Map<string, RowOf<typeof runShape>>();
  const runsFile = eachRow(src, DATA_FILES.traceRuns, { ...runShape, value: nonNegInt }, (run, file) => {
    const trace = checkRun(file, run, lastRun.get(run.trace_id), "run");
    if (run.value > trace.row.nodes) {
      throw new DataError(file, run.line, `trace ${run.trace_id}: value ${run.value} is more than the trace's ${trace.row.nodes} nodes`);
    }
    trace.runs.push({ startTick: run.start_tick, nTicks: run.n_ticks, value: run.value });
    lastRun.set(run.trace_id, run);
  });
  checkCovered(runsFile, lastRun, "runs");

  const lastPrice = new Map<string, RowOf<typeof runShape>>();
  const pricesFile = eachRow(src, DATA_FILES.tracePrices, { ...runShape, spot_price_usd_per_hour: price }, (run, file) => {
    const trace = checkRun(file, run, lastPrice.get(run.trace_id), "price run");
    trace.prices.push({ startTick: run.start_tick, nTicks: run.n_ticks, usdPerHour: run.spot_price_usd_per_hour });
    lastPrice.set(run.trace_id, run);
    const t = trace.row;
    const entry = series.entry({ source: PRICE_SOURCES.spotTraces, cloud: t.cloud, region: t.region, zone: t.zone, instanceType: t.instance_type, kind: "spot" }, file);
    SeriesBuilder.push(entry, startMsOf(t) + Math.round(run.start_offset_s * 1000), run.spot_price_usd_per_hour, run.line);
  });
  checkCovered(pricesFile, lastPrice, "price runs");

  const out: AvailabilityTrace[] = [];
  for (const [id, { row, runs: traceRuns, prices: tracePrices }] of traces) {
    if (traceRuns.length === 0) throw new DataError(index.file, row.line, `trace ${id}: no runs in ${DATA_FILES.traceRuns}`);
    if (traceRuns.length !== row.n_runs) throw new DataError(index.file, row.line, `trace ${id}: n_runs ${row.n_runs}, but ${DATA_FILES.traceRuns} has ${traceRuns.length}`);
    if ((row.has_prices === "1") !== tracePrices.length > 0) {
      throw new DataError(index.file, row.line, `trace ${id}: has_prices ${row.has_prices}, but ${DATA_FILES.tracePrices} has ${tracePrices.length} price runs`);
    }
    out.push({
      id,
      kind: row.kind,
      nodes: row.nodes,
      cloud: row.cloud,
      region: row.region,
      zone: row.zone,
      instanceType: row.instance_type,
      accelerator: row.accelerator === "" ? null : row.accelerator,
      startMs: startMsOf(row),
      gapSeconds: row.gap_seconds,
      nTicks: row.n_ticks,
      runs: traceRuns,
      prices: tracePrices,
    });
  }
  return out.sort(byId);
}

// ---------------------------------------------------------------------------------------------------------
// Egress and spot advisor

/** Azure regions are written as display names in the egress matrix (`East US 2`); the catalog uses `eastus2`. */
function azureRegionName(display: string): string {
  return display.toLowerCase().replace(/\s+/g, "");
}

function loadInterRegion(src: Source): InterRegionEgress[] {
  const { file, rows } = readRows(src, DATA_FILES.interRegion, { cloud, src_region: required, dst_region: required, usd_per_gb: nonNeg });
  const out: InterRegionEgress[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const srcRegion = row.cloud === "azure" ? azureRegionName(row.src_region) : row.src_region;
    const dstRegion = row.cloud === "azure" ? azureRegionName(row.dst_region) : row.dst_region;
    for (const [column, name] of [["src_region", srcRegion], ["dst_region", dstRegion]] as const) {
      if (!REGION_RE.test(name)) throw new DataError(file, row.line, `${column} "${row[column]}" is not a region name`);
    }
    const key = `${row.cloud}|${srcRegion}|${dstRegion}`;
    if (seen.has(key)) throw new DataError(file, row.line, `${row.cloud} ${srcRegion} → ${dstRegion} is listed twice`);
    seen.add(key);
    out.push({ cloud: row.cloud, srcRegion, dstRegion, usdPerGb: row.usd_per_gb });
  }
  return out;
}

/**
 * Internet egress tiers per cloud: the SkyPilot `get_egress_cost()` rows (scope `internet`). An empty
 * tier_end_gb is the open last tier (endGb null). Tiers must start at 0 and be contiguous.
 */
function loadInternetTiers(src: Source): InternetEgressTier[] {
  const { file, rows } = readRows(src, DATA_FILES.egressTiers, {
    source: required,
    cloud,
    scope: required,
    src_scope: text,
    tier_start_gb: nonNeg,
    tier_end_gb: optNonNeg,
    usd_per_gb: nonNeg,
    rule: oneOf(["marginal", "flat_on_total", "flat"] as const),
    notes: text,
  });
  const out: InternetEgressTier[] = [];
  const last = new Map<Cloud, { endGb: number | null; line: number }>();
  for (const row of rows) {
    if (!row.source.startsWith("skypilot-org/skypilot ") || row.scope !== "internet") continue;
    const endGb = row.tier_end_gb ?? null;
    const previous = last.get(row.cloud);
    const expectedStart = previous?.endGb ?? 0;
    if (row.tier_start_gb !== expectedStart) {
      throw new DataError(file, row.line, `tier_start_gb "${row.tier_start_gb}" does not follow the previous ${row.cloud} tier (expected ${expectedStart})`);
    }
    if (endGb !== null && endGb <= row.tier_start_gb) throw new DataError(file, row.line, `tier_end_gb "${row.tier_end_gb}" is not after tier_start_gb ${row.tier_start_gb}`);
    out.push({ cloud: row.cloud, startGb: row.tier_start_gb, endGb, usdPerGb: row.usd_per_gb });
    last.set(row.cloud, { endGb, line: row.line });
  }
  for (const c of CLOUDS) {
    const tail = last.get(c);
    if (tail === undefined) throw new DataError(file, 0, `no SkyPilot internet egress tiers for ${c}`);
    if (tail.endGb !== null) throw new DataError(file, tail.line, `the last ${c} internet tier must be open (empty tier_end_gb)`);
  }
  return out;
}

const INTERRUPTION_LABELS = ["<5%", "5-10%", "10-15%", "15-20%", ">20%"] as const;

function loadSpotAdvisor(src: Source, report: LoadReport): SpotAdvisorRow[] {
  // Rows per snapshot; only the latest snapshot is kept.
  const snapshots = new Map<string, SpotAdvisorRow[]>();
  eachRow(
    src,
    DATA_FILES.spotAdvisor,
    {
      snapshot_commit_date: z.string().regex(DATE_RE, "is not a date (YYYY-MM-DD)"),
      region,
      os: required,
      instance_type: required,
      vcpus: nonNeg,
      memory_gib: nonNeg,
      savings_over_on_demand_pct: num,
      interruption_range_index: nonNegInt,
      interruption_frequency: oneOf(INTERRUPTION_LABELS),
    },
    (row, file) => {
      if (row.interruption_range_index > 4) throw new DataError(file, row.line, `interruption_range_index "${row.interruption_range_index}" is more than 4`);
      if (INTERRUPTION_LABELS[row.interruption_range_index] !== row.interruption_frequency) {
        throw new DataError(file, row.line, `interruption_frequency "${row.interruption_frequency}" does not match interruption_range_index ${row.interruption_range_index}`);
      }
      let snapshot = snapshots.get(row.snapshot_commit_date);
      if (snapshot === undefined) snapshots.set(row.snapshot_commit_date, (snapshot = []));
      snapshot.push({
        region: row.region,
        instanceType: row.instance_type,
        interruptionRangeIndex: row.interruption_range_index,
        savingsOverOnDemandPct: row.savings_over_on_demand_pct,
      });
    },
  );
  const latest = [...snapshots.keys()].sort().at(-1) ?? "";
  report.spotAdvisorSnapshot = latest;
  return snapshots.get(latest) ?? [];
}

// ---------------------------------------------------------------------------------------------------------
// Entry points

/** Freezes plain objects and arrays all the way down. */
function deepFreeze<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const item: unknown = value[k];
      if (item !== null && typeof item === "object") deepFreeze(item);
    }
    Object.freeze(value);
  } else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (item !== null && typeof item === "object") deepFreeze(item);
    }
    Object.freeze(value);
  }
  return value;
}

const cache = new Map<string, { data: WorldData; report: LoadReport }>();

function load(dir: string): { data: WorldData; report: LoadReport } {
  const key = resolve(dir);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const started = performance.now();
  const report: LoadReport = {
    loadMs: 0,
    offers: { skippedNoAccelerator: { aws: 0, gcp: 0, azure: 0 }, skippedTpuRows: 0, skippedGcpMissingAccelerator: 0, duplicateIds: 0 },
    priceSeries: { skippedUnknownAzId: 0, gcpReappearances: 0 },
    spotAdvisorSnapshot: "",
  };
  const src: Source = { dir: key };
  const { offers, awsAzIdRegions } = loadOffers(src, report);
  const series = new SeriesBuilder();
  loadAwsHistory(src, series);
  loadAzureHistory(src, series);
  loadGcpHistory(src, series, report);
  loadAwsSample(src, series, awsAzIdRegions, report);
  const traces = loadTraces(src, series);
  const data: WorldData = {
    offers,
    priceSeries: series.build(),
    traces,
    interRegionEgress: loadInterRegion(src),
    internetEgress: loadInternetTiers(src),
    spotAdvisor: loadSpotAdvisor(src, report),
  };
  report.loadMs = performance.now() - started;
  const result = { data: deepFreeze(data), report: deepFreeze(report) };
  cache.set(key, result);
  return result;
}

/**
 * Loads and validates everything under `dir` (default: the project's `data/`). Synchronous, cached per
 * folder; the result is deeply frozen. Throws DataError naming the file and line of the first bad row.
 */
export function loadWorldData(dir: string = defaultDataDir()): WorldData {
  return load(dir).data;
}

/** What the load of `dir` skipped and how long it took (loads it if needed). */
export function loadReport(dir: string = defaultDataDir()): LoadReport {
  return load(dir).report;
}
