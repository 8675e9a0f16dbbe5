/**
 * A small RFC 4180 CSV reader for the files under `data/`: comma separated, fields optionally quoted with
 * `"` (a quoted field may hold commas, line breaks and doubled quotes `""`), records ended by CRLF or LF.
 * Every record keeps the 1-based line number of the file on which it starts, so errors can point at it.
 */

/** A malformed data file or row: names the file (relative to the project root where possible) and the line. */
export class DataError extends Error {
  override readonly name = "DataError";
  constructor(
    /** The file, e.g. `data/catalog/skypilot_catalog_gpu_extract.csv`. */
    readonly file: string,
    /** 1-based line number in the file (0 when the problem is the file as a whole). */
    readonly line: number,
    /** What is wrong, e.g. `price_spot_usd_per_hour "abc" is not a number`. */
    readonly problem: string,
  ) {
    super(line > 0 ? `${file} line ${line}: ${problem}` : `${file}: ${problem}`);
  }
}

/** One record of a CSV file: its cells and the line it starts on. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;
const LF = 10;

/**
 * A cell cut from the file's text, as a string of its own. V8 makes a slice of 13 or more characters a
 * view into the whole text, so one kept cell (a zone name in a price table) would keep megabytes of CSV
 * alive for the life of the process; prefixing and cutting again copies it into a short string instead.
 */
function own(cell: string): string {
  return cell.length >= 13 ? ` ${cell}`.slice(1) : cell;
}

/** Whether position `k` starts a line end: LF, CRLF, or a CR that ends the text. */
function isLineEnd(text: string, k: number): boolean {
  const c = text.charCodeAt(k);
  return c === LF || (c === CR && (k + 1 === text.length || text.charCodeAt(k + 1) === LF));
}

/**
 * Splits CSV text into records (the header included). Throws DataError, naming `file` and the line, on an
 * unterminated quoted field or on text between a closing quote and the next separator.
 */
export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  forEachCsvRecord(text, file, (cells, line) => {
    records.push({ line, cells });
  });
  return records;
}

/** Like parseCsvRecords, but hands each record to `onRecord` as it is read (nothing is kept). */
export function forEachCsvRecord(text: string, file: string, onRecord: (cells: string[], line: number) => void): void {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte-order mark is not data
  let line = 1;
  // Position of the next quote at or after i (n when there is none): lines before it take the fast path.
  let nextQuote = text.indexOf('"', i);
  if (nextQuote < 0) nextQuote = n;
  while (i < n) {
    const startLine = line;
    if (nextQuote < i) {
      nextQuote = text.indexOf('"', i);
      if (nextQuote < 0) nextQuote = n;
    }
    let eol = text.indexOf("\n", i);
    if (eol < 0) eol = n;
    if (nextQuote > eol || nextQuote === n) {
      // Fast path: a line without quotes is cut at its commas.
      const end = eol > i && text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
      const fast: string[] = [];
      let from = i;
      for (;;) {
        let comma = text.indexOf(",", from);
        if (comma < 0 || comma > end) comma = end;
        fast.push(own(text.slice(from, comma)));
        if (comma >= end) break;
        from = comma + 1;
      }
      onRecord(fast, startLine);
      i = eol + 1;
      line++;
      continue;
    }
    const cells: string[] = [];
    // One record, cell by cell.
    for (;;) {
      let cell: string;
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted field: up to the closing quote; "" stands for one quote.
        const quoteLine = line;
        let j = i + 1;
        let value = "";
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new DataError(file, quoteLine, "a quoted field is not closed");
          value += text.slice(j, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        for (let k = i + 1; k < j; k++) if (text.charCodeAt(k) === LF) line++;
        cell = own(value);
        i = j;
        if (i < n && text.charCodeAt(i) !== COMMA && !isLineEnd(text, i)) {
          throw new DataError(file, line, "text after a closing quote (a quote inside a field must be doubled)");
        }
      } else {
        // Plain field: up to the next comma or line end.
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || isLineEnd(text, j)) break;
          if (c === QUOTE) throw new DataError(file, line, "a quote inside an unquoted field (quote the whole field)");
          j++;
        }
        cell = own(text.slice(i, j));
        i = j;
      }
      cells.push(cell);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      // Line end (CRLF or LF).
      i += c === CR ? 2 : 1;
      line++;
      break;
    }
    onRecord(cells, startLine);
  }
}

/**
 * Reads a CSV file whose first record must be exactly `columns`, handing each data record (header excluded)
 * to `onRow`. A wrong header, or a record with a different number of cells, is a DataError naming the file
 * and line.
 */
export function readCsv(text: string, file: string, columns: readonly string[], onRow: (cells: string[], line: number) => void): void {
  let headerSeen = false;
  forEachCsvRecord(text, file, (cells, line) => {
    if (!headerSeen) {
      headerSeen = true;
      const same = cells.length === columns.length && cells.every((cell, k) => cell === columns[k]);
      if (!same) throw new DataError(file, line, `unexpected header "${cells.join(",")}"; expected columns ${columns.join(", ")}`);
      return;
    }
    if (cells.length !== columns.length) {
      throw new DataError(file, line, `has ${cells.length} columns, expected ${columns.length} (${columns.join(", ")})`);
    }
    onRow(cells, line);
  });
  if (!headerSeen) throw new DataError(file, 0, `the file is empty; expected a header with columns ${columns.join(", ")}`);
}

/** Reads a whole CSV file as readCsv does and returns its data records. */
export function parseCsv(text: string, file: string, columns: readonly string[]): CsvRecord[] {
  const rows: CsvRecord[] = [];
  readCsv(text, file, columns, (cells, line) => {
    rows.push({ line, cells });
  });
  return rows;
}
