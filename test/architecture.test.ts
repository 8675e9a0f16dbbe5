import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/*
 * DESIGN.md, "Layout and ownership", as data. eslint.config.js enforces the same table with
 * `no-restricted-imports`; this test resolves every import to the folder it lands in, sees dynamic
 * `import()` too, and checks the pure folders for I/O, SDKs, `process.env` and the wall clock. It also
 * keeps SQL in src/store (DESIGN.md: "the only place with SQL"): no SQL strings, database calls or SQLite
 * imports in src/, tools/ or evals/ outside it.
 */

/** DESIGN.md's table as data, shared with eslint.config.js. */
const ARCHITECTURE = JSON.parse(readFileSync(new URL("../architecture.json", import.meta.url), "utf8")) as {
  srcLayers: Record<string, string[]>;
  toolLayers: Record<string, string[]>;
  toolKit: string;
  cloudSdks: Record<string, string[]>;
  pure: string[];
};

/** Folder under src/ → the src/ folders it may import (besides itself). */
const SRC_LAYERS: Record<string, readonly string[]> = ARCHITECTURE.srcLayers;

/** Units that may import anything. */
const ANYTHING = new Set(["src/cli"]);

/** Folders of the repository (not code units) that a unit may import, e.g. JSON under data/. */
const EXTRA_TARGETS: Record<string, readonly string[]> = { "src/data": ["data"] };

/** Cloud SDK package prefixes, by the tool server that may use them. */
const CLOUD_SDKS: Record<string, readonly string[]> = ARCHITECTURE.cloudSdks;

/** tools/<name> → src/ folders it may import. */
const TOOL_LAYERS: Record<string, readonly string[]> = ARCHITECTURE.toolLayers;

/** The tool-server kit, which every other tool server may import: `tools/kit`. */
const TOOL_KIT = `tools/${ARCHITECTURE.toolKit}`;

/** Folders that take time and facts as arguments. */
const PURE = new Set(ARCHITECTURE.pure.map((f) => `src/${f}`));

const ALL_SDKS = Object.values(CLOUD_SDKS).flat();

const IMPURE_MODULES: readonly { test: (spec: string) => boolean; why: string }[] = [
  {
    test: (s) =>
      /^(?:node:)?(?:fs|fs\/promises|net|http|https|http2|tls|dgram|child_process|worker_threads|cluster|process)$/.test(s),
    why: "an I/O module",
  },
  { test: (s) => /^(?:node:)?(?:v8|module)$/.test(s), why: "a module that reaches the runtime (heap, loader)" },
  { test: (s) => isPackage(s, ["@langchain"]), why: "LangChain" },
  { test: (s) => isPackage(s, ["better-sqlite3"]), why: "the store's driver" },
  { test: (s) => isPackage(s, ["pino"]), why: "the logger" },
  { test: (s) => isPackage(s, ALL_SDKS), why: "a cloud SDK" },
  { test: (s) => isPackage(s, ["@slack"]), why: "the Slack SDK" },
  { test: (s) => isPackage(s, ["@modelcontextprotocol"]), why: "the MCP SDK" },
];

const IMPURE_MENTIONS: readonly { re: RegExp; what: string }[] = [
  { re: /\bprocess\s*\.\s*env\b/g, what: "process.env" },
  { re: /\bDate\s*\.\s*now\s*\(/g, what: "Date.now(" },
  { re: /\bnew\s+Date\s*\(\s*\)/g, what: "new Date()" },
];

/** Packages a tool server other than `tool` may not import: other clouds' SDKs and the daemon's own. */
function forbiddenForTool(tool: string): readonly string[] {
  const own = CLOUD_SDKS[tool] ?? [];
  return [...ALL_SDKS.filter((p) => !own.includes(p)), "better-sqlite3", "@slack", "@langchain", "@cedar-policy"];
}

function isPackage(spec: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => spec === p || spec.startsWith(`${p}/`));
}

// ---------------------------------------------------------------------------------------------
// The scanner

interface ImportRef {
  /** 1-based line of the statement */
  line: number;
  spec: string;
}

