import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, gunzipSync } from "node:zlib";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { createDatabase, migrationsFolder } from "../client";
import { openPglite } from "../pglite-open";
import { BackupError } from "./errors";
import { assertChecksum, assertExists } from "./files";
import { assertCompleteDump, type BackupHeader, isCompleteDumpText, readHeader } from "./header";
import { existingObjects, migrationCount, type QueryFn, rowCounts, serverVersion, wipeSql } from "./inspect";
import { type DatabaseTarget, describeTarget, libpqConnection, withDatabase } from "./target";
import { firstLines, startTool } from "./tools";

export interface RestoreOptions {
  file: string;
  into: DatabaseTarget;
  /** Replace whatever the target holds. Without it a non-empty target is refused. */
  force?: boolean;
  /** Restore even without a matching .sha256 (a dump from elsewhere). */
  skipChecksum?: boolean;
  /** Run the code's migrations after the restore (default true). */
  migrate?: boolean;
  env?: Record<string, string | undefined>;
}

export interface RestoreResult {
  file: string;
  target: string;
  header: BackupHeader | null;
  /** True when --force emptied a non-empty target first. */
  replaced: boolean;
  /** Rows per table right after the restore, before migrations ran. */
  rowCounts: Record<string, number>;
  migrationsInDump: number;
  /** Migrations the code had that the dump did not, applied after the restore. */
  migrationsApplied: number;
  durationMs: number;
}

