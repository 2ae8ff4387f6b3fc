/**
 * RFC 4180 CSV, with one extension so export → import round-trips exactly: an empty
 * unquoted field is null, an empty quoted field ("") is the empty string.
 *
 *   parseCsv(text)          → { rows: CsvRow[] }  each row: { line, fields: (string | null)[] }
 *                             (`line` is the 1-based line the record starts on; a BOM, CRLF and
 *                             quoted newlines are handled; a trailing empty line is ignored)
 *   CsvError                thrown for an unterminated quote, with the line number
 *   toCsvField(value)       one field: null/undefined → empty; quoted when it has , " CR LF,
 *                           leading/trailing spaces, or is the empty string
 *   toCsvLine(values)       fields joined with commas, ending in "\n"
 */
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

export function parseCsv(input: string): { rows: CsvRow[] } {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const rows: CsvRow[] = [];
  let fields: (string | null)[] = [];
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const n = text.length;

  const endRow = () => {
    // A blank line (one empty unquoted field) is not a record.
    if (!(fields.length === 1 && fields[0] === null)) rows.push({ line: rowLine, fields });
    fields = [];
  };

  while (i < n) {
    rowLine = line;
    // One record.
    for (;;) {
      let value: string | null;
      if (text[i] === '"') {
        i++;
        const start = line;
        let buf = "";
        for (;;) {
          if (i >= n) throw new CsvError(`Unterminated quoted field starting on line ${start}`, start);
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              buf += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n") line++;
          buf += ch;
          i++;
        }
        value = buf;
        // Anything between the closing quote and the separator is kept, as most parsers do.
        let tail = "";
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") tail += text[i++];
        if (tail) value += tail;
      } else {
        let j = i;
        while (j < n && text[j] !== "," && text[j] !== "\n" && text[j] !== "\r") j++;
        value = j === i ? null : text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (i < n && text[i] === ",") {
        i++;
        if (i >= n) {
          fields.push(null);
          break;
        }
        continue;
      }
      break;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") {
      i++;
      line++;
    }
    endRow();
  }
  return { rows };
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function toCsvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  if (s === "" || NEEDS_QUOTES.test(s)) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

export function toCsvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(toCsvField).join(",")}\n`;
}