/** Blanks out comments, keeping strings and line breaks, so line numbers stay right. */
function stripComments(code: string): string {
  let out = "";
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const d = code[i + 1];
    if (c === "\\") {
      out += code.slice(i, i + 2);
      i += 2;
    } else if (c === "/" && d === "/") {
      const end = code.indexOf("\n", i);
      const stop = end < 0 ? code.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (c === "/" && d === "*") {
      const end = code.indexOf("*/", i + 2);
      const stop = end < 0 ? code.length : end + 2;
      out += code.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < code.length && code[j] !== c) {
        if (code[j] === "\\") j++;
        else if (c !== "`" && code[j] === "\n") break; // not a string after all (a regex literal, say)
        j++;
      }
      out += code.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const CLAUSE = String.raw`(?:type\s+)?(?:[\w$]+\s*,\s*)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\}|[\w$]+)`;
const STRING = String.raw`(["'])([^"'\n]+)\1`;
const IMPORT_PATTERNS: readonly RegExp[] = [
  // import x from "…", import { a } from "…", import type …, export { a } from "…", export * from "…"
  new RegExp(String.raw`\b(?:import|export)\s+${CLAUSE}\s*from\s*${STRING}`, "g"),
  // import "…"
  new RegExp(String.raw`\bimport\s*${STRING}`, "g"),
  // import("…"), also in type positions
  new RegExp(String.raw`\bimport\s*\(\s*${STRING}`, "g"),
  // require("…"), import x = require("…")
  new RegExp(String.raw`\brequire\s*\(\s*${STRING}`, "g"),
];

function lineAt(code: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (code.charCodeAt(i) === 10) line++;
  return line;
}

/** The module specifiers a TypeScript file imports, with the line of each statement. */
function scanImports(source: string): ImportRef[] {
  const code = stripComments(source);
  const refs: ImportRef[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of code.matchAll(pattern)) refs.push({ line: lineAt(code, m.index), spec: m[2]! });
  }
  return refs.sort((a, b) => a.line - b.line || a.spec.localeCompare(b.spec));
}

// ---------------------------------------------------------------------------------------------
// The rules

/**
 * The unit a repository path belongs to: `src/<folder>`, `src/<file stem>` for files directly in
 * src/ (`src/cli`), `tools/<name>`, or the top folder (`data`, `test`) — `.` for root files.
 */
function unitOf(path: string): string {
  const parts = path.split("/");
  const [top, second] = parts;
  if ((top === "src" || top === "tools") && second !== undefined) {
    return parts.length === 2 && /\.[cm]?[jt]sx?$/.test(second) ? `${top}/${second.replace(/\.[^.]+$/, "")}` : `${top}/${second}`;
  }
  return parts.length === 1 ? "." : top!;
}

/** What a unit may import, or `undefined` when the table doesn't know the unit. */
function allowedFor(unit: string): { units: Set<string> | "anything" } | undefined {
  if (ANYTHING.has(unit)) return { units: "anything" };
  const [top, name] = unit.split("/") as [string, string];
  const extra = EXTRA_TARGETS[unit] ?? [];
  if (top === "src" && name in SRC_LAYERS) {
    return { units: new Set([unit, ...SRC_LAYERS[name]!.map((f) => `src/${f}`), ...extra]) };
  }
  if (top === "tools") {
    const layers = TOOL_LAYERS[name] ?? ["domain", "data"];
    return { units: new Set([unit, ...layers.map((f) => `src/${f}`), ...(unit === TOOL_KIT ? [] : [TOOL_KIT]), ...extra]) };
  }
  return undefined;
}

function describeAllowed(unit: string): string {
  const allowed = allowedFor(unit);
  if (!allowed || allowed.units === "anything") return "anything";
  const others = [...allowed.units].filter((u) => u !== unit);
  return others.length > 0 ? others.join(", ") : "nothing of ours";
}

/** TypeScript sources under `folders` (not tests), as repository paths with `/`. */
function sourceFiles(root: string, folders: readonly string[] = ["src", "tools"]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a folder that does not exist (yet)
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(path);
      } else if (/\.[cm]?tsx?$/.test(entry.name) && !/\.(?:test|spec)\.[cm]?tsx?$/.test(entry.name)) {
        files.push(relative(root, path).split(sep).join("/"));
      }
    }
  };
  for (const folder of folders) walk(join(root, folder));
  return files.sort();
}

