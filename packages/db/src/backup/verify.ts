import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { migrationsFolder } from "../client";
import { checkInvariants, type InvariantReport, invariantProblems, type QueryFn } from "../invariants";
import { openPglite } from "../pglite-open";
import { BackupError } from "./errors";
import { assertExists, type ChecksumStatus, checksumStatus } from "./files";
import { assertCompleteDump, type BackupHeader, readHeader } from "./header";
import { restoreIntoPglite, restorePostgres } from "./restore";
import { redactUrl, withDatabase } from "./target";

/** Where verify restores: a scratch database on a PostgreSQL server, or an in-memory PGlite. */
export type ScratchTarget = { kind: "postgres"; url: string } | { kind: "pglite" };

export interface VerifyOptions {
  file: string;
  /** Default: a scratch database on the server of DATABASE_URL, else in-memory PGlite. */
  scratch?: ScratchTarget;
  env?: Record<string, string | undefined>;
}

export interface VerifyReport {
  file: string;
  ok: boolean;
  /** Every problem found; empty when ok. */
  problems: string[];
  checksum: ChecksumStatus;
  header: BackupHeader | null;
  restoredInto: "postgres" | "pglite";
  /** False when the file was rejected before a restore was attempted, or the restore failed. */
  restored: boolean;
  rowCounts: Record<string, number>;
  migrationsInDump: number;
  migrationsApplied: number;
  /** Every invariant of the ledger, levels, totals and counters, checked on the restored copy. */
  audit: InvariantReport | null;
  durationMs: number;
}

export function scratchFromEnv(env: Record<string, string | undefined> = process.env): ScratchTarget {
  const url = env.DATABASE_URL?.trim();
  return url ? { kind: "postgres", url } : { kind: "pglite" };
}

/**
 * Proves a backup can be used: checksum, a full restore into a scratch database that is
 * dropped afterwards, row counts against those recorded at dump time, migrations forward,
 * and the ledger audit (every level = sum of its movements). Never throws for a bad
 * backup: the report says what is wrong.
 */
export async function verifyBackup(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  await assertExists(options.file);
  const scratch = options.scratch ?? scratchFromEnv(options.env ?? process.env);
  const report: VerifyReport = {
    file: options.file,
    ok: false,
    problems: [],
    checksum: "missing",
    header: null,
    restoredInto: scratch.kind,
    restored: false,
    rowCounts: {},
    migrationsInDump: 0,
    migrationsApplied: 0,
    audit: null,
    durationMs: 0,
  };
  const finish = () => {
    report.ok = report.problems.length === 0;
    report.durationMs = Math.round(performance.now() - started);
    return report;
  };

  report.checksum = (await checksumStatus(options.file)).status;
  if (report.checksum === "mismatch") report.problems.push("checksum does not match the .sha256 file");
  if (report.checksum === "missing") report.problems.push("no .sha256 checksum file beside the backup");
  try {
    await assertCompleteDump(options.file);
    report.header = await readHeader(options.file);
  } catch (err) {
    report.problems.push((err as Error).message);
    return finish();
  }
  if (!report.header) report.problems.push("no stockroom-backup header: row counts cannot be checked");

  try {
    const audit = async (query: QueryFn) => {
      report.audit = await checkInvariants(query).catch((err: Error) => {
        throw new BackupError(
          "VERIFY_FAILED",
          `ledger audit could not run (is this a Stockroom database?): ${err.message}`,
        );
      });
    };
    const outcome =
      scratch.kind === "postgres"
        ? await withScratchPostgres(scratch.url, async (url, query) => {
            const o = await restorePostgres(url, options.file, {
              migrate: true,
              env: options.env,
            });
            await audit(query);
            return o;
          })
        : await withScratchPglite(async (db) => {
            const o = await restoreIntoPglite(db, "scratch PGlite", options.file, report.header, {
              migrate: true,
            });
            await audit(async (sql) => (await db.query(sql)).rows as never[]);
            return o;
          });
    report.restored = true;
    report.rowCounts = outcome.rowCounts;
    report.migrationsInDump = outcome.migrationsInDump;
    report.migrationsApplied = outcome.migrationsApplied;
  } catch (err) {
    report.problems.push((err as Error).message);
    return finish();
  }

  if (report.header) {
    for (const [table, expected] of Object.entries(report.header.rowCounts)) {
      const actual = report.rowCounts[table];
      if (actual === undefined) report.problems.push(`table ${table} is missing after the restore`);
      else if (actual !== expected)
        report.problems.push(`table ${table} has ${actual} rows after the restore, ${expected} when dumped`);
    }
    if (report.migrationsInDump !== report.header.migrations)
      report.problems.push(
        `the dump recorded ${report.header.migrations} migrations, ${report.migrationsInDump} came back`,
      );
  }
  if (report.audit) report.problems.push(...invariantProblems(report.audit));
  return finish();
}

async function withScratchPostgres<T>(
  serverUrl: string,
  fn: (url: string, query: QueryFn) => Promise<T>,
): Promise<T> {
  const name = `stockroom_verify_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  let connected: pg.Client | undefined;
  try {
    connected = await connectToServer(serverUrl);
    await connected.query(`create database ${name}`);
  } catch (err) {
    await connected?.end().catch(() => {});
    throw new BackupError(
      "VERIFY_FAILED",
      `Cannot create a scratch database on ${redactUrl(serverUrl)}: ${(err as Error).message}`,
      "verify needs a role allowed to CREATE DATABASE on that server.",
    );
  }
  const admin = connected;
  const url = withDatabase(serverUrl, name);
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  try {
    await client.connect();
    return await fn(url, async (sql) => (await client.query(sql)).rows);
  } finally {
    await client.end().catch(() => {});
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

/**
 * Any database on the server will do for CREATE DATABASE: the one in the URL, else the
 * maintenance databases (the URL's may be the very database being recovered).
 */
async function connectToServer(serverUrl: string): Promise<pg.Client> {
  let lastError: unknown;
  for (const url of [serverUrl, withDatabase(serverUrl, "postgres"), withDatabase(serverUrl, "template1")]) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on("error", () => {});
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => {});
      lastError = err;
      // Only a missing database is worth another try; a refused connection or bad password is not.
      if ((err as { code?: string }).code !== "3D000") break;
    }
  }
  throw lastError;
}

async function withScratchPglite<T>(fn: (db: PGlite) => Promise<T>): Promise<T> {
  const db = await openPglite("memory://", { template: "empty", migrationsFolder, purpose: "backup verify" });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export const verdict = (report: VerifyReport) =>
  report.ok
    ? `OK: ${basename(report.file)} restores cleanly (${Object.values(report.rowCounts).reduce((a, b) => a + b, 0)} rows, ledger balanced)`
    : `FAILED: ${basename(report.file)}: ${report.problems.length} problem(s)`;
