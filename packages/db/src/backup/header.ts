import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { BackupError } from "./errors";

/**
 * The first line of every backup: a SQL comment (psql and PGlite skip it) that records
 * what the dump should contain. Row counts are taken in the same snapshot as the dump,
 * so verify can prove that a restore brought back every row.
 */
export interface BackupHeader {
  format: 1;
  createdAt: string;
  source: "postgres" | "pglite";
  serverVersion: string;
  /** Rows in drizzle.__drizzle_migrations when the dump was taken. */
  migrations: number;
  /** "schema.table" → rows, for every user table. */
  rowCounts: Record<string, number>;
}

const MARK = "-- stockroom-backup: ";

export const headerLine = (header: BackupHeader) => `${MARK}${JSON.stringify(header)}\n`;

export function parseHeaderLine(line: string): BackupHeader | null {
  if (!line.startsWith(MARK)) return null;
  try {
    const parsed = JSON.parse(line.slice(MARK.length)) as BackupHeader;
    return parsed && parsed.format === 1 ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Reads the header without decompressing the whole file. A file that is not gzip at all
 * is NOT_A_BACKUP; a gzip file without our header gives null (a foreign plain dump).
 */
export async function readHeader(file: string): Promise<BackupHeader | null> {
  const gunzip = createGunzip();
  const stream = createReadStream(file, { start: 0, end: 256 * 1024 }).pipe(gunzip);
  let text = "";
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString("utf8");
      if (text.includes("\n") || text.length > 256 * 1024) break;
    }
  } catch (err) {
    // A truncated range is fine (we only read the start); anything else is not gzip.
    if ((err as NodeJS.ErrnoException).code !== "Z_BUF_ERROR")
      throw new BackupError(
        "NOT_A_BACKUP",
        `${file} is not a gzip-compressed SQL dump (${(err as Error).message})`,
      );
  } finally {
    stream.destroy();
  }
  return parseHeaderLine(text.split("\n", 1)[0] ?? "");
}

const TRAILER = /PostgreSQL database dump complete/;

/**
 * Decompresses the whole file once: a damaged gzip stream (CRC, truncation) or a dump
 * without pg_dump's closing line is NOT_A_BACKUP, before anything touches a database.
 */
export async function assertCompleteDump(file: string): Promise<void> {
  let tail = "";
  try {
    for await (const chunk of createReadStream(file).pipe(createGunzip())) {
      tail = (tail + (chunk as Buffer).toString("utf8")).slice(-4096);
    }
  } catch (err) {
    throw new BackupError("NOT_A_BACKUP", `${file} is not a complete gzip file (${(err as Error).message})`);
  }
  if (!TRAILER.test(tail))
    throw new BackupError(
      "NOT_A_BACKUP",
      `${file} does not end like a complete pg_dump script: it is truncated`,
    );
}

export const isCompleteDumpText = (text: string) => TRAILER.test(text.slice(-4096));
