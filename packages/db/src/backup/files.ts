import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { BackupError } from "./errors";

export const BACKUP_PREFIX = "inventory_backup_";
const NAME = /^inventory_backup_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.sql\.gz$/;
/** A backup the scheduler's verification rejected: kept for inspection, never counted as good. */
export const FAILED_SUFFIX = ".failed";

const pad = (n: number) => String(n).padStart(2, "0");

/** `inventory_backup_YYYYMMDD_HHMMSS.sql.gz`, in UTC. */
export function backupFileName(at: Date): string {
  return (
    `${BACKUP_PREFIX}${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}_` +
    `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}.sql.gz`
  );
}

/** The UTC time in a backup's name, or null if the name is not a backup's. */
export function parseBackupFileName(name: string): Date | null {
  const m = NAME.exec(basename(name));
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? null : date;
}

export const checksumPath = (file: string) => `${file}.sha256`;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Written in `sha256sum` format, so `sha256sum -c FILE.sha256` works beside the tool. */
export async function writeChecksum(file: string, hex: string): Promise<void> {
  await writeAtomically(checksumPath(file), `${hex}  ${basename(file)}\n`);
}

export async function readChecksum(file: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(checksumPath(file), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const hex = /^([0-9a-f]{64})\b/i.exec(text.trim())?.[1];
  return hex ? hex.toLowerCase() : "";
}

export type ChecksumStatus = "ok" | "mismatch" | "missing";

export async function checksumStatus(file: string): Promise<{ status: ChecksumStatus; actual: string }> {
  const [expected, actual] = await Promise.all([readChecksum(file), sha256File(file)]);
  if (expected === null) return { status: "missing", actual };
  return { status: expected === actual ? "ok" : "mismatch", actual };
}

/** Throws unless FILE exists and matches its .sha256. */
export async function assertChecksum(file: string): Promise<string> {
  await assertExists(file);
  const { status, actual } = await checksumStatus(file);
  if (status === "missing")
    throw new BackupError(
      "CHECKSUM_MISSING",
      `${basename(file)} has no ${basename(checksumPath(file))} beside it`,
      "A backup without its checksum cannot be trusted. If you know where it came from, pass --skip-checksum.",
    );
  if (status === "mismatch")
    throw new BackupError(
      "CHECKSUM_MISMATCH",
      `${basename(file)} does not match its checksum (sha256 is ${actual.slice(0, 12)}…): the file is damaged or was changed`,
      "Use another backup (stockroom db backups lists them with their checksum status).",
    );
  return actual;
}

export async function assertExists(file: string): Promise<void> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error("not a file");
  } catch {
    throw new BackupError(
      "FILE_NOT_FOUND",
      `No backup file at ${resolve(file)}`,
      `List the backups with: stockroom db backups --dir ${dirname(file)} (in a checkout: pnpm stockroom …)`,
    );
  }
}

/** Write to a temporary name in the same directory, fsync, then rename: readers never see half a file. */
export async function writeAtomically(file: string, content: string | Buffer): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  await writeFile(tmp, content);
  await fsyncPath(tmp);
  await rename(tmp, file);
  await fsyncPath(dirname(file));
}

export async function fsyncPath(path: string): Promise<void> {
  try {
    const handle = await open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

export interface BackupEntry {
  name: string;
  path: string;
  /** The UTC time in the name. */
  createdAt: Date;
  size: number;
  ageMs: number;
  checksum: ChecksumStatus;
  /** Renamed with .failed after its verification failed. */
  failedVerification: boolean;
}

/** Backups in DIR, newest first. Checksums are recomputed, so this reads every file. */
export async function listBackups(
  dir: string,
  options: { now?: Date; checksums?: boolean } = {},
): Promise<BackupEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const now = (options.now ?? new Date()).getTime();
  const entries: BackupEntry[] = [];
  for (const name of names) {
    const failed = name.endsWith(FAILED_SUFFIX);
    const createdAt = parseBackupFileName(failed ? name.slice(0, -FAILED_SUFFIX.length) : name);
    if (!createdAt) continue;
    const path = join(dir, name);
    const info = await stat(path);
    if (!info.isFile()) continue;
    const checksum = options.checksums === false ? "missing" : (await checksumStatus(path)).status;
    entries.push({
      name,
      path,
      createdAt,
      size: info.size,
      ageMs: Math.max(0, now - createdAt.getTime()),
      checksum,
      failedVerification: failed,
    });
  }
  return entries.sort(
    (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.failedVerification ? 1 : -1),
  );
}

export const isGood = (entry: BackupEntry) => entry.checksum === "ok" && !entry.failedVerification;

/** Deletes a backup and its checksum. */
export async function removeBackup(path: string): Promise<void> {
  await unlink(path);
  await unlink(checksumPath(path)).catch(() => {});
}

/** Moves a backup (and its checksum) aside as `.failed`. */
export async function markFailed(path: string): Promise<string> {
  const to = `${path}${FAILED_SUFFIX}`;
  await rename(path, to);
  await rename(checksumPath(path), checksumPath(to)).catch(() => {});
  return to;
}
