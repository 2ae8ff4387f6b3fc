import { ensureBootstrapKey } from "@stockroom/api";
import { checkInvariants, createDatabase, invariantProblems, queryOf, rowsOf, sql } from "@stockroom/db";
import { createScratchPostgres } from "@stockroom/db/testing";
import { loadConfig } from "../src/config";
import { createLogger, type RunningServer, startServer } from "../src/server";

/**
 * Two real servers on one scratch PostgreSQL database, for the concurrency tests: requests
 * alternate between them by their index, so races cross processes' pools as in production.
 */
export interface TwoServers {
  servers: RunningServer[];
  url: string;
  admin: string;
  /** One request, to server `i % 2`, as the admin key. */
  call(
    i: number,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: the parsed JSON of any route
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Every invariant on the database, as sentences (empty when all hold). */
  invariants(): Promise<string[]>;
  /** Stops the servers, drops the database, and answers how many deadlocks PostgreSQL counted in it. */
  close(): Promise<number | undefined>;
}

export async function startTwoServers(admin: string, env: Record<string, string> = {}): Promise<TwoServers> {
  const scratch = await createScratchPostgres();
  const config = loadConfig({
    DATABASE_URL: scratch.url,
    PORT: "0",
    HOST: "127.0.0.1",
    STOCKROOM_BOOTSTRAP_KEY: admin,
    LOG_LEVEL: "silent",
    STOCKROOM_DB_POOL_SIZE: "10",
    ...env,
  });
  const servers = await Promise.all([
    startServer(config, createLogger(config)),
    startServer(config, createLogger(config)),
  ]);
  await ensureBootstrapKey(servers[0]!.runtime.database.db, admin);

  const call: TwoServers["call"] = async (i, method, path, body, headers = {}) => {
    const server = servers[i % servers.length]!;
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };

  const invariants = async () => {
    const check = await createDatabase({ url: scratch.url, poolSize: 1 });
    try {
      return invariantProblems(await checkInvariants(queryOf(check.db)));
    } finally {
      await check.close();
    }
  };

  // Backends write their deadlock counters when they exit: wait for them to go, then read.
  const deadlocks = async () => {
    const name = new URL(scratch.url).pathname.slice(1);
    const db = await createDatabase({ url: scratch.url.replace(`/${name}`, "/postgres"), poolSize: 1 });
    const count = async (query: ReturnType<typeof sql>) =>
      rowsOf<{ n: number }>(await db.db.execute(query))[0]?.n;
    try {
      for (let i = 0; i < 50; i++) {
        if ((await count(sql`select count(*)::int as n from pg_stat_activity where datname = ${name}`)) === 0)
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 300));
      return await count(sql`select deadlocks::int as n from pg_stat_database where datname = ${name}`);
    } finally {
      await db.close();
    }
  };

  return {
    servers,
    url: scratch.url,
    admin,
    call,
    invariants,
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      try {
        return await deadlocks();
      } finally {
        await scratch.drop();
      }
    },
  };
}

/** Replies counted by status and code, e.g. { "201": 50, "409 INSUFFICIENT_STOCK": 250 }. */
export function tally(replies: Array<{ status: number; body: { code?: string } | null }>) {
  const counts: Record<string, number> = {};
  for (const r of replies) {
    const k = `${r.status}${r.body?.code ? ` ${r.body.code}` : ""}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
