import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { parseCsvRecords } from "../../src/data/csv.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap in use after a full collection, MB. */
function liveMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1048576;
}

/** ~10 MB of CSV whose every row has a long cell, built fresh so nothing else holds it. */
function bigCsv(): string {
  const rows = ["zone,instance_type,price"];
  for (let i = 0; i < 200_000; i++) rows.push(`us-east-1-zone-${i},p4d.24xlarge-variant-${i},${(i % 97) / 10}`);
  return rows.join("\n");
}

describe("CSV cells kept from a file", () => {
  it("do not keep the file's text alive", () => {
    const kept: string[] = [];
    const before = liveMb();
    (() => {
      const records = parseCsvRecords(bigCsv(), "big.csv");
      // what a loader keeps: a few long names, e.g. the zones of one offer
      for (const r of records.slice(1, 4)) kept.push(r.cells[0]!, r.cells[1]!);
    })();
    const after = liveMb();
    expect(kept[0]).toBe("us-east-1-zone-0");
    expect(kept[5]).toBe("p4d.24xlarge-variant-2");
    // the text is ~10 MB (one byte a character); a cell that were a view into it would keep all of it
    expect(after - before).toBeLessThan(3);
  });
});
