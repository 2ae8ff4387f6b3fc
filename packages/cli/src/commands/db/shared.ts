/**
 * What the db commands share: which database they act on, backup-dir args, turning
 * library errors into exit codes, and human formatting of sizes and ages.
 */
import { BackupError, type DatabaseTarget, describeTarget, targetFromEnv } from "@stockroom/db/backup";
import type { ArgsDef } from "citty";
import { CliFailure, UsageError } from "../../lib/exit";

export const dirArg = {
  dir: {
    type: "string",
    description: "Backup directory (default ./backups)",
    valueHint: "path",
    default: "./backups",
  },
} as const satisfies ArgsDef;

/** The database the server would use: DATABASE_URL, else the PGlite data dir. */
export function databaseFromEnv(): DatabaseTarget {
  return targetFromEnv(process.env);
}

export const describe = describeTarget;

/** True for @stockroom/db's DataDirInUseError: another process has the PGlite data directory open. */
export const isDataDirInUse = (err: unknown): err is Error & { code: "DATA_DIR_IN_USE" } =>
  err instanceof Error && (err as { code?: unknown }).code === "DATA_DIR_IN_USE";

/**
 * BackupError → exit 2 for the caller's mistakes, exit 1 for failures, with its advice as the
 * hint. A data directory in use → exit 1, saying how to get at it.
 */
export function cliError(err: unknown): unknown {
  if (isDataDirInUse(err))
    return new CliFailure("DATA_DIR_IN_USE", err.message, {
      hint: "Stop the server (Ctrl-C in its terminal), run this command, then start it again. On PostgreSQL (DATABASE_URL) the db commands run while the server serves.",
    });
  if (!(err instanceof BackupError)) return err;
  if (err.code === "BAD_OPTION" || err.code === "FILE_NOT_FOUND")
    return new UsageError(err.message, err.advice);
  return new CliFailure(err.code, err.message, { hint: err.advice });
}

export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw cliError(err);
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.round(h / 24)}d`;
}

export const formatMs = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export const totalRows = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
