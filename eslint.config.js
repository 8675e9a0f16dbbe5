// @ts-check
/**
 * Lint for skyops. Besides typescript-eslint's recommended rules (syntax only: no type information,
 * so `eslint .` stays fast on two cores), this file enforces two things from DESIGN.md:
 *
 * 1. The "may import" column of "Layout and ownership", with `no-restricted-imports` per folder.
 *    ESLint patterns see the import string, not the resolved file, so each folder gets one config
 *    block per nesting depth: from `src/policy/a/b.ts` the way out of `src/policy` is `../../`.
 *    The patterns are allow-lists (everything that leaves the folder, except the allowed folders,
 *    is refused), so a new folder is refused until the table says otherwise.
 *    test/architecture.test.ts checks the same table with resolved paths and dynamic `import()`.
 * 2. Decision code is pure: src/domain, src/policy, src/planner, src/telemetry and src/sim take time
 *    and facts as arguments, so they import no I/O, runtime module (V8 flags, the loader), cloud SDK, MCP
 *    SDK, LangChain or logger, and read neither `process` nor the wall clock.
 */
import { readFileSync } from "node:fs";
import { URL } from "node:url";
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// DESIGN.md's "Layout and ownership" as data, shared with test/architecture.test.ts.
const architecture = JSON.parse(readFileSync(new URL("./architecture.json", import.meta.url), "utf8"));
/** @type {Record<string, string[]>} folder under src/ → the src/ folders it may import. */
const SRC_LAYERS = architecture.srcLayers;
/** @type {string[]} Folders that take time and facts as arguments: no I/O, no process, no wall clock. */
const PURE = architecture.pure;
/** @type {Record<string, string[]>} Cloud SDKs, by the tool server that may use each. */
const CLOUD_SDKS = architecture.cloudSdks;
/** @type {Record<string, string[]>} tools/<name> → the src/ folders it may import. */
const TOOL_LAYERS = architecture.toolLayers;
/** @type {string} The folder under tools/ every other tool server may import (the tool-server kit). */
const TOOL_KIT = architecture.toolKit;

/** Deepest nesting (folders below the layer folder) that gets a precise block. */
const MAX_DEPTH = 6;
const SOURCE_EXT = "{ts,mts,cts,tsx,js,mjs}";
const TESTS = ["**/*.test.*", "**/*.spec.*"];

const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const up = (/** @type {number} */ n) => `(?:\\.\\./){${n}}`;
const moduleRegex = (/** @type {string[]} */ names) =>
  `^(?:${names.map(escape).join("|")})(?:/|$)`;

/** Modules pure folders may not import, with the reason. */
const IMPURE_MODULES = [
  {
    regex: `^(?:node:)?(?:fs|fs/promises|net|http|https|http2|tls|dgram|child_process|worker_threads|cluster|process)$`,
    message: "I/O and process modules are not allowed here: this folder takes its facts as arguments.",
  },
  {
    regex: `^(?:node:)?(?:v8|module)$`,
    message: "Runtime modules (V8 flags, the module loader) are not allowed here: the caller sets the process up and passes what it loaded.",
  },
  {
    regex: moduleRegex(["@langchain"]),
    message: "LangChain is not allowed here: decision code takes its facts as arguments; a model is reached through a port.",
  },
  {
    regex: moduleRegex(["better-sqlite3", "pino"]),
    message: "The store and the logger are not allowed here: return values, let the caller persist and log.",
  },
  {
    regex: moduleRegex([...Object.values(CLOUD_SDKS).flat(), "@slack", "@modelcontextprotocol"]),
    message: "Cloud, Slack and MCP SDKs are not allowed here: the world is reached only through the agent's MCP hub.",
  },
].map((p) => ({ ...p, caseSensitive: true }));

/**
 * A pattern that refuses any relative import leaving the current folder, except into `allowed`.
 * @param {number} outOfFolder how many `../` lead from the file to the folder that holds its layer folder
 * @param {string} parentPath that folder's path from the repository root (`src`, `tools`)
 * @param {string[]} allowed paths from the repository root that may be imported (`src/domain`)
 * @param {string[]} siblings of `allowed`, those that live in `parentPath`, by folder name
 * @param {string} message
 */