/**
 * Restores FILE into a database: checks the checksum, refuses a non-empty target unless
 * force, restores in one transaction, then runs the code's migrations forward.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  await assertExists(options.file);
  if (!options.skipChecksum) await assertChecksum(options.file);
  await assertCompleteDump(options.file);
  const header = await readHeader(options.file);
  const migrate = options.migrate ?? true;
  const result =
    options.into.kind === "postgres"
      ? await restorePostgres(options.into.url, options.file, { ...options, migrate })
      : await restorePgliteDir(options.into.dataDir, options.file, header, { ...options, migrate });
  return {
    file: options.file,
    target: describeTarget(options.into),
    header,
    ...result,
    durationMs: Math.round(performance.now() - started),
  };
}

type Outcome = Pick<RestoreResult, "replaced" | "rowCounts" | "migrationsInDump" | "migrationsApplied">;
interface Flags {
  force?: boolean;
  migrate: boolean;
  env?: Record<string, string | undefined>;
}

function refuseNonEmpty(target: string, found: { schemas: string[]; objects: string[] }): never {
  const sample = found.objects.slice(0, 5).join(", ") || found.schemas.join(", ");
  throw new BackupError(
    "TARGET_NOT_EMPTY",
    `${target} is not empty (${found.objects.length} objects, e.g. ${sample})`,
    "Restore into a new database, or pass --force to replace everything in it.",
  );
}

const isNonEmpty = (found: { schemas: string[]; objects: string[] }) =>
  found.objects.length > 0 || found.schemas.some((s) => s !== "public");

/** Connects to URL, creating the database first if it does not exist yet. */
async function connectOrCreate(url: string): Promise<pg.Client> {
  const connect = async (u: string) => {
    const client = new pg.Client({ connectionString: u, connectionTimeoutMillis: 10_000 });
    client.on("error", () => {});
    await client.connect();
    return client;
  };
  try {
    return await connect(url);
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000")
      throw new BackupError(
        "RESTORE_FAILED",
        `Cannot connect to ${describeTarget({ kind: "postgres", url })}: ${(err as Error).message}`,
      );
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = await connect(withDatabase(url, "postgres")).catch(() =>
    connect(withDatabase(url, "template1")),
  );
  try {
    await admin.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end().catch(() => {});
  }
  return connect(url);
}

export async function restorePostgres(url: string, file: string, flags: Flags): Promise<Outcome> {
  const target = describeTarget({ kind: "postgres", url });
  const client = await connectOrCreate(url);
  const query: QueryFn = async (sql) => (await client.query(sql)).rows;
  let replaced = false;
  try {
    const found = await existingObjects(query);
    let preamble = "";
    if (isNonEmpty(found)) {
      if (!flags.force) refuseNonEmpty(target, found);
      preamble = wipeSql(found.schemas);
      replaced = true;
    }
    const version = await serverVersion(query);
    const conn = libpqConnection(url);
    // BEGIN/COMMIT of our own rather than --single-transaction: if the input stops early,
    // psql reaches EOF without COMMIT and the server rolls everything back.
    const tool = await startTool(
      "psql",
      ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--dbname", conn.dbname],
      conn.env,
      flags.env,
    );
    tool.child.stdout.resume();
    const feeding = pipeline(async function* () {
      yield Buffer.from(`BEGIN;\n${preamble}`);
      yield* adaptForServer(createReadStream(file).pipe(createGunzip()), version.num);
      yield Buffer.from("\nCOMMIT;\n");
    }, tool.child.stdin);
    feeding.catch(() => tool.child.kill("SIGKILL"));
    const [fed, exit] = await Promise.allSettled([feeding, tool.exit]);
    const fedErr = fed.status === "rejected" ? (fed.reason as NodeJS.ErrnoException) : null;
    if (fedErr?.code?.startsWith("Z_"))
      throw new BackupError(
        "NOT_A_BACKUP",
        `${basename(file)} is not a complete gzip file: ${fedErr.message}`,
      );
    if (exit.status === "fulfilled" && exit.value.code !== 0)
      throw new BackupError(
        "RESTORE_FAILED",
        `Restoring ${basename(file)} into ${target} failed; nothing was changed (one transaction): ${firstLines(exit.value.stderr)}`,
      );
    if (fedErr) throw fedErr;
    const counts = await rowCounts(query);
    const inDump = await migrationCount(query);
    let applied = 0;
    if (flags.migrate) {
      const database = await createDatabase({ url, poolSize: 1 });
      try {
        await database.migrate();
      } finally {
        await database.close();
      }
      applied = (await migrationCount(query)) - inDump;
    }
    return { replaced, rowCounts: counts, migrationsInDump: inDump, migrationsApplied: applied };
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * PGlite 0.5 is PostgreSQL 18 and its pg_dump writes `SET transaction_timeout`, which
 * servers before 17 reject: drop that line (only in the preamble) for older servers.
 */
async function* adaptForServer(source: AsyncIterable<Buffer | string>, serverVersionNum: number) {
  if (serverVersionNum >= 170000) {
    for await (const chunk of source) yield chunk;
    return;
  }
  let head = "";
  let passthrough = false;
  for await (const chunk of source) {
    if (passthrough) {
      yield chunk;
      continue;
    }
    head += chunk.toString();
    if (head.length >= 16 * 1024) {
      passthrough = true;
      yield Buffer.from(head.replace(/^SET transaction_timeout = 0;$/m, ""));
    }
  }
  if (!passthrough) yield Buffer.from(head.replace(/^SET transaction_timeout = 0;$/m, ""));
}

async function restorePgliteDir(
  dataDir: string,
  file: string,
  header: BackupHeader | null,
  flags: Flags,
): Promise<Outcome> {
  const db = await openPglite(dataDir, {
    template: "empty",
    migrationsFolder,
    purpose: "stockroom db restore",
  });
  try {
    return await restoreIntoPglite(db, describeTarget({ kind: "pglite", dataDir }), file, header, flags);
  } finally {
    await db.close();
  }
}

export async function restoreIntoPglite(
  db: PGlite,
  target: string,
  file: string,
  header: BackupHeader | null,
  flags: Flags,
): Promise<Outcome> {
  const query: QueryFn = async (sql) => (await db.query(sql)).rows as never[];
  let text: string;
  try {
    text = gunzipSync(await readFile(file)).toString("utf8");
  } catch (err) {
    throw new BackupError(
      "NOT_A_BACKUP",
      `${basename(file)} is not a complete gzip file: ${(err as Error).message}`,
    );
  }
  if (!isCompleteDumpText(text))
    throw new BackupError(
      "NOT_A_BACKUP",
      `${basename(file)} does not end like a complete pg_dump script: it is truncated`,
    );
  const found = await existingObjects(query);
  let replaced = false;
  await db.exec("begin");
  try {
    if (isNonEmpty(found)) {
      if (!flags.force) refuseNonEmpty(target, found);
      await db.exec(wipeSql(found.schemas));
      replaced = true;
    }
    // pgDump (PGlite) writes INSERTs; pg_dump on PostgreSQL writes COPY blocks.
    for (const step of parseDump(text, header?.source !== "pglite")) {
      if ("sql" in step) await db.exec(step.sql);
      else await db.query(step.copy, [], { blob: new Blob([step.data]) });
    }
    await db.exec("commit");
  } catch (err) {
    await db.exec("rollback").catch(() => {});
    await db.exec("reset all").catch(() => {});
    if (err instanceof BackupError) throw err;
    throw new BackupError(
      "RESTORE_FAILED",
      `Restoring ${basename(file)} into ${target} failed; nothing was changed (one transaction): ${(err as Error).message}`,
    );
  }
  // The dump empties search_path for its session; the migrator needs it back.
  await db.exec("reset all");
  const counts = await rowCounts(query);
  const inDump = await migrationCount(query);
  let applied = 0;
  if (flags.migrate) {
    await migratePglite(drizzlePglite(db), { migrationsFolder });
    applied = (await migrationCount(query)) - inDump;
  }
  return { replaced, rowCounts: counts, migrationsInDump: inDump, migrationsApplied: applied };
}

type Step = { sql: string } | { copy: string; data: string };

/**
 * Splits a plain pg_dump script into SQL to execute and COPY … FROM stdin blocks (fed to
 * PGlite as a blob). psql's \restrict / \unrestrict guard lines are dropped.
 */
export function* parseDump(text: string, copyBlocks: boolean): Generator<Step> {
  const lines = text.split("\n");
  let sql: string[] = [];
  let restrictKey: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (restrictKey === null && i < 40) {
      const m = /^\\restrict (\S+)$/.exec(line);
      if (m) {
        restrictKey = m[1]!;
        continue;
      }
    }
    if (restrictKey !== null && line === `\\unrestrict ${restrictKey}`) continue;
    if (copyBlocks && /^COPY .+ FROM stdin;$/.test(line)) {
      if (sql.length) yield { sql: sql.join("\n") };
      sql = [];
      const data: string[] = [];
      for (i++; i < lines.length && lines[i] !== "\\."; i++) data.push(lines[i]!);
      if (i >= lines.length)
        throw new BackupError("NOT_A_BACKUP", "The dump ends inside a COPY block: it is truncated");
      yield {
        copy: line.replace(/ FROM stdin;$/, " FROM '/dev/blob'"),
        data: data.length ? `${data.join("\n")}\n` : "",
      };
      continue;
    }
    sql.push(line);
  }
  if (sql.some((l) => l.trim() !== "")) yield { sql: sql.join("\n") };
}
