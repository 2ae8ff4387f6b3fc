import { afterEach, describe, expect, it } from "vitest";
import { createDatabase, rowsOf, sql } from "../src";
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