interface Report {
  /** Imports that break the "may import" column. */
  arrows: string[];
  /** Pure folders that import I/O, SDKs or the logger, or read process.env or the clock. */
  purity: string[];
  /** Folders under src/ or tools/ that the table does not know. */
  unknown: string[];
  files: string[];
}

interface Finding {
  file: string;
  line: number;
  text: string;
}

function byPlace(findings: Finding[]): string[] {
  return findings
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
    .map((f) => f.text);
}

function checkTree(root: string): Report {
  const report: Report = { arrows: [], purity: [], unknown: [], files: sourceFiles(root) };
  const unknown = new Set<string>();
  const arrows: Finding[] = [];
  const purity: Finding[] = [];
  for (const file of report.files) {
    const unit = unitOf(file);
    const allowed = allowedFor(unit);
    // A new tool server is checked with the default tool rules, and still reported until the table names it.
    if (!allowed || (unit.startsWith("tools/") && !(unit.slice("tools/".length) in TOOL_LAYERS))) unknown.add(unit);
    const source = readFileSync(join(root, file), "utf8");
    for (const { line, spec } of scanImports(source)) {
      const where = `${file}:${line} → ${spec}`;
      if (spec.startsWith(".")) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        const targetUnit = target.startsWith("../") ? "(outside the repository)" : unitOf(target);
        if (allowed && allowed.units !== "anything" && !allowed.units.has(targetUnit)) {
          arrows.push({ file, line, text: `${where} (${unit} may not import ${targetUnit}; it may import ${describeAllowed(unit)})` });
        }
      } else {
        if (PURE.has(unit)) {
          const bad = IMPURE_MODULES.find((m) => m.test(spec));
          if (bad) purity.push({ file, line, text: `${where} (${unit} takes its facts as arguments; ${spec} is ${bad.why})` });
        }
        if (unit.startsWith("tools/")) {
          const name = unit.slice("tools/".length);
          if (isPackage(spec, forbiddenForTool(name))) {
            arrows.push({ file, line, text: `${where} (${unit} may import only its own cloud's SDK, not ${spec})` });
          }
        }
      }
    }
    if (PURE.has(unit)) {
      const code = stripComments(source);
      for (const { re, what } of IMPURE_MENTIONS) {
        for (const m of code.matchAll(re)) {
          const line = lineAt(code, m.index);
          purity.push({ file, line, text: `${file}:${line} → ${what} (${unit} takes now and configuration as arguments)` });
        }
      }
    }
  }
  report.arrows = byPlace(arrows);
  report.purity = byPlace(purity);
  report.unknown = [...unknown].sort().map(
    (u) => `${u} is not in DESIGN.md's "Layout and ownership" table: add it there and to test/architecture.test.ts`,
  );
  return report;
}

// ---------------------------------------------------------------------------------------------
// SQL stays in the store

/** Where SQL may be written and the SQLite driver imported: the store (its ports and its SQLite implementation). */
const STORE = "src/store/";

/** The folders checked for SQL outside the store. */
const SQL_FOLDERS = ["src", "tools", "evals"] as const;

/**
 * SQL in a string literal, as this house writes it: keywords in capitals. Prose in lower case ("select a
 * region from the list") is not SQL; lower-case SQL still needs a `.prepare(` or `.exec(` to run, and
 * those are caught below.
 */
const SQL_IN_STRINGS: readonly { re: RegExp; what: string }[] = [
  { re: /\bSELECT\b[\s\S]*\bFROM\b/, what: "SELECT … FROM" },
  { re: /\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b/, what: "INSERT INTO" },
  { re: /\bUPDATE\b[\s\S]*\bSET\b/, what: "UPDATE … SET" },
  { re: /\bDELETE\s+FROM\b/, what: "DELETE FROM" },
  { re: /\bCREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\b/, what: "CREATE TABLE" },
  { re: /\bPRAGMA\b/, what: "PRAGMA" },
];

/**
 * Statements run on a database handle: `.prepare(` and `.pragma(` on anything (nothing else here has
 * them), `.exec(` on a receiver named like a connection or with a string literal for its SQL (a RegExp's
 * `.exec(text)` is neither).
 */
