import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabase, type Database } from "./client";

/** Where tests find PostgreSQL: TEST_DATABASE_URL, DATABASE_URL, else the local server. */
export const postgresAdminUrl = () =>
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

let probe: Promise<string | null> | undefined;

/** null when PostgreSQL answers, else the reason it could not be used. */
export function postgresUnavailableReason(): Promise<string | null> {
  probe ??= (async () => {
    const client = new pg.Client({ connectionString: postgresAdminUrl(), connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("select 1");
      return null;
    } catch (err) {
      return `PostgreSQL at ${redact(postgresAdminUrl())} is not reachable (${(err as Error).message})`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return probe;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, "//$1:***@");

export type BackendName = "pglite" | "postgres";

/**
 * The backends this run can test, printing once why Postgres is skipped. Called at the top of
 * a test file: without PostgreSQL it also registers a skipped test there, so the run's summary
 * counts what was not tested instead of passing over it in silence.
 */
export async function testBackends(): Promise<BackendName[]> {
  const reason = await postgresUnavailableReason();
  if (reason) {
    if (!(globalThis as { __srWarned?: boolean }).__srWarned) {
      (globalThis as { __srWarned?: boolean }).__srWarned = true;
      console.warn(`\n[stockroom tests] SKIPPING the PostgreSQL-only tests: ${reason}\n`);
    }
    const { it } = await import("vitest");
    it.skip(`on postgres: this file's PostgreSQL tests (${reason})`, () => {});
    return ["pglite"];
  }
  return ["pglite", "postgres"];
}

export interface ScratchDatabase {
  database: Database;
  /** For Postgres: the URL of the scratch database, so other processes can join it. */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database of its own, dropped afterwards; never shared with other tests. */
export async function createScratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgresAdminUrl();
  const name = `stockroom_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A migrated, empty database of the given kind. */
export async function createTestDatabase(
  kind: BackendName,
  options: { poolSize?: number; statementTimeoutMs?: number } = {},
): Promise<ScratchDatabase> {
  if (kind === "pglite") {
    const database = await createDatabase({ dataDir: "memory://" });
    await database.migrate();
    return { database, drop: () => database.close() };
  }
  const scratch = await createScratchPostgres();
  const database = await createDatabase({ url: scratch.url, poolSize: options.poolSize ?? 20, ...options });
  await database.migrate();
  return {
    database,
    url: scratch.url,
    async drop() {
      await database.close();
      await scratch.drop();
    },
  };
}

/** One PostgreSQL connection of its own, for a test that holds a transaction open on it. */
export async function connectPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
