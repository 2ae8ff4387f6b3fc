/**
 * Shared argument definitions (citty ArgsDef) and parsers, so every command spells its
 * options the same way.
 *
 *   connectionArgs   --url, --api-key   (else STOCKROOM_URL / STOCKROOM_API_KEY; see client.ts)
 *   jsonArg          --json             print only JSON on stdout
 *   commonArgs       connectionArgs + jsonArg (every API command takes these)
 *   pagingArgs       --limit, --offset
 *   productArg       <product> positional: a product id or sku
 *   storeArg         <store> positional: a store id
 *   reservationArg   <id> positional: a reservation id
 *   shipmentArg      <id> positional: a shipment id
 *   linesArg(text)   --line <product>=<qty>, repeatable, commas allowed (see parseLines)
 *   parseIntArg(value, "--qty", { min, max })   whole number or UsageError; undefined stays undefined
 *   parseNumberArg(value, "--price", { min })   number or UsageError
 *   parseTimeArg(value, "--since")              ISO timestamp from ISO text, a date, or "15m"/"24h"/"7d" ago
 *   parseChoiceArg(value, "--status", CHOICES)  one of CHOICES or UsageError; undefined stays undefined
 *   repeatedOption(rawArgs, "line")             every value of an option given more than once
 *                                               (citty keeps only the last)
 *   parseLines(values, "--line")                ["HAM-16=2,WIRE=1", "X=3"] → [{ product, quantity }]
 *   parseLinesWith(values, "--line", parse, { name, example })
 *                                               the same split, each right-hand side through
 *                                               parse(text, label) (e.g. "5/1" → accepted, rejected)
 */
import { parseArgs } from "node:util";
import type { ArgsDef } from "citty";
import { UsageError } from "./exit";

export const connectionArgs = {
  url: {
    type: "string",
    description: "Server URL (default: $STOCKROOM_URL, else http://localhost:8000)",
    valueHint: "url",
  },
  "api-key": { type: "string", description: "API key (default: $STOCKROOM_API_KEY)", valueHint: "key" },
} as const satisfies ArgsDef;

export const jsonArg = {
  json: { type: "boolean", description: "Print only JSON on stdout" },
} as const satisfies ArgsDef;

export const commonArgs = { ...connectionArgs, ...jsonArg } as const satisfies ArgsDef;

export const pagingArgs = {
  limit: { type: "string", description: "Rows per page, 1..100 (default 20)", valueHint: "n" },
  offset: { type: "string", description: "Rows to skip (default 0)", valueHint: "n" },
} as const satisfies ArgsDef;

export const productArg = {
  product: { type: "positional", description: "Product id or sku", required: true },
} as const satisfies ArgsDef;

export const storeArg = {
  store: { type: "positional", description: "Store id, e.g. store1", required: true },
} as const satisfies ArgsDef;

export const reservationArg = {
  id: {
    type: "positional",
    description: "Reservation id (see `stockroom reservations list`)",
    required: true,
  },
} as const satisfies ArgsDef;

export const shipmentArg = {
  id: {
    type: "positional",
    description: "Shipment id (see `stockroom shipments list`)",
    required: true,
  },
} as const satisfies ArgsDef;

export const linesArg = (
  what: string,
  form = "qty",
  example = "--line HAM-16=2 --line WIRE=1, or --line HAM-16=2,WIRE=1",
) =>
  ({
    line: {
      type: "string",
      description: `${what}, as <product>=<${form}> (product id or sku). Repeat the option or separate with commas: ${example}`,
      valueHint: `product=${form}`,
    },
  }) as const satisfies ArgsDef;

interface Range {
  min?: number;
  max?: number;
}

function checkRange(n: number, name: string, range: Range): number {
  if (range.min !== undefined && n < range.min)
    throw new UsageError(`${name} must be at least ${range.min}, got ${n}`);
  if (range.max !== undefined && n > range.max)
    throw new UsageError(`${name} must be at most ${range.max}, got ${n}`);
  return n;
}

/** citty hands string options over as strings ("" when given without a value). */
export function parseIntArg(value: unknown, name: string, range: Range = {}): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (!/^[+-]?\d+$/.test(text))
    throw new UsageError(`${name} must be a whole number, got '${String(value)}'`);
  return checkRange(Number(text), name, range);
}

export function parseNumberArg(value: unknown, name: string, range: Range = {}): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text))
    throw new UsageError(`${name} must be a number, got '${String(value)}'`);
  return checkRange(Number(text), name, range);
}

export function parseChoiceArg<const C extends string>(
  value: string | undefined,
  name: string,
  choices: readonly C[],
): C | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`${name} must be one of ${choices.join(", ")}, got '${value}'`);
  return value as C;
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`${name} is required`);
  return value;
}

const RELATIVE = /^(\d+)\s*(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

export function parseTimeArg(value: unknown, name: string, now = Date.now()): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  const rel = RELATIVE.exec(text);
  if (rel) return new Date(now - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!).toISOString();
  // A bare date means its start, in UTC.
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms))
    throw new UsageError(
      `${name} must be a time: an ISO timestamp (2026-01-05T10:00:00Z), a date (2026-01-05) or an age (15m, 24h, 7d), got '${text}'`,
    );
  return new Date(ms).toISOString();
}

export function pagingFrom(args: { limit?: unknown; offset?: unknown }) {
  return {
    limit: parseIntArg(args.limit, "--limit", { min: 1, max: 100 }),
    offset: parseIntArg(args.offset, "--offset", { min: 0 }),
  };
}

/** Every value of `--<name> v` / `--<name>=v` in order, up to a bare `--`. */
export function repeatedOption(rawArgs: readonly string[], name: string): string[] {
  const { values } = parseArgs({
    args: [...rawArgs],
    options: { [name]: { type: "string", multiple: true } },
    strict: false,
    allowPositionals: true,
  });
  const found = values[name];
  return Array.isArray(found) ? found.map((v) => (typeof v === "string" ? v : "")) : [];
}

export interface LineArg {
  /** A product id or sku, as typed. */
  product: string;
  quantity: number;
}

/**
 * `HAM-16=<value>`, `<uuid>=<value>`, comma-separated and/or one per value; skus hold neither
 * `=` nor `,`. Each value goes through `parse(text, label)`, label naming the line for errors.
 */
export function parseLinesWith<T>(
  values: readonly string[],
  name: string,
  parse: (text: string, label: string) => T,
  form: { name: string; example: string } = { name: "qty", example: "2" },
): Array<{ product: string } & T> {
  const lines: Array<{ product: string } & T> = [];
  for (const value of values)
    for (const part of value.split(",")) {
      const text = part.trim();
      const match = /^([^=\s]+)\s*=\s*(\S+)$/.exec(text);
      if (!match)
        throw new UsageError(
          `${name} takes <product>=<${form.name}>, e.g. ${name} HAM-16=${form.example}; got '${text}'`,
          `Repeat ${name} for more products, or separate them with commas.`,
        );
      lines.push({ product: match[1]!, ...parse(match[2]!, `${name} ${match[1]}`) });
    }
  if (lines.length > 100) throw new UsageError(`${name}: at most 100 lines, got ${lines.length}`);
  return lines;
}

/** `HAM-16=2`: a product and a quantity of 1..1000000. */
export const parseLines = (values: readonly string[], name: string): LineArg[] =>
  parseLinesWith(values, name, (text, label) => ({
    quantity: parseIntArg(text, label, { min: 1, max: 1_000_000 })!,
  }));