const SQL_CALLS: readonly { re: RegExp; what: string }[] = [
  { re: /\.\s*prepare\s*\(/g, what: ".prepare(" },
  { re: /\.\s*pragma\s*\(/g, what: ".pragma(" },
  { re: /(?:\b(?:db|database|sqlite|conn|connection)\s*\.\s*exec\s*\(|\.\s*exec\s*\(\s*["'`])/gi, what: ".exec(" },
];

/** Packages that speak SQLite: the driver, and LangGraph's checkpointer on it. */
const SQLITE_PACKAGES = ["better-sqlite3", "@langchain/langgraph-checkpoint-sqlite"];

interface Literal {
  /** 1-based line where the literal starts */
  line: number;
  text: string;
}

/** The string and template literals of comment-free code, and the code with their contents blanked. */
function literalsOf(code: string): { literals: Literal[]; blanked: string } {
  const literals: Literal[] = [];
  let blanked = "";
  let line = 1;
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (c === "\\") {
      blanked += code.slice(i, i + 2);
      i += 2;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < code.length && code[j] !== c) {
        if (code[j] === "\\") j++;
        else if (c !== "`" && code[j] === "\n") break; // not a string after all (a regex literal, say)
        j++;
      }
      const text = code.slice(i + 1, j);
      literals.push({ line, text });
      blanked += c + text.replace(/[^\n]/g, " ") + (code[j] ?? "");
      for (const ch of code.slice(i, j + 1)) if (ch === "\n") line++;
      i = j + 1;
    } else {
      if (c === "\n") line++;
      blanked += c;
      i++;
    }
  }
  return { literals, blanked };
}

/** SQL, database calls and SQLite imports outside src/store (src/, tools/ and evals/), with file:line. */
function checkSql(root: string): string[] {
  const found: Finding[] = [];
  for (const file of sourceFiles(root, SQL_FOLDERS)) {
    if (file.startsWith(STORE)) continue;
    const source = readFileSync(join(root, file), "utf8");
    const code = stripComments(source);
    for (const { line, spec } of scanImports(source)) {
      if (isPackage(spec, SQLITE_PACKAGES)) found.push({ file, line, text: `${file}:${line} → ${spec} (the SQLite driver belongs to src/store: use the store's repositories)` });
      if (spec.startsWith(".")) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        if (target.startsWith(`${STORE}sqlite/`)) found.push({ file, line, text: `${file}:${line} → ${spec} (the SQLite implementation is reached only through src/store/index.js, its ports and openStore)` });
      }
    }
    const { literals, blanked } = literalsOf(code);
    for (const { line, text } of literals) {
      for (const { re, what } of SQL_IN_STRINGS) {
        if (re.test(text)) found.push({ file, line, text: `${file}:${line} → "${what}" in a string (SQL belongs in src/store: ask a repository)` });
      }
    }
    for (const { re, what } of SQL_CALLS) {
      // the string contents are blanked, so a call written inside a string is not one; the opening quote stays for `.exec("…")`
      for (const m of blanked.matchAll(re)) {
        const line = lineAt(blanked, m.index);
        found.push({ file, line, text: `${file}:${line} → ${what} on a database (statements run in src/store: ask a repository)` });
      }
    }
  }
  return byPlace(found);
}

// ---------------------------------------------------------------------------------------------
// The tool contract's one home (src/domain/contract; registration in tools/kit)

/** Where the cloud tool contract is served or read, so where a second definition of one of its schemas would go. */
const CONTRACT_READERS = ["tools/", "src/domain/", "src/agent/", "src/executor/", "src/planner/"];
const CONTRACT_HOME = "src/domain/contract/";
const KIT = "tools/kit/";

const RESTATEMENTS: readonly { re: RegExp; applies: (file: string) => boolean; why: string }[] = [
  {
    re: /\bregisterTool\s*\(/g,
    applies: (file) => !file.startsWith(KIT),
    why: "tools are registered only by tools/kit, from their contract definition",
  },
  {
    re: /\b(?:const|let|var|function|class)\s+[\w$]*(?:Input|Output)Schema\b/g,
    applies: (file) => CONTRACT_READERS.some((folder) => file.startsWith(folder)) && !file.startsWith(CONTRACT_HOME),
    why: "a tool's input and output schemas are defined once, in src/domain/contract",
  },
  {
    re: /[{,]\s*(?:readOnlyHint|destructiveHint|idempotentHint|openWorldHint)\s*:/g,
    applies: (file) => !file.startsWith(CONTRACT_HOME) && !file.startsWith(KIT),
    why: "annotation hints are set once, in src/domain/contract",
  },
];

/** Places outside src/domain/contract and tools/kit that define a part of the tool contract again. */
function contractRestatements(root: string): string[] {
  const found: Finding[] = [];
  for (const file of sourceFiles(root)) {
    const rules = RESTATEMENTS.filter((r) => r.applies(file));
    if (rules.length === 0) continue;
    // string contents blanked (quotes and line breaks kept): rules about code, not about what strings say
    const code = literalsOf(stripComments(readFileSync(join(root, file), "utf8"))).blanked;
    for (const { re, why } of rules) {
      for (const m of code.matchAll(re)) {
        // the line of what is named (a hint's `{` or `,` may end the line before)
        const line = lineAt(code, m.index + m[0].search(/[A-Za-z]/));
        found.push({ file, line, text: `${file}:${line} → ${m[0].replace(/^[{,]\s*/, "").replace(/\s+/g, " ")} (${why})` });
      }
    }
  }
  return byPlace(found);
}

// ---------------------------------------------------------------------------------------------
// The tests

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

describe("architecture (DESIGN.md, Layout and ownership)", () => {
  const report = checkTree(ROOT);

  it("scans the sources under src/ and tools/", () => {
    expect(report.files.some((f) => f.startsWith("src/domain/"))).toBe(true);
    expect(report.files.every((f) => !f.endsWith(".test.ts"))).toBe(true);
  });

  it("keeps every import arrow inside the may-import column", () => {
    expect(report.arrows, `imports that break the table:\n${report.arrows.join("\n")}`).toEqual([]);
  });

  it("keeps domain, policy, planner, telemetry and sim free of I/O, SDKs, process.env and the wall clock", () => {
    expect(report.purity, `impure code in a pure folder:\n${report.purity.join("\n")}`).toEqual([]);
  });

  it("knows every folder under src/ and tools/", () => {
    expect(report.unknown, report.unknown.join("\n")).toEqual([]);
  });

  it("keeps SQL, database calls and the SQLite driver inside src/store", () => {
    const sql = checkSql(ROOT);
    expect(sql, `SQL outside src/store:\n${sql.join("\n")}`).toEqual([]);
  });

  it("defines the tool contract once, in src/domain/contract, and registers tools only in tools/kit", () => {
    const found = contractRestatements(ROOT);
    expect(found, `the tool contract restated:\n${found.join("\n")}`).toEqual([]);
  });
});

describe("the tool contract's one home, on a synthetic tree", () => {
  const root = mkdtempSync(join(tmpdir(), "skyops-contract-home-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, lines: string[]): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), lines.join("\n"));
  };
  write("src/domain/contract/launch.ts", [
    'export const LaunchInputSchema = z.strictObject({ count: z.number() });', // the one definition
    "export const LAUNCH = { annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true } };",
  ]);
  write("tools/kit/server.ts", ["server.registerTool(tool.name, { annotations: { title, readOnlyHint: tool.annotations.readOnlyHint } }, handler);"]);
  write("tools/aws/launch.ts", [
    'server.registerTool("launch", config, handler);', // 1: registered outside the kit
    "const InputSchema = z.strictObject({ count: z.number() });", // 2: a second input schema
    "export const LaunchOutputSchema = z.object({});", // 3: a second output schema
    "const hints = { title: 'Launch', readOnlyHint: false,", // 4: hints set again
    "  destructiveHint: false };", // 5
  ]);
  write("src/executor/sagas/launch.ts", ["const out = LIST_OFFERS.outputSchema.parse(answer);", "export function ListOffersOutputSchema() { return null; }"]);
  write("tools/aws/harmless.ts", [
    'import { LaunchInputSchema, LAUNCH } from "../../src/domain/index.js";', // using the contract's
    "// server.registerTool( is what the kit does; readOnlyHint: true is the contract's",
    'const text = "registerTool( and { readOnlyHint: true } in a string";',
    "const readOnly = LAUNCH.annotations.readOnlyHint ? 1 : 0;",
    "type Listed = { annotations?: { readOnlyHint?: boolean } };",
    "const parsed = LaunchInputSchema.parse(args);",
  ]);
  write("src/policy/check.ts", ["export const PolicyCheckInputSchema = z.strictObject({});"]); // not a tool's schema
  const found = contractRestatements(root);

  it("reports each registration outside tools/kit, each second tool schema and each hint set outside the contract, with file:line", () => {
    expect(found).toEqual([
      "src/executor/sagas/launch.ts:2 → function ListOffersOutputSchema (a tool's input and output schemas are defined once, in src/domain/contract)",
      "tools/aws/launch.ts:1 → registerTool( (tools are registered only by tools/kit, from their contract definition)",
      "tools/aws/launch.ts:2 → const InputSchema (a tool's input and output schemas are defined once, in src/domain/contract)",
      "tools/aws/launch.ts:3 → const LaunchOutputSchema (a tool's input and output schemas are defined once, in src/domain/contract)",
      "tools/aws/launch.ts:4 → readOnlyHint: (annotation hints are set once, in src/domain/contract)",
      "tools/aws/launch.ts:5 → destructiveHint: (annotation hints are set once, in src/domain/contract)",
    ]);
  });

  it("does not report the contract's own definitions, the kit, uses of the contract, comments, strings, types, or schemas of other things", () => {
    expect(found.filter((f) => /harmless|contract\/launch|kit\/server|policy\/check/.test(f))).toEqual([]);
  });
});

describe("the import scanner", () => {
  it("finds static, type-only, multi-line, re-export, side-effect and dynamic imports but not comments", () => {
    const source = [
      'import { a } from "./a.js";', // 1
      'import type { B } from "../b.js";', // 2
      "import {", // 3
      "  c,", // 4
      "  d,", // 5
      "} from '../c.js';", // 6
      'import e, * as f from "e";', // 7
      'export * from "./g.js";', // 8
      'export { h } from "./h.js";', // 9
      'import "./side.js";', // 10
      'const m = await import("./dyn.js");', // 11
      'type T = import("./type.js").T;', // 12
      '// import { x } from "./commented.js";', // 13
      '/* export * from "./block.js"; */', // 14
      'const url = "http://example.com"; import { late } from "./late.js";', // 15
      'const sql = "select name from \'workloads\'";', // 16
    ].join("\n");
    expect(scanImports(source)).toEqual([
      { line: 1, spec: "./a.js" },
      { line: 2, spec: "../b.js" },
      { line: 3, spec: "../c.js" },
      { line: 7, spec: "e" },
      { line: 8, spec: "./g.js" },
      { line: 9, spec: "./h.js" },
      { line: 10, spec: "./side.js" },
      { line: 11, spec: "./dyn.js" },
      { line: 12, spec: "./type.js" },
      { line: 15, spec: "./late.js" },
    ]);
  });

  describe("on a synthetic tree that breaks every rule", () => {
    const root = mkdtempSync(join(tmpdir(), "skyops-architecture-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write("src/domain/offer.ts", 'import { z } from "zod";\nexport const x = z.string();\n');
    write(
      "src/policy/rules/bad.ts",
      [
        'import { Offer } from "../../domain/offer.js";', // 1: allowed
        'import { repo } from "../../store/repo.js";', // 2: arrow
        'import { readFileSync } from "node:fs";', // 3: purity
        'import { EC2Client } from "@aws-sdk/client-ec2";', // 4: purity
        "// Date.now() is never called here: the caller passes now.", // 5: a comment, fine
        "export const now = Date.now();", // 6: purity
        "export const region = process.env.REGION;", // 7: purity
        'export const hub = await import("../../agent/hub.js");', // 8: arrow
        'export * from "../../server/http.js";', // 9: arrow
        'import v8 from "node:v8";', // 10: purity
        'import { createRequire } from "module";', // 11: purity
        'import { ChatOpenAI } from "@langchain/openai";', // 12: purity
      ].join("\n"),
    );
    write("src/policy/bad.test.ts", 'import { repo } from "../store/repo.js";\nDate.now();\n');
    write("src/executor/saga.ts", 'import { repo } from "../store/repo.js";\nimport { g } from "../agent/graph.js";\n');
    write("src/cli.ts", 'import { g } from "./agent/graph.js";\nimport { s } from "../tools/sim/index.js";\n');
    write("src/gadgets/x.ts", "export const x = 1;\n");
    write("tools/gizmo/server.ts", 'import { x } from "../../src/domain/offer.js";\n');
    write("tools/aws/server.ts", 'import { EC2Client } from "@aws-sdk/client-ec2";\nimport { c } from "@google-cloud/compute";\n');
    write("tools/sim/server.ts", 'import { World } from "../../src/sim/world.js";\nimport { r } from "../../src/store/repo.js";\n');
    write("tools/gcp/server.ts", 'import { World } from "../../src/sim/world.js";\n');
    write("tools/gcp/handlers.ts", 'import { createToolServer } from "../kit/index.js";\n'); // every tool server may use the kit
    write("tools/kit/host.ts", 'import { World } from "../../src/sim/world.js";\nimport { EC2Client } from "@aws-sdk/client-ec2";\nimport { x } from "../sim/server.js";\n');
    const report = checkTree(root);

    it("reports each arrow that breaks the table, with file:line and the import", () => {
      expect(report.arrows).toEqual([
        "src/executor/saga.ts:2 → ../agent/graph.js (src/executor may not import src/agent; it may import src/domain, src/store)",
        "src/policy/rules/bad.ts:2 → ../../store/repo.js (src/policy may not import src/store; it may import src/domain)",
        "src/policy/rules/bad.ts:8 → ../../agent/hub.js (src/policy may not import src/agent; it may import src/domain)",
        "src/policy/rules/bad.ts:9 → ../../server/http.js (src/policy may not import src/server; it may import src/domain)",
        "tools/aws/server.ts:2 → @google-cloud/compute (tools/aws may import only its own cloud's SDK, not @google-cloud/compute)",
        "tools/gcp/server.ts:1 → ../../src/sim/world.js (tools/gcp may not import src/sim; it may import src/domain, src/data, tools/kit)",
        "tools/kit/host.ts:1 → ../../src/sim/world.js (tools/kit may not import src/sim; it may import src/domain)",
        "tools/kit/host.ts:2 → @aws-sdk/client-ec2 (tools/kit may import only its own cloud's SDK, not @aws-sdk/client-ec2)",
        "tools/kit/host.ts:3 → ../sim/server.js (tools/kit may not import tools/sim; it may import src/domain)",
        "tools/sim/server.ts:2 → ../../src/store/repo.js (tools/sim may not import src/store; it may import src/domain, src/data, src/sim, tools/kit)",
      ]);
    });

    it("reports I/O, SDKs, process.env and the wall clock in pure folders, but not in comments or tests", () => {
      expect(report.purity).toEqual([
        "src/policy/rules/bad.ts:3 → node:fs (src/policy takes its facts as arguments; node:fs is an I/O module)",
        "src/policy/rules/bad.ts:4 → @aws-sdk/client-ec2 (src/policy takes its facts as arguments; @aws-sdk/client-ec2 is a cloud SDK)",
        "src/policy/rules/bad.ts:6 → Date.now( (src/policy takes now and configuration as arguments)",
        "src/policy/rules/bad.ts:7 → process.env (src/policy takes now and configuration as arguments)",
        "src/policy/rules/bad.ts:10 → node:v8 (src/policy takes its facts as arguments; node:v8 is a module that reaches the runtime (heap, loader))",
        "src/policy/rules/bad.ts:11 → module (src/policy takes its facts as arguments; module is a module that reaches the runtime (heap, loader))",
        "src/policy/rules/bad.ts:12 → @langchain/openai (src/policy takes its facts as arguments; @langchain/openai is LangChain)",
      ]);
    });

    it("reports folders the table does not know", () => {
      expect(report.unknown).toEqual([
        `src/gadgets is not in DESIGN.md's "Layout and ownership" table: add it there and to test/architecture.test.ts`,
        `tools/gizmo is not in DESIGN.md's "Layout and ownership" table: add it there and to test/architecture.test.ts`,
      ]);
    });
  });

  describe("on a synthetic tree with SQL outside the store", () => {
    const root = mkdtempSync(join(tmpdir(), "skyops-architecture-sql-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write(
      "src/agent/bad.ts",
      [
        'import Database from "better-sqlite3";', // 1: the driver
        'import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";', // 2: the driver
        'import { openDatabase } from "../store/sqlite/db.js";', // 3: into the implementation
        'const recent = "SELECT type FROM proposals WHERE created_at_ms > ?";', // 4
        "const rows = db.prepare(recent).all();", // 5
        "database.exec(migration);", // 6
        "const put = `INSERT OR REPLACE INTO kv (key, value)", // 7 (a template over two lines)
        "  VALUES (?, ?)`;",
        "const close = 'UPDATE findings SET open = 0';", // 9
        'const prune = "DELETE FROM telemetry_events";', // 10
        'const ddl = "CREATE TABLE line_writes (n INTEGER)";', // 11
        'const wal = "PRAGMA journal_mode = WAL";', // 12
        'conn.pragma("foreign_keys = ON");', // 13
      ].join("\n"),
    );
    write("tools/gizmo/listing.ts", 'export const stale = (s: { exec(sql: string): void }) => s.exec("VACUUM");\n');
    write("evals/bench/peek.ts", 'import Database from "better-sqlite3";\nexport const n = "SELECT count(*) AS n FROM executions";\n');
    // harmless: prose in strings, a RegExp's exec, SQL in comments, a test, and the store itself
    write(
      "src/agent/fine.ts",
      [
        'export const hint = "select a region, then update the set of offers from the list";',
        'export const help = "Delete from the list what you no longer need; Select one.";',
        "export const m = /^(\\d+)$/.exec(text);",
        "export const n = DATE_RE.exec(s);",
        '// db.prepare("SELECT * FROM proposals") was here',
        '/* INSERT INTO kv VALUES (1) */ export const x = 1;',
        'export const note = "the .prepare( call lives in the store";',
      ].join("\n"),
    );
    write("src/agent/bad.test.ts", 'const rows = db.prepare("SELECT * FROM proposals").all();\n');
    write("src/store/sqlite/findings.ts", 'import Database from "better-sqlite3";\nconst s = db.prepare("SELECT * FROM findings WHERE open = 1");\ndb.exec("PRAGMA foreign_keys = ON");\n');
    write("src/store/ports.ts", 'import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";\nexport { openStore } from "./sqlite/store.js";\n');
    const sql = checkSql(root);

    it("reports each SQL string, database call and SQLite import outside src/store with file:line, in src/, tools/ and evals/", () => {
      expect(sql).toEqual([
        "evals/bench/peek.ts:1 → better-sqlite3 (the SQLite driver belongs to src/store: use the store's repositories)",
        'evals/bench/peek.ts:2 → "SELECT … FROM" in a string (SQL belongs in src/store: ask a repository)',
        "src/agent/bad.ts:1 → better-sqlite3 (the SQLite driver belongs to src/store: use the store's repositories)",
        "src/agent/bad.ts:2 → @langchain/langgraph-checkpoint-sqlite (the SQLite driver belongs to src/store: use the store's repositories)",
        "src/agent/bad.ts:3 → ../store/sqlite/db.js (the SQLite implementation is reached only through src/store/index.js, its ports and openStore)",
        'src/agent/bad.ts:4 → "SELECT … FROM" in a string (SQL belongs in src/store: ask a repository)',
        "src/agent/bad.ts:5 → .prepare( on a database (statements run in src/store: ask a repository)",
        "src/agent/bad.ts:6 → .exec( on a database (statements run in src/store: ask a repository)",
        'src/agent/bad.ts:7 → "INSERT INTO" in a string (SQL belongs in src/store: ask a repository)',
        'src/agent/bad.ts:9 → "UPDATE … SET" in a string (SQL belongs in src/store: ask a repository)',
        'src/agent/bad.ts:10 → "DELETE FROM" in a string (SQL belongs in src/store: ask a repository)',
        'src/agent/bad.ts:11 → "CREATE TABLE" in a string (SQL belongs in src/store: ask a repository)',
        'src/agent/bad.ts:12 → "PRAGMA" in a string (SQL belongs in src/store: ask a repository)',
        "src/agent/bad.ts:13 → .pragma( on a database (statements run in src/store: ask a repository)",
        "tools/gizmo/listing.ts:1 → .exec( on a database (statements run in src/store: ask a repository)",
      ]);
    });

    it("leaves prose in strings, a RegExp's exec, comments, tests and the store itself alone", () => {
      expect(sql.filter((f) => f.startsWith("src/agent/fine.ts") || f.startsWith("src/store/") || f.includes(".test.ts"))).toEqual([]);
    });
  });
});
