import { closeSync, openSync, readSync } from "node:fs";
import { Composer, isAlias, isCollection, isMap, isNode, isPair, isScalar, LineCounter, Parser, type CST, type Document, type Node } from "yaml";
import type { z } from "zod";

/** One problem in an input file, located. */
export interface InputProblem {
  file: string;
  line: number;
  column: number;
  problem: string;
}

/** `file:line:column: problem`, or `source: problem` for input that has no lines (environment, flags). */
export function formatProblem(p: InputProblem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.column}: ${p.problem}` : `${p.file}: ${p.problem}`;
}

/** Input that does not parse or validate; lists every problem at once, each with file and line. */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(formatProblem).join("\n"));
  }
}

/**
 * What one YAML input may cost, whoever wrote it. A configuration, a scenario or a policy case is a few
 * kilobytes written by hand (the largest shipped file is 8 KB, with 75 aliases repeating ~1,500 nodes); these
 * leave a hundredfold room and still refuse what is built to exhaust memory or time: a billion-laughs alias
 * bomb repeats 10⁹ nodes from under a kilobyte, and nesting a few thousand deep overflows the stack.
 */
export interface YamlLimits {
  /** Bytes of text. */
  maxBytes: number;
  /** Collections inside collections, the top one counted. */
  maxDepth: number;
  /** Alias nodes (`*name`), merge keys' included. */
  maxAliases: number;
  /** Nodes the aliases repeat in all, once expanded (an alias of an alias counts everything it stands for). */
  maxAliasedNodes: number;
}

export const YAML_LIMITS: Readonly<YamlLimits> = { maxBytes: 1_048_576, maxDepth: 64, maxAliases: 1_000, maxAliasedNodes: 100_000 };

/** Where in the text, 1-based. */
interface Position {
  line: number;
  column: number;
}

/** Refused input: the problem, where it is. */
class Refusal {
  constructor(
    readonly at: Position,
    readonly problem: string,
  ) {}
}

/** Every token of the parser's tree with its depth in collections (the top one is 1), walked without recursion: they may nest without bound. */
function* tokensOf(tokens: readonly CST.Token[]): Generator<{ token: CST.Token; depth: number }> {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    let children: (CST.Token | null | undefined)[] = [];
    let inner = depth;
    if (token.type === "document") children = [token.value];
    else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      inner = depth + 1;
      children = token.items.flatMap((item) => [item.key, item.value]);
    } else if (token.type === "block-scalar") children = token.props;
    yield { token, depth: inner };
    for (let i = children.length - 1; i >= 0; i--) if (children[i]) stack.push({ token: children[i]!, depth: inner });
  }
}

/** The first collection nested deeper than `maxDepth`. */
function tooDeep(tokens: readonly CST.Token[], maxDepth: number): CST.Token | null {
  for (const { token, depth } of tokensOf(tokens)) if (depth > maxDepth) return token;
  return null;
}

/**
 * Where the quote or bracket that a parse error says is never closed opens. yaml detects it where the
 * line or the file ends, which is not where a person looks for it; null for any other error.
 */
function openedAt(tokens: readonly CST.Token[], error: { pos: [number, number]; message: string }): number | null {
  const quote = /closing (["'])quote/.exec(error.message)?.[1];
  const flow = /^Flow (sequence|map)/.test(error.message);
  if (quote === undefined && !flow) return null;
  let found: number | null = null;
  for (const { token } of tokensOf(tokens)) {
    if (token.offset > error.pos[0]) continue;
    const unclosedQuote = quote !== undefined && (token.type === "double-quoted-scalar" || token.type === "single-quoted-scalar") && (token.source.length < 2 || !token.source.endsWith(quote));
    const unclosedFlow = flow && token.type === "flow-collection" && !token.end.some((t) => t.type === "flow-seq-end" || t.type === "flow-map-end");
    if ((unclosedQuote || unclosedFlow) && (found === null || token.offset > found)) found = token.offset;
  }
  return found;
}

/**
 * Checks the document's aliases against the limits before anything expands them: each alias must follow its
 * anchor and lie outside the node it names, there may be at most `maxAliases`, and all of them together may
 * repeat at most `maxAliasedNodes` nodes. A node's size is counted once and remembered, so the check costs one
 * walk of the document however the aliases nest.
 */
function checkAliases(doc: Document, limits: YamlLimits, at: (offset: number) => Position): void {
  const anchors = new Map<string, Node>();
  const size = new Map<unknown, number>();
  const open = new Set<unknown>();
  let aliases = 0;
  let repeated = 0;
  // depth is bounded by maxDepth (checked first), so the recursion is too
  const walk = (node: unknown): number => {
    if (isAlias(node)) {
      const where = at(node.range?.[0] ?? 0);
      if (++aliases > limits.maxAliases) throw new Refusal(where, `more than ${limits.maxAliases} aliases: write the values out, or use fewer aliases`);
      const target = anchors.get(node.source);
      if (target === undefined) throw new Refusal(where, `alias *${node.source} has no anchor &${node.source} before it`);
      if (open.has(target)) throw new Refusal(where, `alias *${node.source} is inside the node it names`);
      const n = size.get(target) ?? 1;
      repeated += n;
      if (repeated > limits.maxAliasedNodes) throw new Refusal(where, `the aliases up to here repeat more than ${limits.maxAliasedNodes} nodes (an alias bomb?): write the values out, or use fewer aliases`);
      return n;
    }
    if (isPair(node)) return walk(node.key) + walk(node.value);
    if (!isNode(node)) return 0;
    if (node.anchor) anchors.set(node.anchor, node);
    let n = 1;
    if (isCollection(node)) {
      open.add(node);
      for (const item of node.items) n += walk(item);
      open.delete(node);
    }
    size.set(node, n);
    return n;
  };
  walk(doc.contents);
}

/** A parsed YAML input: its value, and where each part of it is written. */
export class YamlInput {
  constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly doc: Document,
    private readonly counter: LineCounter,
  ) {}

  /** Where the value at `path` is written: the deepest node of the path that exists (1:1 for an empty document). */
  at(path: readonly PropertyKey[]): Position {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return this.position(node.range[0]);
    }
    return { line: 1, column: 1 };
  }

  /** Where the key `key` of the map at `path` is written; else where its value is. */
  keyAt(path: readonly PropertyKey[], key: string): Position {
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path as unknown[], true);
    if (isMap(map)) {
      for (const pair of map.items) if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return this.position(pair.key.range[0]);
    }
    return this.at([...path, key]);
  }

  /** Validates the value with a zod schema; every problem is reported with the line of the offending key and the path in words. */
  validate<S extends z.ZodType>(schema: S): z.output<S> {
    const result = schema.safeParse(this.value);
    if (result.success) return result.data;
    throw new InputError(
      result.error.issues.map((issue) => {
        const where = issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
        if (issue.code === "unrecognized_keys") {
          // point at the first unknown key itself (its key, not its value)
          return { file: this.file, ...this.keyAt(issue.path, issue.keys[0]!), problem: `${where}unknown key "${issue.keys.join('", "')}"` };
        }
        return { file: this.file, ...this.at(issue.path), problem: `${where}${issue.message}` };
      }),
    );
  }

  private position(offset: number): Position {
    const pos = this.counter.linePos(offset);
    return { line: pos.line, column: pos.col };
  }
}

/**
 * Parses YAML (or JSON, which is YAML) within `limits`; throws InputError naming each problem with its line
 * and column. Merge keys (`<<: *anchor`) work; a stream of several documents is refused.
 */
export function parseYaml(file: string, text: string, limits: Readonly<YamlLimits> = YAML_LIMITS): YamlInput {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > limits.maxBytes) throw new InputError([{ file, line: 0, column: 0, problem: `${bytes} bytes, over ${limits.maxBytes} bytes, the most skyops reads of one YAML document` }]);
  const counter = new LineCounter();
  const at = (offset: number): Position => {
    const pos = counter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const tokens = [...new Parser(counter.addNewLine).parse(text)];
  const deep = tooDeep(tokens, limits.maxDepth);
  if (deep !== null) throw new InputError([{ file, ...at(deep.offset), problem: `collections nested more than ${limits.maxDepth} deep, the most skyops reads` }]);
  const docs = [...new Composer({ merge: true, uniqueKeys: true }).compose(tokens, true, text.length)];
  const doc = docs[0]!;
  const errors = doc.errors.map((e) => ({ file, ...at(openedAt(tokens, e) ?? e.pos[0]), problem: e.message.split("\n")[0]! }));
  if (docs.length > 1) errors.push({ file, ...at(docs[1]!.range[0]), problem: "a second document (after ---): write one document per file" });
  if (errors.length > 0) throw new InputError(errors);
  try {
    checkAliases(doc, limits, at);
  } catch (error) {
    if (error instanceof Refusal) throw new InputError([{ file, ...error.at, problem: error.problem }]);
    throw error;
  }
  // the aliases were counted above, so yaml's own, coarser count is not needed
  return new YamlInput(file, doc.toJS({ maxAliasCount: -1 }), doc, counter);
}

/** Parses YAML within the limits and validates it with a zod schema; every problem is located (file, line, column). */
export function parseYamlInput<S extends z.ZodType>(file: string, text: string, schema: S, limits: Readonly<YamlLimits> = YAML_LIMITS): z.output<S> {
  return parseYaml(file, text, limits).validate(schema);
}

/**
 * Reads a YAML file as text, never more than `maxBytes` of it (a device or a pipe that never ends is
 * refused like a file that is too large). `what` says what the file is in errors ("the configuration"),
 * `name` how the file is shown (by default its path).
 */
export function readYamlFile(path: string, what: string, name: string = path, limits: Readonly<YamlLimits> = YAML_LIMITS): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new InputError([{ file: name, line: 0, column: 0, problem: `cannot read ${what}: ${describeFsError(error)}` }]);
  }
  try {
    const buffer = Buffer.allocUnsafe(limits.maxBytes + 1);
    let length = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        throw new InputError([{ file: name, line: 0, column: 0, problem: `cannot read ${what}: ${describeFsError(error)}` }]);
      }
      if (n === 0) break;
      length += n;
      if (length > limits.maxBytes) throw new InputError([{ file: name, line: 0, column: 0, problem: `over ${limits.maxBytes} bytes, the most skyops reads of one YAML document` }]);
    }
    return buffer.toString("utf8", 0, length);
  } finally {
    closeSync(fd);
  }
}

/** "no such file", "a folder, not a file", …: a file system error in words, with its code. */
function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: "no such file", EISDIR: "it is a folder, not a file", EACCES: "permission denied", EPERM: "permission denied", ENOTDIR: "a part of the path is not a folder" };
  return code !== undefined && words[code] !== undefined ? `${words[code]} (${code})` : (code ?? (error as Error).message);
}
