import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createScratchPostgres, testBackends } from "@stockroom/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../../bin/stockroom.mjs", import.meta.url));
const backends = await testBackends();
// Each case spawns the binary several times (tsx start-up, pg_dump, PGlite): give it room.
const SLOW = 180_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns the real `stockroom` binary with only the database variables we give it. */
function stockroom(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const { DATABASE_URL: _a, STOCKROOM_DATA_DIR: _b, TEST_DATABASE_URL: _c, ...base } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...base, NO_COLOR: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "stockroom-cli-db-"));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe.skipIf(!backends.includes("postgres"))("stockroom db … on PostgreSQL (spawned binary)", () => {
  const drops: Array<() => Promise<void>> = [];
  let env: Record<string, string>;
  afterAll(async () => {
    for (const d of drops) await d().catch(() => {});
  });
  beforeAll(async () => {
    const source = await createScratchPostgres();
    drops.push(source.drop);
    env = { DATABASE_URL: source.url };
  });

  it(
    "migrate → seed → backup → backups → verify → restore, with deliberate exit codes",
    async () => {
      expect((await stockroom(["db", "migrate"], env, work)).code).toBe(0);
      const seeded = await stockroom(["db", "seed", "--json"], env, work);
      expect(seeded.code).toBe(0);
      expect(JSON.parse(seeded.stdout)).toMatchObject({ seeded: true, stores: 4 });

      const backup = await stockroom(["db", "backup", "--dir", "pg-backups", "--json"], env, work);
      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      const made = JSON.parse(backup.stdout) as { file: string; name: string; sha256: string };
      expect(made.name).toMatch(/^inventory_backup_\d{8}_\d{6}\.sql\.gz$/);
      expect(await readFile(`${made.file}.sha256`, "utf8")).toContain(made.sha256);

      const list = await stockroom(["db", "backups", "--dir", "pg-backups", "--json"], env, work);
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: made.name, checksum: "ok" })]);

      const verify = await stockroom(["db", "verify", made.file], env, work);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/ledger audit: 240 stock levels, 0 discrepancies/);
      expect(verify.stdout).toMatch(/^OK: /m);

      const target = await createScratchPostgres();
      drops.push(target.drop);
      const restore = await stockroom(
        ["db", "restore", made.file, "--into", target.url, "--json"],
        env,
        work,
      );
      expect(restore.code).toBe(0);
      expect(JSON.parse(restore.stdout)).toMatchObject({ replaced: false, migrationsApplied: 0 });

      const again = await stockroom(["db", "restore", made.file, "--into", target.url], env, work);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/TARGET_NOT_EMPTY/);
      expect(again.stderr).toMatch(/--force/);
      expect(
        (await stockroom(["db", "restore", made.file, "--into", target.url, "--force"], env, work)).code,
      ).toBe(0);

      const bytes = await readFile(made.file);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
      await writeFile(join(work, "damaged.sql.gz"), bytes);
      await writeFile(join(work, "damaged.sql.gz.sha256"), await readFile(`${made.file}.sha256`));
      const damaged = await stockroom(["db", "verify", "damaged.sql.gz"], env, work);
      expect(damaged.code).toBe(1);
      expect(damaged.stdout).toMatch(/checksum mismatch/);
    },
    SLOW,
  );

  it(
    "backup --verify --keep runs the whole cycle the CronJob runs",
    async () => {
      const first = await stockroom(
        ["db", "backup", "--dir", "cycle", "--verify", "--keep", "1", "--json"],
        env,
        work,
      );
      expect(first.code).toBe(0);
      const second = await stockroom(
        ["db", "backup", "--dir", "cycle", "--verify", "--keep", "1", "--json"],
        env,
        work,
      );
      const a = JSON.parse(first.stdout);
      const b = JSON.parse(second.stdout);
      expect(b).toMatchObject({ ok: true, verified: true, kept: 1, deleted: [a.file] });
    },
    SLOW,
  );

  it(
    "usage errors exit 2, a missing pg_dump exits 1 naming the package",
    async () => {
      expect((await stockroom(["db", "backup", "--keep", "0"], env, work)).code).toBe(2);
      expect((await stockroom(["db", "backup", "--schedule", "every day"], env, work)).code).toBe(2);
      expect((await stockroom(["db", "restore", "no-such-file.sql.gz"], env, work)).code).toBe(2);
      expect((await stockroom(["db", "verify"], env, work)).code).toBe(2);
      const gone = await stockroom(["db", "verify", "backups/no-such-file.sql.gz"], env, work);
      expect(gone.code).toBe(2);
      expect(gone.stderr).toContain(`No backup file at ${join(work, "backups/no-such-file.sql.gz")}`);
      expect(gone.stderr).toContain("stockroom db backups --dir backups");
      const missing = await stockroom(
        ["db", "backup", "--dir", "x"],
        { ...env, STOCKROOM_PG_BIN_DIR: "/nonexistent" },
        work,
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/TOOL_MISSING: pg_dump/);
      expect(missing.stderr).toMatch(/postgresql-client/);
    },
    SLOW,
  );
});

describe("stockroom db … on embedded PGlite (spawned binary)", () => {
  let backupFile: string | undefined;
  it(
    "seed → backup → verify against STOCKROOM_DATA_DIR",
    async () => {
      const env = { STOCKROOM_DATA_DIR: join(work, "pglite-data") };
      expect((await stockroom(["db", "seed"], env, work)).code).toBe(0);
      const backup = await stockroom(["db", "backup", "--dir", "pglite-backups", "--json"], env, work);
      expect(backup.code).toBe(0);
      const { file } = JSON.parse(backup.stdout) as { file: string };
      backupFile = file;
      const verify = await stockroom(["db", "verify", file, "--json"], env, work);
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, restoredInto: "pglite", problems: [] });
    },
    SLOW,
  );

  it(
    "refuses the data directory of a running server, which keeps serving",
    async () => {
      const { startTestServer } = await import("@stockroom/server/testing");
      const server = await startTestServer();
      try {
        const env = { STOCKROOM_DATA_DIR: server.dataDir };
        const commands = [
          ["db", "backup", "--dir", "busy-backups"],
          ["db", "migrate"],
          ...(backupFile ? [["db", "restore", backupFile, "--force"]] : []),
        ];
        for (const args of commands) {
          const run = await stockroom(args, env, work);
          expect(run.code, args.join(" ")).toBe(1);
          expect(run.stderr).toContain("DATA_DIR_IN_USE");
          expect(run.stderr).toContain(`${server.dataDir} is in use by PID ${process.pid} (server on port 0`);
          expect(run.stderr).toContain("Stop the server");
        }
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
        const products = await fetch(`${server.url}/api/products?limit=1`, {
          headers: { authorization: `Bearer ${server.apiKey}` },
        });
        expect(products.status).toBe(200);
      } finally {
        await server.close();
      }
    },
    SLOW,
  );
});
