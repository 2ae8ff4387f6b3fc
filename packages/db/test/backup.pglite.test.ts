import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BackupError,
  type BackupResult,
  createBackup,
  type QueryFn,
  restoreBackup,
  verifyBackup,
} from "../src/backup";
import { createDatabase } from "../src/client";
import { PGLITE_EXTENSIONS } from "../src/pglite-template";
import { createScratchPostgres, testBackends } from "../src/testing";
import { fingerprint, seedLedger, tempDir } from "./backup-helpers";

const backends = await testBackends();

async function withPglite<T>(dataDir: string, fn: (query: QueryFn) => Promise<T>): Promise<T> {
  const db = await PGlite.create(dataDir, { extensions: PGLITE_EXTENSIONS });
  try {
    return await fn(async (text) => (await db.query(text)).rows as never[]);
  } finally {
    await db.close();
  }
}

const tablesOnly = (f: Record<string, string>) =>
  Object.fromEntries(Object.entries(f).filter(([k]) => k.startsWith("table ")));

describe("backups on embedded PGlite", () => {
  let root: { dir: string; remove(): Promise<void> };
  let sourceDir: string;
  let backup: BackupResult;
  let sourcePrint: Record<string, string>;

  beforeAll(async () => {
    root = await tempDir("pglite-backup");
    sourceDir = join(root.dir, "data");
    const database = await createDatabase({ dataDir: sourceDir });
    try {
      await database.migrate();
      await seedLedger(database.db);
    } finally {
      await database.close();
    }
    backup = await createBackup({
      source: { kind: "pglite", dataDir: sourceDir },
      dir: join(root.dir, "backups"),
    });
    sourcePrint = await withPglite(sourceDir, fingerprint);
  });
  afterAll(() => root?.remove());

  it("dumps with pgDump into the same gzip + sha256 layout", async () => {
    expect(backup.name).toMatch(/^inventory_backup_\d{8}_\d{6}\.sql\.gz$/);
    expect(backup.header.source).toBe("pglite");
    expect(backup.header.rowCounts["public.products"]).toBe(62);
    expect((await readdir(join(root.dir, "backups"))).sort()).toEqual([backup.name, `${backup.name}.sha256`]);
    expect(gunzipSync(await readFile(backup.file)).toString()).toContain("PostgreSQL database dump complete");
  });

  it("restores into a new data directory with every table, sequence, index and constraint identical", async () => {
    const target = join(root.dir, "restored");
    const restored = await restoreBackup({ file: backup.file, into: { kind: "pglite", dataDir: target } });
    expect(restored.rowCounts).toEqual(backup.header.rowCounts);
    expect(await withPglite(target, fingerprint)).toEqual(sourcePrint);
  });

  it("refuses a non-empty data directory unless forced", async () => {
    const err = await restoreBackup({
      file: backup.file,
      into: { kind: "pglite", dataDir: sourceDir },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect(err.code).toBe("TARGET_NOT_EMPTY");
    const forced = await restoreBackup({
      file: backup.file,
      into: { kind: "pglite", dataDir: sourceDir },
      force: true,
    });
    expect(forced.replaced).toBe(true);
    expect(await withPglite(sourceDir, fingerprint)).toEqual(sourcePrint);
  });

  it("refuses a corrupted file", async () => {
    const bytes = await readFile(backup.file);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0x5a;
    const bad = join(root.dir, "corrupt.sql.gz");
    await writeFile(bad, bytes);
    await writeFile(`${bad}.sha256`, await readFile(`${backup.file}.sha256`));
    const target = join(root.dir, "never");
    const err = await restoreBackup({ file: bad, into: { kind: "pglite", dataDir: target } }).catch((e) => e);
    expect(err.code).toBe("CHECKSUM_MISMATCH");
    const report = await verifyBackup({ file: bad, scratch: { kind: "pglite" } });
    expect(report.ok).toBe(false);
  });

  it("verifies in an in-memory scratch database with the ledger audit", async () => {
    const report = await verifyBackup({ file: backup.file, scratch: { kind: "pglite" } });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, restoredInto: "pglite", checksum: "ok" });
    expect(report.audit).toMatchObject({
      discrepancies: [],
      runningSumErrors: 0,
      incomingDiscrepancies: [],
      shipmentErrors: 0,
    });
    expect(report.rowCounts).toEqual(backup.header.rowCounts);
  });

  describe.skipIf(!backends.includes("postgres"))("across engines", () => {
    it("a PGlite backup restores into PostgreSQL, and a PostgreSQL backup into PGlite, with the same rows", async () => {
      const scratch = await createScratchPostgres();
      try {
        await restoreBackup({ file: backup.file, into: { kind: "postgres", url: scratch.url } });
        const client = new pg.Client({ connectionString: scratch.url });
        await client.connect();
        const onPostgres = await fingerprint(async (t) => (await client.query(t)).rows).finally(() =>
          client.end(),
        );
        expect(tablesOnly(onPostgres)).toEqual(tablesOnly(sourcePrint));

        const fromPg = await createBackup({
          source: { kind: "postgres", url: scratch.url },
          dir: join(root.dir, "pg"),
        });
        const back = join(root.dir, "from-postgres");
        await restoreBackup({ file: fromPg.file, into: { kind: "pglite", dataDir: back } });
        expect(tablesOnly(await withPglite(back, fingerprint))).toEqual(tablesOnly(sourcePrint));
      } finally {
        await scratch.drop();
      }
    });
  });
});
