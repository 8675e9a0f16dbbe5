import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { WorldSpec } from "../../src/domain/index.js";
import type { JournalEntry } from "./journaled-world.js";

export const JOURNAL_FILE = "sim-journal.jsonl";

interface Header {
  op: "world";
  seed: number;
  startMs: number;
  specDigest: string;
}

function digest(spec: WorldSpec): string {
  return createHash("sha256").update(JSON.stringify(spec)).digest("hex");
}

/**
 * The on-disk journal of a simulated world (`STATE/sim-journal.jsonl`): a header naming the world's spec,
 * then one JSON line per changing call and clock mark. Appends are synchronous, so a process killed at any
 * moment loses at most the line being written — which a reader skips.
 */
export class WorldJournal {
  readonly path: string;
  readonly entries: JournalEntry[];

  constructor(dir: string, spec: WorldSpec) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, JOURNAL_FILE);
    const header: Header = { op: "world", seed: spec.seed, startMs: spec.startMs, specDigest: digest(spec) };
    this.entries = [];
    if (!existsSync(this.path)) {
      appendFileSync(this.path, `${JSON.stringify(header)}\n`);
      return;
    }
    const lines = readFileSync(this.path, "utf8").split("\n");
    const first = JSON.parse(lines[0] ?? "{}") as Partial<Header>;
    if (first.op !== "world" || first.specDigest !== header.specDigest) {
      throw new Error(`${this.path} holds the journal of another world (seed ${String(first.seed)}); use another --state folder or remove it`);
    }
    lines.slice(1).forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        this.entries.push(JSON.parse(line) as JournalEntry);
      } catch (error) {
        // only the last line can be torn by a crash mid-write
        if (i < lines.length - 3) throw new Error(`${this.path} line ${i + 2} is not JSON: ${(error as Error).message}`);
      }
    });
  }

  append(entry: JournalEntry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
  }
}
