import { createHash } from "node:crypto";
import { parseIntArg } from "../../lib/args";
import { CsvError, type CsvRow, readCsv, readHeader } from "../../lib/csv";
import { UsageError } from "../../lib/exit";
import { addUnits, type ReceivedUnits } from "./lines";

/** The CSV a receiving dock writes: one row per scan, a sku named on as many rows as it likes. */
export const RECEIPT_COLUMNS = ["sku", "accepted", "rejected", "reason"] as const;
const REQUIRED = ["sku", "accepted"] as const;

export interface RowProblem {
  /** Line of the file the row starts on (the header is line 1). */
  line: number;
  sku: string | null;
  detail: string;
}

/** A sku's rows summed: its units, its distinct reasons, and the lines that named it. */
export interface SkuUnits extends ReceivedUnits {
  sku: string;
  lines: number[];
}

export interface ReceiptCsv {
  /** By sku as first written, rows of the same sku (in any case) summed. */
  skus: SkuUnits[];
  problems: RowProblem[];
  /** sha256 of the file's bytes, hex. */
  sha256: string;
}

/** The bytes of a stream, passed on unchanged while they are hashed. */
async function* hashing(source: AsyncIterable<Buffer | string>, hash: ReturnType<typeof createHash>) {
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
}

/**
 * Reads a receipt CSV a row at a time (memory grows with the distinct skus, not the rows).
 * A bad header or malformed CSV is a UsageError; a bad row is collected as a problem naming
 * its line, so all of them can be reported at once.
 */
export async function readReceiptCsv(source: AsyncIterable<Buffer | string>): Promise<ReceiptCsv> {
  const hash = createHash("sha256");
  const bySku = new Map<string, SkuUnits>();
  const problems: RowProblem[] = [];
  const index = new Map<string, number>();
  let width: number | null = null;
  try {
    for await (const record of readCsv(hashing(source, hash))) {
      if (width === null) {
        width = readHeader(record.fields, RECEIPT_COLUMNS, REQUIRED, index).length;
        continue;
      }
      const row = checkRow(record, width, index);
      if ("detail" in row) {
        problems.push(row);
        continue;
      }
      const key = row.sku.toLowerCase();
      const before = bySku.get(key);
      bySku.set(key, before ? { ...addUnits(before, row), lines: [...before.lines, ...row.lines] } : row);
    }
  } catch (err) {
    if (err instanceof CsvError) throw new UsageError(`The file is not valid CSV: ${err.message}`);
    throw err;
  }
  if (width === null)
    throw new UsageError(`The file is empty: it needs a header row (${RECEIPT_COLUMNS.join(",")})`);
  return { skus: [...bySku.values()], problems, sha256: hash.digest("hex") };
}

function checkRow(record: CsvRow, width: number, index: Map<string, number>): SkuUnits | RowProblem {
  const get = (c: string) => (index.has(c) ? (record.fields[index.get(c)!] ?? null) : null);
  const sku = get("sku")?.trim() || null;
  const problem = (detail: string): RowProblem => ({ line: record.line, sku, detail });
  // Scanners drop trailing empty fields; a field beyond the header's is a mistake.
  if (record.fields.length > width)
    return problem(`expected at most ${width} fields, found ${record.fields.length}`);
  if (sku === null) return problem("sku is empty");
  // An empty count is 0: a row of rejections only leaves accepted blank.
  const units = (c: string) => parseIntArg(get(c)?.trim() || "0", c, { min: 0, max: 1_000_000 })!;
  try {
    const reason = get("reason")?.trim();
    return {
      sku,
      accepted: units("accepted"),
      rejected: units("rejected"),
      reasons: reason ? [reason] : [],
      lines: [record.line],
    };
  } catch (err) {
    if (err instanceof UsageError) return problem(err.message);
    throw err;
  }
}
