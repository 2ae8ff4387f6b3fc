import { afterEach, describe, expect, it } from "vitest";
import { createDatabase, rowsOf, sql } from "../src";
import { pgErrorCode } from "../src/errors";
import { postgresAdminUrl, postgresUnavailableReason } from "../src/testing";

const skipReason = await postgresUnavailableReason();
if (skipReason)
  console.warn(`[stockroom tests] SKIPPING session settings tests (PostgreSQL only): ${skipReason}`);

/** jit and plan_cache_mode as a pooled connection of the API sees them. */
async function settings(options: { genericPlans?: boolean } = {}) {
  const database = await createDatabase({ url: postgresAdminUrl(), poolSize: 1, ...options });
  try {
    const [row] = rowsOf<{ jit: string; plan_cache_mode: string }>(
      await database.db.execute(
        sql`select current_setting('jit') as jit, current_setting('plan_cache_mode') as plan_cache_mode`,
      ),
    );
    return row;
  } finally {
    await database.close();
  }
}

describe.skipIf(skipReason !== null)("the API's PostgreSQL sessions", () => {
  const saved = process.env.PGOPTIONS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PGOPTIONS;
    else process.env.PGOPTIONS = saved;
  });

  it("start with JIT compilation off and generic plans, without a round trip of their own", async () => {
    delete process.env.PGOPTIONS;
    expect(await settings()).toEqual({ jit: "off", plan_cache_mode: "force_generic_plan" });
    expect(await settings({ genericPlans: false })).toEqual({ jit: "off", plan_cache_mode: "auto" });
  });

  it("let the operator's PGOPTIONS win", async () => {
    process.env.PGOPTIONS = "-c jit=on -c plan_cache_mode=force_custom_plan";
    expect(await settings()).toEqual({ jit: "on", plan_cache_mode: "force_custom_plan" });
  });
});

describe.skipIf(skipReason !== null)("a long-running query on the pool", () => {
  it("gets its own timeout on one connection, which goes back to the pool with the pool's", async () => {
    // One connection, 300 ms statement timeout: the client gives up after 2.3 s on its own.
    const database = await createDatabase({ url: postgresAdminUrl(), poolSize: 1, statementTimeoutMs: 300 });
    const timeout = async () =>
      rowsOf<{ t: string }>(
        await database.db.execute(sql`select current_setting('statement_timeout') as t`),
      )[0]!.t;
    const sleep = (db: typeof database.db, s: number) => db.execute(sql`select pg_sleep(${s})`);
    try {
      const refused = await sleep(database.db, 0.6).catch((err: unknown) => err);
      expect(pgErrorCode(refused)).toBe("57014");
      await database.longRunning(5000, async (db) => {
        expect(
          rowsOf<{ t: string }>(await db.execute(sql`select current_setting('statement_timeout') as t`))[0]!
            .t,
        ).toBe("5s");
        // Past the pool's 300 ms in PostgreSQL and past its 2.3 s in the client.
        await sleep(db, 2.6);
      });
      expect(await timeout()).toBe("300ms");
      expect(pgErrorCode(await sleep(database.db, 0.6).catch((err: unknown) => err))).toBe("57014");
      // A run that fails leaves the connection as it found it too.
      await expect(database.longRunning(5000, (db) => db.execute(sql`select 1/0`))).rejects.toThrow();
      expect(await timeout()).toBe("300ms");
    } finally {
      await database.close();
    }
  });
});
