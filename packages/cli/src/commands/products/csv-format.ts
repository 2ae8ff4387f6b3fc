import type { RouterInputs } from "@stockroom/sdk";
import { CsvError, type CsvRow, parseCsv, toCsvLine } from "../../lib/csv";
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

export const csvHeader = () => toCsvLine(CSV_COLUMNS);
export const productToCsv = (p: Product) =>
  toCsvLine([p.sku, p.name, p.description, p.category, p.price.toFixed(2)]);

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

/** Parses and checks the whole file; rows that fail are reported, not thrown. */
export function readProductCsv(text: string): { rows: ParsedRow[]; failures: RowFailure[]; total: number } {
  let records: CsvRow[];
  try {
    records = parseCsv(text).rows;
  } catch (err) {
    if (err instanceof CsvError) throw new UsageError(`The file is not valid CSV: ${err.message}`);
    throw err;
  }
  const [head, ...data] = records;
  if (!head)
    throw new UsageError("The file is empty: it needs a header row (sku,name,description,category,price)");
  const names = head.fields.map((f) => (f ?? "").trim().toLowerCase());
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(n))
      throw new UsageError(`Unknown column '${n}' in the header; the columns are ${CSV_COLUMNS.join(",")}`);
    if (index.has(n)) throw new UsageError(`Column '${n}' appears twice in the header`);
    index.set(n, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length) throw new UsageError(`The header lacks column(s) ${missing.join(", ")}`);

  const rows: ParsedRow[] = [];
  const failures: RowFailure[] = [];
  const seen = new Map<string, number>();
  for (const record of data) {
    const get = (c: string) => (index.has(c) ? (record.fields[index.get(c)!] ?? null) : null);
    const sku = get("sku");
    const fail = (detail: string) =>
      failures.push({ row: record.line, sku, code: "VALIDATION_FAILED", detail });
    if (record.fields.length !== names.length) {
      fail(`Expected ${names.length} fields, found ${record.fields.length}`);
      continue;
    }
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
    if (issues.length) {
      fail(issues.join("; "));
      continue;
    }
    const key = sku!.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      fail(`Duplicate sku; it is also on row ${first}`);
      continue;
    }
    seen.set(key, record.line);
    rows.push({
      row: record.line,
      item: { sku: sku!, name: name!, description, category: category!, price },
    });
  }
  return { rows, failures, total: data.length };
}