function leavingFolder(outOfFolder, parentPath, allowed, siblings, message) {
  const toRoot = parentPath.split("/").length;
  const alternatives = [
    ...siblings.map((s) => `${escape(s)}(?:/|$)`),
    ...allowed.map((a) => `${"\\.\\./".repeat(toRoot)}${escape(a)}(?:/|$)`),
  ];
  const except = alternatives.length > 0 ? `(?!${alternatives.join("|")})` : "";
  return { regex: `^${up(outOfFolder)}${except}`, message, caseSensitive: true };
}

/**
 * One config block per nesting depth of a layer folder.
 * @param {string} folder e.g. `src/policy`
 * @param {(depth: number) => object[]} patterns the no-restricted-imports patterns for that depth
 */
function perDepth(folder, patterns) {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    name: `skyops/layers/${folder}/depth-${depth}`,
    files: [`${folder}/${"*/".repeat(depth)}*.${SOURCE_EXT}`],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: patterns(depth) }] },
  }));
}

const layerBlocks = Object.entries(SRC_LAYERS).flatMap(([name, allowed]) => {
  const allowedText = allowed.length > 0 ? allowed.map((a) => `src/${a}`).join(", ") : "nothing of ours";
  const message = `src/${name} may import ${allowedText} (DESIGN.md, "Layout and ownership").`;
  return perDepth(`src/${name}`, (depth) => [
    leavingFolder(
      depth + 1,
      "src",
      allowed.map((a) => `src/${a}`),
      allowed,
      message,
    ),
    ...(PURE.includes(name) ? IMPURE_MODULES : []),
  ]);
});

const toolBlocks = [...Object.entries(TOOL_LAYERS), ["*", ["domain", "data"]]].flatMap(([name, allowed]) => {
  const sdks = CLOUD_SDKS[/** @type {keyof typeof CLOUD_SDKS} */ (name)] ?? [];
  const otherSdks = Object.values(CLOUD_SDKS)
    .flat()
    .filter((m) => !sdks.includes(m));
  const tool = name === "*" ? "tools/<name>" : `tools/${name}`;
  const sdkText = sdks.length > 0 ? `and its cloud's SDK (${sdks.join(", ")})` : "and no cloud SDK";
  const kit = name === TOOL_KIT ? [] : [TOOL_KIT];
  const message = `${tool} may import ${[...allowed.map((a) => `src/${a}`), ...kit.map((k) => `tools/${k}`)].join(", ")} ${sdkText} (DESIGN.md, "Layout and ownership").`;
  return perDepth(`tools/${name}`, (depth) => [
    leavingFolder(
      depth + 1,
      "tools",
      allowed.map((a) => `src/${a}`),
      kit,
      message,
    ),
    {
      regex: moduleRegex([...otherSdks, "better-sqlite3", "@slack", "@langchain", "@cedar-policy"]),
      message: `${tool} may import only its own cloud's SDK; the store, Slack, LangChain and Cedar belong to the daemon.`,
      caseSensitive: true,
    },
  ]);
});
// Known tool folders come after the `tools/*` fallback so their own block wins.
const toolFallback = toolBlocks.filter((b) => b.name.startsWith("skyops/layers/tools/*/"));
const toolNamed = toolBlocks.filter((b) => !b.name.startsWith("skyops/layers/tools/*/"));

const pureBlock = {
  name: "skyops/pure",
  files: PURE.map((name) => `src/${name}/**/*.${SOURCE_EXT}`),
  ignores: TESTS,
  rules: {
    "no-restricted-globals": [
      "error",
      { name: "process", message: "Take configuration and environment as arguments (STYLE.md: only pure code decides)." },
    ],
    "no-restricted-properties": [
      "error",
      { object: "process", property: "env", message: "Take configuration as an argument." },
      { object: "globalThis", property: "process", message: "Take configuration as an argument." },
    ],
    "no-restricted-syntax": [
      "error",
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Take `now` as an argument." },
      { selector: "CallExpression[callee.name='Date']", message: "Take `now` as an argument." },
      {
        selector: "MemberExpression[object.name='Date'][property.name='now']",
        message: "Take `now` as an argument.",
      },
    ],
  },
};

export default defineConfig(
  {
    name: "skyops/ignores",
    ignores: ["dist/", "node_modules/", "coverage/", "data/", ".vitest-tools/", ".skyops/", "evals/out/"],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: "skyops/base",
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
        },
      ],
    },
  },
  layerBlocks,
  toolFallback,
  toolNamed,
  pureBlock,
);
