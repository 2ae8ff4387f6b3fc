import type { Readable } from "node:stream";
import type { RouterInputs } from "@stockroom/sdk";
import { CsvError, type CsvRow, readCsv, readHeader } from "../../lib/csv";
import { UsageError } from "../../lib/exit";
import type { Product } from "./columns";

/** The product CSV format that export writes and import reads. */
export const CSV_COLUMNS = ["sku", "name", "description", "category", "price"] as const;
const REQUIRED = ["sku", "name", "category", "price"] as const;

export type ProductInput = RouterInputs["products"]["create"];

export interface RowFailure {
  /** Line of the file the record starts on (the header is row 1, as a spreadsheet shows it). */
  row: number;
  sku: string | null;
  code: string;
  detail: string;
}

export interface ParsedRow {
  row: number;
  item: ProductInput;
}

/** True when importing the row would leave the product as it is (what a dry run calls unchanged). */
export const sameProduct = (p: Product, item: ProductInput) =>
  p.sku === item.sku &&
  p.name === item.name &&
  p.description === (item.description ?? null) &&
  p.category === item.category &&
  p.price === item.price;

/** One product as the fields of its CSV record (for csvWriter). */
export const productRecord = (p: Product) => [p.sku, p.name, p.description, p.category, p.price.toFixed(2)];

// The limits API.md gives for a product; the server checks them again.
const SKU = /^[A-Za-z0-9._/-]{1,64}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters, like the API
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const PRICE = /^\d{1,8}(\.\d{1,2})?$/;

function textIssue(value: string | null, name: string, min: number, max: number): string | null {
  if (value === null || value.length < min) return min > 0 ? `${name}: Must not be empty` : null;
  if (value.length > max) return `${name}: Must be at most ${max} characters`;
  if (CONTROL.test(value)) return `${name}: Must not contain control characters`;
  return null;
}

export type CheckedRow = { ok: true; row: ParsedRow } | { ok: false; failure: RowFailure };

/**
 * Reads a product CSV a record at a time and checks each row; rows that fail are yielded as
 * failures, not thrown. Header problems and malformed CSV are UsageErrors. Memory grows
 * only with the set of skus seen (to report duplicates), never with the file.
 */
export async function* readProductCsv(source: Readable): AsyncGenerator<CheckedRow> {
  const records = readCsv(source);
  let names: string[] | null = null;
  const index = new Map<string, number>();
  const seen = new Map<string, number>();
  try {
    for await (const record of records) {
      if (names === null) {
        names = readHeader(record.fields, CSV_COLUMNS, REQUIRED, index);
        continue;
      }
      yield checkRow(record, names.length, index, seen);
    }
  } catch (err) {
    if (err instanceof CsvError) throw new UsageError(`The file is not valid CSV: ${err.message}`);
    throw err;
  }
  if (names === null)
    throw new UsageError("The file is empty: it needs a header row (sku,name,description,category,price)");
}

function checkRow(
  record: CsvRow,
  width: number,
  index: Map<string, number>,
  seen: Map<string, number>,
): CheckedRow {
  const get = (c: string) => (index.has(c) ? (record.fields[index.get(c)!] ?? null) : null);
  const sku = get("sku");
  const fail = (detail: string): CheckedRow => ({
    ok: false,
    failure: { row: record.line, sku, code: "VALIDATION_FAILED", detail },
  });
  if (record.fields.length !== width) return fail(`Expected ${width} fields, found ${record.fields.length}`);
  const issues: string[] = [];
  if (sku === null || !SKU.test(sku))
    issues.push(
      sku === null || sku === ""
        ? "sku: Must not be empty"
        : "sku: Must be 1 to 64 letters, digits or . _ / -",
    );
  const name = get("name");
  const category = get("category");
  const description = get("description");
  const priceText = get("price");
  for (const issue of [
    textIssue(name, "name", 1, 255),
    textIssue(category, "category", 1, 100),
    description === null ? null : textIssue(description, "description", 0, 5000),
  ])
    if (issue) issues.push(issue);
  const price = priceText !== null && PRICE.test(priceText.trim()) ? Number(priceText.trim()) : Number.NaN;
  if (Number.isNaN(price))
    issues.push(`price: Must be a number from 0 to 99999999.99 with at most two decimals`);
  if (issues.length) return fail(issues.join("; "));
  const key = sku!.toLowerCase();
  const first = seen.get(key);
  if (first !== undefined) return fail(`Duplicate sku; it is also on row ${first}`);
  seen.set(key, record.line);
  return {
    ok: true,
    row: { row: record.line, item: { sku: sku!, name: name!, description, category: category!, price } },
  };
}
