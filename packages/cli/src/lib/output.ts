/**
 * Everything the CLI prints goes through here, so `--json` and NO_COLOR hold everywhere.
 *
 *   createOutput({ json })        → Output
 *   out.json(value)               one JSON document on stdout (the only stdout write in --json mode)
 *   out.table(rows, columns)      aligned table on stdout for people; no-op in --json mode
 *   out.record(obj, fields?)      "key: value" lines on stdout for people; no-op in --json mode
 *   out.line(text)                a line on stdout for people; no-op in --json mode
 *   out.note(text)                a dim line on stderr (progress notes, counts); always
 *   out.warn(text)                "warning: …" on stderr; always
 *   out.result(value, human)      --json: json(value); else calls human()
 *   colors(stream)                { bold, dim, red, yellow, green, cyan, enabled } for a stream:
 *                                 on only for a TTY, off with NO_COLOR (any value) or TERM=dumb,
 *                                 forced on with FORCE_COLOR (not "0")
 *   Column<T>                     { header, value: (row) => unknown, align?: "left" | "right" }
 */
import type { Writable } from "node:stream";

export interface Colors {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

export function colors(stream: { isTTY?: boolean } = process.stdout): Colors {
  const enabled = colorEnabled(stream);
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;
export const stripAnsi = (s: string) => s.replace(ANSI, "");

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  align?: "left" | "right";
}

export interface Output {
  readonly jsonMode: boolean;
  json(value: unknown): void;
  table<T>(rows: readonly T[], columns: readonly Column<T>[]): void;
  record(obj: Record<string, unknown>, fields?: readonly string[]): void;
  line(text?: string): void;
  note(text: string): void;
  warn(text: string): void;
  result(value: unknown, human: () => void): void;
}

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, " ");
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], c: Colors): string {
  const cells = rows.map((row) => columns.map((col) => formatCell(col.value(row))));
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) =>
    columns[i]!.align === "right" ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const header = columns.map((col, i) => c.bold(pad(col.header.toUpperCase(), i))).join("  ");
  const body = cells.map((r) => r.map(pad).join("  ").trimEnd());
  return [header.trimEnd(), ...body].join("\n");
}

export function createOutput(
  options: { json?: boolean },
  streams: { stdout: Writable & { isTTY?: boolean }; stderr: Writable & { isTTY?: boolean } } = process,
): Output {
  const jsonMode = options.json === true;
  const out = colors(streams.stdout);
  const err = colors(streams.stderr);
  const write = (text: string) => streams.stdout.write(`${text}\n`);
  const self: Output = {
    jsonMode,
    json: (value) => write(JSON.stringify(value === undefined ? null : value, null, 2)),
    table(rows, columns) {
      if (jsonMode) return;
      if (rows.length === 0) {
        self.note("(none)");
        return;
      }
      write(renderTable(rows, columns, out));
    },
    record(obj, fields = Object.keys(obj)) {
      if (jsonMode) return;
      const width = Math.max(...fields.map((f) => f.length));
      for (const f of fields) write(`${out.bold(`${f}:`.padEnd(width + 1))} ${formatCell(obj[f])}`);
    },
    line(text = "") {
      if (!jsonMode) write(text);
    },
    note: (text) => streams.stderr.write(`${err.dim(text)}\n`),
    warn: (text) => streams.stderr.write(`${err.yellow("warning")} ${text}\n`),
    result(value, human) {
      if (jsonMode) self.json(value);
      else human();
    },
  };
  return self;
}
