import { readdir, readFile, writeFile } from "node:fs/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BackupError,
  type BackupResult,
  type CycleReport,
  createBackup,
  listBackups,
  type QueryFn,
  restoreBackup,
  sha256File,
  startBackupScheduler,
  verifyBackup,
} from "../src/backup";
import { createDatabase, type Database } from "../src/client";
import { createScratchPostgres, postgresAdminUrl, testBackends } from "../src/testing";
import { fingerprint, seedLedger, tempDir } from "./backup-helpers";

const backends = await testBackends();
const onPostgres = backends.includes("postgres");
if (!onPostgres)
  console.warn("[backup tests] PostgreSQL is not reachable: the PostgreSQL backup tests are skipped");

async function withClient<T>(url: string, fn: (query: QueryFn) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(async (text) => (await client.query(text)).rows);
  } finally {
    await client.end();
  }
}

const fingerprintOf = (url: string) => withClient(url, fingerprint);

async function expectBackupError(promise: Promise<unknown>, code: string): Promise<BackupError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected BackupError ${code}`).toBeInstanceOf(BackupError);
  expect((err as BackupError).code).toBe(code);
  return err as BackupError;
}

describe.skipIf(!onPostgres)("backups on PostgreSQL", () => {
  const cleanups: Array<() => Promise<void>> = [];
  let source: { url: string; drop(): Promise<void> };
  let sourceDb: Database;
  let dir: string;
  let backup: BackupResult;

  const scratch = async () => {
    const s = await createScratchPostgres();
    cleanups.push(s.drop);
    return s.url;
  };

  beforeAll(async () => {
    source = await createScratchPostgres();
    cleanups.push(source.drop);
    sourceDb = await createDatabase({ url: source.url, poolSize: 4 });
    cleanups.push(() => sourceDb.close());
    await sourceDb.migrate();
    await seedLedger(sourceDb.db);
    const tmp = await tempDir("pg-backup");
    cleanups.push(tmp.remove);
    dir = tmp.dir;
    backup = await createBackup({ source: { kind: "postgres", url: source.url }, dir });
  });
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  });

  it("writes inventory_backup_YYYYMMDD_HHMMSS.sql.gz (UTC) with a sha256sum-style checksum and nothing else", async () => {
    expect(backup.name).toMatch(/^inventory_backup_\d{8}_\d{6}\.sql\.gz$/);
    const stamp = new Date(backup.header.createdAt)
      .toISOString()
      .replace(/[-:]/g, "")
      .replace("T", "_")
      .slice(0, 15);
    expect(backup.name).toBe(`inventory_backup_${stamp}.sql.gz`);
    expect(await readdir(dir)).toEqual([backup.name, `${backup.name}.sha256`].sort());
    expect(await readFile(`${backup.file}.sha256`, "utf8")).toBe(
      `${await sha256File(backup.file)}  ${backup.name}\n`,
    );
    const text = gunzipSync(await readFile(backup.file)).toString("utf8");
    expect(text).toMatch(/^-- stockroom-backup: \{/);
    expect(text).toContain("PostgreSQL database dump complete");
    expect(backup.header.rowCounts["public.movements"]).toBeGreaterThan(200);
  });

  it("restores into a new database with every table, sequence, index and constraint identical", async () => {
    const target = await scratch();
    const restored = await restoreBackup({ file: backup.file, into: { kind: "postgres", url: target } });
    expect(restored.replaced).toBe(false);
    expect(restored.rowCounts).toEqual(backup.header.rowCounts);
    const [want, got] = [await fingerprintOf(source.url), await fingerprintOf(target)];
    expect(Object.keys(want).filter((k) => k.startsWith("table ")).length).toBeGreaterThanOrEqual(7);
    expect(got).toEqual(want);
  });

  it("creates the target database when the URL names one that does not exist yet", async () => {
    const server = new URL(postgresAdminUrl());
    const name = `stockroom_restore_${Date.now().toString(36)}`;
    server.pathname = `/${name}`;
    cleanups.push(() =>
      withClient(
        postgresAdminUrl(),
        async (q) => void (await q(`drop database if exists ${name} with (force)`)),
      ),
    );
    await restoreBackup({ file: backup.file, into: { kind: "postgres", url: server.toString() } });
    expect(await fingerprintOf(server.toString())).toEqual(await fingerprintOf(source.url));
  });

  it("refuses a non-empty target unless forced, then replaces its contents", async () => {
    const target = await scratch();
    await withClient(target, (q) =>
      q("create table public.junk (x int); insert into public.junk values (1)"),
    );
    const err = await expectBackupError(
      restoreBackup({ file: backup.file, into: { kind: "postgres", url: target } }),
      "TARGET_NOT_EMPTY",
    );
    expect(err.message).toContain("public.junk");
    expect(err.advice).toContain("--force");
    expect(await withClient(target, (q) => q("select * from public.junk"))).toEqual([{ x: 1 }]);

    const forced = await restoreBackup({
      file: backup.file,
      into: { kind: "postgres", url: target },
      force: true,
    });
    expect(forced.replaced).toBe(true);
    expect(await fingerprintOf(target)).toEqual(await fingerprintOf(source.url));
  });

  it("refuses a corrupted file before touching the target", async () => {
    const bytes = await readFile(backup.file);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0xff;
    const bad = backup.file.replace("inventory_backup_", "corrupt_inventory_backup_");
    await writeFile(bad, bytes);
    await writeFile(`${bad}.sha256`, await readFile(`${backup.file}.sha256`));
    const target = await scratch();

    await expectBackupError(
      restoreBackup({ file: bad, into: { kind: "postgres", url: target } }),
      "CHECKSUM_MISMATCH",
    );
    // Even told to ignore the checksum, a damaged gzip stream never reaches psql.
    await expectBackupError(
      restoreBackup({ file: bad, into: { kind: "postgres", url: target }, skipChecksum: true }),
      "NOT_A_BACKUP",
    );
    expect(
      await withClient(target, (q) =>
        q("select count(*)::int as n from pg_tables where schemaname = 'public'"),
      ),
    ).toEqual([{ n: 0 }]);
    const report = await verifyBackup({ file: bad, scratch: { kind: "postgres", url: postgresAdminUrl() } });
    expect(report.ok).toBe(false);
    expect(report.checksum).toBe("mismatch");
  });

  it("refuses a truncated dump even when its checksum was recomputed to match", async () => {
    const text = gunzipSync(await readFile(backup.file)).toString("utf8");
    const cut = backup.file.replace("inventory_backup_", "truncated_inventory_backup_");
    await writeFile(cut, gzipSync(text.slice(0, Math.floor(text.length * 0.6))));
    await writeFile(`${cut}.sha256`, `${await sha256File(cut)}  x\n`);
    await expectBackupError(
      restoreBackup({ file: cut, into: { kind: "postgres", url: await scratch() } }),
      "NOT_A_BACKUP",
    );
  });

  it("rolls back completely when the SQL fails half-way", async () => {
    const file = `${dir}/broken-${Date.now()}.sql.gz`;
    await writeFile(
      file,
      gzipSync(
        "create table public.half (x int);\ninsert into public.half values (1);\nselect 1/0;\n-- PostgreSQL database dump complete\n",
      ),
    );
    const target = await scratch();
    const err = await expectBackupError(
      restoreBackup({ file, into: { kind: "postgres", url: target }, skipChecksum: true }),
      "RESTORE_FAILED",
    );
    expect(err.message).toMatch(/division by zero/);
    expect(await withClient(target, (q) => q("select to_regclass('public.half')::text as t"))).toEqual([
      { t: null },
    ]);
  });

  it("runs the code's migrations forward when the dump is older than the code", async () => {
    const empty = await scratch();
    const old = await createBackup({ source: { kind: "postgres", url: empty }, dir });
    expect(old.header.migrations).toBe(0);
    const target = await scratch();
    const restored = await restoreBackup({ file: old.file, into: { kind: "postgres", url: target } });
    expect(restored.migrationsInDump).toBe(0);
    expect(restored.migrationsApplied).toBeGreaterThanOrEqual(1);
    const tables = await withClient(target, (q) =>
      q<{ t: string }>("select tablename as t from pg_tables where schemaname = 'public' order by 1"),
    );
    expect(tables.map((r) => r.t)).toEqual(
      expect.arrayContaining(["movements", "products", "stock_levels", "stores"]),
    );
  });

  it("verifies: restores into a scratch database, audits the ledger, compares row counts, drops the scratch", async () => {
    const before = await withClient(postgresAdminUrl(), (q) =>
      q<{ d: string }>("select datname as d from pg_database where datname like 'stockroom_verify_%'"),
    );
    const report = await verifyBackup({ file: backup.file, scratch: { kind: "postgres", url: source.url } });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.restoredInto).toBe("postgres");
    expect(report.audit).toMatchObject({ discrepancies: [], runningSumErrors: 0, negativeLevels: 0 });
    expect(report.audit!.checkedLevels).toBe(backup.header.rowCounts["public.stock_levels"]);
    expect(report.rowCounts).toEqual(backup.header.rowCounts);
    const after = await withClient(postgresAdminUrl(), (q) =>
      q<{ d: string }>("select datname as d from pg_database where datname like 'stockroom_verify_%'"),
    );
    expect(after.map((r) => r.d).filter((d) => !before.some((b) => b.d === d))).toEqual([]);
  });

  it("verify works when the database in the URL is the one that was lost", async () => {
    const gone = new URL(postgresAdminUrl());
    gone.pathname = `/stockroom_lost_${Date.now().toString(36)}`;
    const report = await verifyBackup({
      file: backup.file,
      scratch: { kind: "postgres", url: gone.toString() },
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("verify fails a backup whose ledger does not add up", async () => {
    const broken = await scratch();
    const db = await createDatabase({ url: broken, poolSize: 1 });
    try {
      await db.migrate();
      await seedLedger(db.db);
    } finally {
      await db.close();
    }
    // A level changed without a movement: exactly what the audit exists to catch.
    await withClient(broken, (q) =>
      q(`update public.stock_levels set quantity = quantity + 3
          where (product_id, store_id) = (select product_id, store_id from public.stock_levels order by 1, 2 limit 1)`),
    );
    const out = await tempDir("ledger");
    cleanups.push(out.remove);
    const bad = await createBackup({ source: { kind: "postgres", url: broken }, dir: out.dir });
    const report = await verifyBackup({ file: bad.file, scratch: { kind: "postgres", url: broken } });
    expect(report.ok).toBe(false);
    expect(report.audit!.discrepancies).toHaveLength(1);
    expect(report.audit!.discrepancies[0]!.quantity - report.audit!.discrepancies[0]!.ledgerSum).toBe(3);
    expect(report.problems.join("\n")).toMatch(/movements sum to/);
  });

  it("takes a consistent snapshot while transfers keep committing", async () => {
    const busy = await scratch();
    const db = await createDatabase({ url: busy, poolSize: 4 });
    cleanups.push(() => db.close());
    await db.migrate();
    await seedLedger(db.db);
    let stop = false;
    let committed = 0;
    // Each step moves one unit between two stores through the one door (levels, ledger and
    // events in one transaction).
    const writer = (async () => {
      const client = new pg.Client({ connectionString: busy });
      await client.connect();
      try {
        while (!stop && committed < 5000) {
          await client.query(`
            select * from stockroom_apply((
              select jsonb_build_array(
                       jsonb_build_object('op', 0, 'product_id', p.product_id, 'store_id', 'warehouse',
                                          'kind', 'transfer_out', 'delta', -1, 'transfer_id', t.id),
                       jsonb_build_object('op', 0, 'product_id', p.product_id, 'store_id', 'store1',
                                          'kind', 'transfer_in', 'delta', 1, 'transfer_id', t.id))
              from (select product_id from public.stock_levels where store_id = 'warehouse' and quantity > 0
                     order by random() limit 1) p,
                   (select gen_random_uuid() as id) t))`);
          committed++;
        }
      } finally {
        await client.end();
      }
    })();
    let failed: unknown = null;
    writer.catch((err) => {
      failed = err;
    });
    while (committed < 20 && !failed) await new Promise((r) => setTimeout(r, 20));
    expect(failed).toBeNull();
    const out = await tempDir("busy");
    cleanups.push(out.remove);
    const atStart = committed;
    const during = await createBackup({ source: { kind: "postgres", url: busy }, dir: out.dir });
    const atEnd = committed;
    stop = true;
    await writer;
    // Transfers really were committing while pg_dump ran.
    expect(atEnd).toBeGreaterThan(atStart);
    const report = await verifyBackup({ file: during.file, scratch: { kind: "postgres", url: busy } });
    expect(report.problems).toEqual([]);
    expect(report.rowCounts["public.movements"]).toBe(during.header.rowCounts["public.movements"]);
  });

  it("names the package to install when pg_dump is missing, and leaves no file behind", async () => {
    const { dir: empty, remove } = await tempDir("nopgdump");
    cleanups.push(remove);
    const err = await expectBackupError(
      createBackup({
        source: { kind: "postgres", url: source.url },
        dir: empty,
        env: { STOCKROOM_PG_BIN_DIR: "/nonexistent/bin" },
      }),
      "TOOL_MISSING",
    );
    expect(err.message).toContain("pg_dump");
    expect(err.advice).toContain("postgresql-client");
    expect(await readdir(empty)).toEqual([]);
  });

  it("scheduler: backs up, verifies and prunes every tick, keeps going after a failed run", async () => {
    const { dir: out, remove } = await tempDir("sched");
    cleanups.push(remove);
    // The database does not exist at first: the first runs fail, later ones must succeed.
    const late = new URL(postgresAdminUrl());
    const name = `stockroom_sched_${Date.now().toString(36)}`;
    late.pathname = `/${name}`;
    cleanups.push(() =>
      withClient(
        postgresAdminUrl(),
        async (q) => void (await q(`drop database if exists ${name} with (force)`)),
      ),
    );
    const lines: string[] = [];
    const scheduler = startBackupScheduler({
      schedule: "*/2 * * * * *",
      source: { kind: "postgres", url: late.toString() },
      dir: out,
      keep: 1,
      scratch: { kind: "postgres", url: postgresAdminUrl() },
      log: (r: CycleReport) => lines.push(JSON.stringify(r)),
    });
    try {
      const waitFor = async (pred: () => boolean, ms: number) => {
        const until = Date.now() + ms;
        while (!pred() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        expect(pred()).toBe(true);
      };
      await waitFor(() => lines.length >= 1, 10_000);
      const first = JSON.parse(lines[0]!) as CycleReport;
      expect(first).toMatchObject({ event: "backup", ok: false });
      expect(first.error).toMatch(/does not exist|Cannot connect/);

      // Prepared under another name and renamed, so no run sees it half-migrated.
      const staging = new URL(late.toString());
      staging.pathname = `/${name}_staging`;
      await withClient(postgresAdminUrl(), (q) => q(`create database ${name}_staging`));
      const db = await createDatabase({ url: staging.toString(), poolSize: 1 });
      await db.migrate();
      await seedLedger(db.db);
      await db.close();
      await withClient(postgresAdminUrl(), (q) => q(`alter database ${name}_staging rename to ${name}`));
      await waitFor(() => lines.filter((l) => JSON.parse(l).ok).length >= 2, 40_000);
    } finally {
      await scheduler.stop();
    }
    for (const line of lines) expect(line).not.toContain("\n");
    const ok = lines.map((l) => JSON.parse(l) as CycleReport).filter((r) => r.ok);
    expect(ok[0]).toMatchObject({ verified: true, kept: 1 });
    expect(ok[1]!.deleted).toEqual([ok[0]!.file]);
    const left = await listBackups(out);
    expect(left.every((e) => e.checksum === "ok")).toBe(true);
    expect(left.map((e) => e.name)).toContain(ok.at(-1)!.file);
  });
});
