import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { access, mkdir, rename, stat, unlink } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createGzip } from "node:zlib";
import pg from "pg";
import { migrationsFolder } from "../client";
import { openPglite } from "../pglite-open";
import { BackupError } from "./errors";
import { backupFileName, fsyncPath, writeChecksum } from "./files";
import { type BackupHeader, headerLine } from "./header";
import { migrationCount, type QueryFn, rowCounts, serverVersion } from "./inspect";
import { type DatabaseTarget, describeTarget, libpqConnection } from "./target";
import { firstLines, startTool } from "./tools";

export interface BackupOptions {
  source: DatabaseTarget;
  /** Directory for the backup; created if missing. */
  dir: string;
  /** For tests: the clock. */
  now?: () => Date;
  env?: Record<string, string | undefined>;
}

export interface BackupResult {
  file: string;
  name: string;
  bytes: number;
  sha256: string;
  header: BackupHeader;
  durationMs: number;
}

/**
 * One consistent logical dump, gzip-compressed, written under a temporary name and renamed
 * only when complete, with a `.sha256` beside it.
 */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const now = options.now ?? (() => new Date());
  let at = now();
  // Names have one-second resolution: never overwrite a backup taken in the same second.
  while (await exists(join(dir, backupFileName(at)))) {
    await sleep(1000 - (at.getTime() % 1000) + 5);
    at = now();
  }
  const name = backupFileName(at);
  const file = join(dir, name);
  const partial = join(dir, `.${name}.partial`);
  const hash = createHash("sha256");
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const sink = () => [createGzip({ level: 6 }), tap, createWriteStream(partial, { mode: 0o640 })] as const;

  let header: BackupHeader;
  try {
    header =
      options.source.kind === "postgres"
        ? await dumpPostgres(options.source.url, at, sink, options.env)
        : await dumpPglite(options.source.dataDir, at, sink);
    await fsyncPath(partial);
    await rename(partial, file);
    await fsyncPath(dir);
  } catch (err) {
    await unlink(partial).catch(() => {});
    throw err;
  }
  const sha256 = hash.digest("hex");
  await writeChecksum(file, sha256);
  const { size } = await stat(file);
  return {
    file,
    name: basename(file),
    bytes: size,
    sha256,
    header,
    durationMs: Math.round(performance.now() - started),
  };
}

type Sink = () => readonly [NodeJS.ReadWriteStream, Transform, NodeJS.WritableStream];

/**
 * pg_dump in plain SQL. A REPEATABLE READ transaction exports its snapshot; the row
 * counts for the header and pg_dump (--snapshot) both read that one snapshot, so the
 * counts describe exactly what the dump holds while writers carry on.
 */
async function dumpPostgres(
  url: string,
  at: Date,
  sink: Sink,
  env?: Record<string, string | undefined>,
): Promise<BackupHeader> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new BackupError(
      "DUMP_FAILED",
      `Cannot connect to ${describeTarget({ kind: "postgres", url })}: ${(err as Error).message}`,
    );
  }
  client.on("error", () => {});
  const query: QueryFn = async (sql) => (await client.query(sql)).rows;
  try {
    await client.query("begin isolation level repeatable read read only");
    const [snap] = await query<{ id: string }>("select pg_export_snapshot() as id");
    const version = await serverVersion(query);
    const header: BackupHeader = {
      format: 1,
      createdAt: at.toISOString(),
      source: "postgres",
      serverVersion: version.text,
      migrations: await migrationCount(query),
      rowCounts: await rowCounts(query),
    };
    const conn = libpqConnection(url);
    const tool = await startTool(
      "pg_dump",
      ["--format=plain", "--no-owner", "--no-privileges", `--snapshot=${snap!.id}`, "--dbname", conn.dbname],
      conn.env,
      env,
    );
    const [gzip, tap, file] = sink();
    const writing = pipeline(
      async function* () {
        yield Buffer.from(headerLine(header));
        for await (const chunk of tool.child.stdout) yield chunk as Buffer;
      },
      gzip,
      tap,
      file,
    );
    // If writing fails (disk full), pg_dump would block on a full pipe: stop it.
    writing.catch(() => tool.child.kill("SIGTERM"));
    const [written, exit] = await Promise.allSettled([writing, tool.exit]);
    if (exit.status === "fulfilled" && exit.value.code !== 0)
      throw new BackupError(
        "DUMP_FAILED",
        `pg_dump exited with code ${exit.value.code}: ${firstLines(exit.value.stderr)}`,
        /server version/i.test(exit.value.stderr)
          ? "pg_dump must be at least the server's major version: install the matching postgresql-client."
          : undefined,
      );
    if (written.status === "rejected") throw written.reason;
    return header;
  } finally {
    await client.query("rollback").catch(() => {});
    await client.end().catch(() => {});
  }
}

/**
 * pgDump from @electric-sql/pglite-tools runs pg_dump compiled to WASM against the
 * instance. PGlite is single-process: the data directory must not be open elsewhere
 * (stop the server first), which also makes the dump consistent.
 */
async function dumpPglite(dataDir: string, at: Date, sink: Sink): Promise<BackupHeader> {
  if (!dataDir.includes("://") && !(await exists(join(dataDir, "PG_VERSION"))))
    throw new BackupError("DUMP_FAILED", `No PGlite database in ${resolve(dataDir)}`);
  const { pgDump } = await import("@electric-sql/pglite-tools/pg_dump");
  const db = await openPglite(dataDir, {
    template: "empty",
    migrationsFolder,
    purpose: "stockroom db backup",
  });
  try {
    const query: QueryFn = async (sql) => (await db.query(sql)).rows as never[];
    const version = await serverVersion(query);
    const header: BackupHeader = {
      format: 1,
      createdAt: at.toISOString(),
      source: "pglite",
      serverVersion: version.text,
      migrations: await migrationCount(query),
      rowCounts: await rowCounts(query),
    };
    let dump: File;
    try {
      dump = await pgDump({ pg: db, args: ["--no-owner", "--no-privileges"] });
    } catch (err) {
      throw new BackupError("DUMP_FAILED", `pg_dump (PGlite) failed: ${firstLines((err as Error).message)}`);
    }
    const [gzip, tap, file] = sink();
    await pipeline(
      async function* () {
        yield Buffer.from(headerLine(header));
        yield Buffer.from(await dump.arrayBuffer());
      },
      gzip,
      tap,
      file,
    );
    return header;
  } finally {
    await db.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
