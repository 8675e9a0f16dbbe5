import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from "yaml";
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

function locate(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } {
  // the deepest node of the path that exists
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
    // a key: point at the pair's key when the value is missing
  }
  return { line: 1, column: 1 };
}

/** Where the key `key` of the map at `path` is written; else where its value is. */
function locateKey(doc: Document, counter: LineCounter, path: readonly PropertyKey[], key: string): { line: number; column: number } {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isScalar(pair.key) && pair.key.value === key && pair.key.range) {
        const pos = counter.linePos(pair.key.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
  }
  return locate(doc, counter, [...path, key]);
}

/**
 * Parses YAML (or JSON, which is YAML) and validates it with a zod schema; every problem is reported
 * with the file, the line of the offending key and the path in words. Merge keys (`<<: *anchor`) work.
 */
export function parseYamlInput<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, merge: true, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        return { file, line: pos.line, column: pos.col, problem: e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "") };
      }),
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 1000 });
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InputError(
    result.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
      if (issue.code === "unrecognized_keys") {
        // point at the first unknown key itself (its key, not its value)
        return { file, ...locateKey(doc, counter, issue.path, issue.keys[0]!), problem: `${where}unknown key "${issue.keys.join('", "')}"` };
      }
      return { file, ...locate(doc, counter, issue.path), problem: `${where}${issue.message}` };
    }),
  );
}
