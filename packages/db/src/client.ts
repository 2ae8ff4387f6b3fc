import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { isConnectionError } from "./errors";
import { openPglite } from "./pglite-open";
import * as schema from "./schema";
import { installSqlSources, installSqlSourcesOnPglite } from "./sql-sources";

export type Schema = typeof schema;
/** One typed handle, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle: the same query API as Db. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything queries can run on. */
export type Queryable = Db | Tx;

export type DatabaseKind = "postgres" | "pglite";

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  kind: DatabaseKind;
  db: Db;
  /**
   * Runs the committed migrations, then installs the SQL sources that changed (sql/); safe
   * when several replicas start at once.
   */
  migrate(): Promise<void>;
  /** Cheap round trip, for readiness checks. */
  ping(): Promise<void>;
  poolStats(): PoolStats;
  /**
   * Runs `run` on one connection whose statements may take up to `timeoutMs` (PostgreSQL's
   * statement_timeout and the client's own wait), instead of the pool's statement timeout: for
   * the few queries whose cost follows the whole database (the full ledger audit). The
   * connection goes back to the pool with the pool's timeout. PGlite has no timeout to raise.
   */
  longRunning<T>(timeoutMs: number, run: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… to use PostgreSQL; omitted for embedded PGlite. */
  url?: string;
  /** Where PGlite keeps its files; "memory://" for a throwaway database. */
  dataDir?: string;
  poolSize?: number;
  /** Milliseconds; a query running longer is cancelled by the server. */
  statementTimeoutMs?: number;
  /**
   * Milliseconds to wait for a pooled connection (queueing behind busy ones included)
   * before failing. A stopped database still fails at once: its connections are refused.
   */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL only: plan the API's named statements (the hot reads, the transfer) once per
   * connection, for any parameter values (plan_cache_mode = force_generic_plan), instead of
   * letting PostgreSQL re-plan most executions. Default true. Unnamed statements are still
   * planned on every execution, but without looking at the parameter values; the EXPLAIN
   * test checks the generic plans of the main queries.
   */
  genericPlans?: boolean;
  /** PGlite only: who holds the data directory, shown to a second process that is refused. */
  purpose?: string;
}

export const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));

// Any constant works; it only has to be the same for every replica.
const MIGRATION_LOCK_ID = 7_264_117;

export async function createDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) return createPostgres(options.url, options);
  return createPglite(options.dataDir ?? "./data", options.purpose ?? "stockroom");
}

/**
 * The API's session settings on PostgreSQL.
 * - jit=off: PostgreSQL compiles a query with LLVM when its estimated cost passes
 *   jit_above_cost, and the estimate is of the whole result, not of the page a LIMIT keeps.
 *   On a chain's data (2.2 M levels) the alerts page, which reads 21 rows by index in
 *   0.4 ms, was estimated at 100,000+ and spent 22 ms compiling, on every execution.
 *   No query of the API runs long enough to win that back.
 * - plan_cache_mode: see DatabaseOptions.genericPlans.
 */
const SESSION_SETTINGS = (options: DatabaseOptions): string[] => [
  "-c jit=off",
  ...(options.genericPlans !== false ? ["-c plan_cache_mode=force_generic_plan"] : []),
];

async function createPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    // Never let a lost connection hang a request forever.
    query_timeout: (options.statementTimeoutMs ?? 10_000) + 2000,
    keepAlive: true,
    // Startup parameters, so they cost no round trip (PostgreSQL 12 or later). PGOPTIONS,
    // which an explicit value would replace, is kept and comes last, so an operator's
    // setting wins.
    options: [...SESSION_SETTINGS(options), process.env.PGOPTIONS].filter(Boolean).join(" "),
  });
  // An idle client dying (server restart, pg_terminate_backend) must not kill the process;
  // the pool drops it and opens a fresh one on the next checkout.
  pool.on("error", () => {});
  // The same for a client that is checked out but between queries (e.g. mid-transaction):
  // pg emits its 'error' with no pool listener attached, and an unhandled 'error' event
  // would kill the process. The pending or next query fails instead (503), and the pool
  // discards the broken client on release.
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  // drizzle's own pool transaction checks a client out and runs BEGIN outside its
  // try/finally: when BEGIN fails (the backend was just terminated, the server restarted),
  // that client is never released. A handful of those and the pool is full of leaked
  // clients: every request then waits out the acquire timeout, until the process restarts.
  // So transactions run on a client checked out here and always given back; a client that
  // failed by its connection is destroyed rather than pooled.
  const onClient = new WeakMap<pg.PoolClient, Db>();
  const dbOf = (client: pg.PoolClient) => {
    let single = onClient.get(client);
    if (!single) {
      single = drizzlePg(client, { schema }) as unknown as Db;
      onClient.set(client, single);
    }
    return single;
  };
  db.transaction = async (run, config) => {
    const client = await pool.connect();
    let failure: unknown;
    try {
      return await dbOf(client).transaction(run, config);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      client.release(failure !== undefined && isConnectionError(failure) ? (failure as Error) : undefined);
    }
  };
  return {
    kind: "postgres",
    db,
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
        try {
          await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
          await client.query("begin");
          try {
            await installSqlSources(async (text, params) => (await client.query(text, params)).rows);
            await client.query("commit");
          } catch (err) {
            await client.query("rollback");
            throw err;
          }
        } finally {
          await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
        }
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query("select 1");
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async longRunning(timeoutMs, run) {
      const ms = Math.trunc(timeoutMs);
      const poolMs = options.statementTimeoutMs ?? 10_000;
      const client = await pool.connect();
      // pg reads a query's client-side timeout from the connection's parameters when the query
      // starts (a query config may not carry one through drizzle): raised for this run only.
      const parameters = (client as unknown as { connectionParameters: { query_timeout?: number } })
        .connectionParameters;
      // A connection whose timeout could not be put back is destroyed, not pooled again.
      let broken: Error | undefined;
      try {
        await client.query(`set statement_timeout = ${ms}`);
        parameters.query_timeout = ms + 2000;
        return await run(dbOf(client));
      } catch (err) {
        if (isConnectionError(err)) broken = err as Error;
        throw err;
      } finally {
        parameters.query_timeout = poolMs + 2000;
        if (!broken)
          await client.query(`set statement_timeout = ${Math.trunc(poolMs)}`).catch((err: unknown) => {
            broken = err instanceof Error ? err : new Error(String(err));
          });
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

async function createPglite(dataDir: string, purpose: string): Promise<Database> {
  const client = await openPglite(dataDir, { template: "migrated", migrationsFolder, purpose });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    kind: "pglite",
    db,
    async migrate() {
      await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder });
      await installSqlSourcesOnPglite(client);
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    longRunning: (_timeoutMs, run) => run(db),
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

/** Rows of a raw `db.execute(sql…)`, for both drivers. */
export function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
