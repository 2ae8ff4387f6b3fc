/**
 * CSV (RFC 4180) through csv-parse and csv-stringify, streaming: a record at a time in, a
 * record at a time out, whatever the file's size. One convention on top, so export → import
 * round-trips exactly: an empty unquoted field is null, an empty quoted field ("") is the
 * empty string.
 *
 *   readCsv(source)        async iterable of { line, fields: (string | null)[] } from a byte or
 *                          text stream; a BOM, LF or CRLF (even mixed), quoted newlines are
 *                          handled, blank lines skipped; `line` is the 1-based line the record
 *                          starts on. Throws CsvError (with the line) on malformed quoting.
 *   csvWriter()            a Transform: write arrays of values, read CSV text ("\n" line ends);
 *                          null/undefined → empty; quoted when a field has , " CR LF,
 *                          leading/trailing white space, or is the empty string
 *   toCsvLine(values)      one record as text, for small things (the header, tests)
 *   readHeader(fields, columns, required, index)
 *                          checks a header row (names trimmed, any case; each known, none twice,
 *                          the required ones there), fills index name → position and answers
 *                          the names; UsageError otherwise
 */
import { Readable, type Transform } from "node:stream";
import { type CastingContext, CsvError as ParseError, parse } from "csv-parse";
import { stringify } from "csv-stringify";
import { stringify as stringifySync } from "csv-stringify/sync";
import { UsageError } from "./exit";

export interface CsvRow {
  line: number;
  fields: (string | null)[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

type Value = string | number | null | undefined;

const LINE_BREAK = /\r\n|\r|\n/g;

export async function* readCsv(source: Readable | AsyncIterable<string | Buffer>): AsyncGenerator<CsvRow> {
  const parser = parse({
    bom: true,
    // Field counts are checked per row by the caller, which reports them with the row.
    relax_column_count: true,
    // Either line ending, even both in one file (an edited export).
    record_delimiter: ["\r\n", "\n"],
    cast: (value: string, context: CastingContext) => (value === "" && !context.quoting ? null : value),
  });
  const input = source instanceof Readable ? source : Readable.from(source);
  input.on("error", (err) => parser.destroy(err));
  input.pipe(parser);
  // Blank lines come through as one null field; counting each record's lines (its own line end
  // plus the line breaks inside its quoted fields) numbers the next one.
  let line = 1;
  try {
    for await (const fields of parser as AsyncIterable<(string | null)[]>) {
      const start = line;
      line += 1;
      for (const f of fields) if (f) line += f.match(LINE_BREAK)?.length ?? 0;
      if (fields.length === 1 && fields[0] === null) continue;
      yield { line: start, fields };
    }
  } catch (err) {
    if (err instanceof ParseError) throw new CsvError(err.message, (err as { lines?: number }).lines ?? line);
    throw err;
  } finally {
    input.unpipe(parser);
    parser.destroy();
  }
}

const OPTIONS = {
  // The empty string is quoted to tell it from null; edge white space to keep it.
  quoted_match: /^$|^\s|\s$/,
  record_delimiter: "unix",
} as const;

export function csvWriter(): Transform {
  return stringify(OPTIONS);
}

export function toCsvLine(values: readonly Value[]): string {
  return stringifySync([values.map((v) => (v === undefined ? null : v))], OPTIONS);
}

export function readHeader(
  fields: readonly (string | null)[],
  columns: readonly string[],
  required: readonly string[],
  index: Map<string, number>,
): string[] {
  const names = fields.map((f) => (f ?? "").trim().toLowerCase());
  names.forEach((n, i) => {
    if (!columns.includes(n))
      throw new UsageError(`Unknown column '${n}' in the header; the columns are ${columns.join(",")}`);
    if (index.has(n)) throw new UsageError(`Column '${n}' appears twice in the header`);
    index.set(n, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) throw new UsageError(`The header lacks column(s) ${missing.join(", ")}`);
  return names;
}
