import { checkInvariants, createDatabase, invariantProblems } from "@stockroom/db";
import { createScratchPostgres, postgresUnavailableReason } from "@stockroom/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  category,
  LAYOUTS,
  levelCount,
  levelMinStock,
  levelQuantity,
  levelStores,
  price,
  sku,
  storeId,
} from "../scenarios.js";
import { extendLedger, type Layout, productId, seedDataset } from "../src/seed";

const reason = await postgresUnavailableReason();
if (reason) console.warn(`\n[loadtest] SKIPPING the seed test: ${reason}\n`);

// The bulk seed computes every row in SQL; the drivers pick requests with the formulas of
// scenarios.js. Both must describe the same dataset, or the bench would ask for rows that do
// not exist. More than 100 stores checks the store ids past two digits (the large layout has 200).
const WIDE: Layout = { products: 600, stores: 120, hotProducts: 7, levelsPerColdProduct: 6, categories: 9 };

describe.skipIf(reason !== null).each([
  ["quick", LAYOUTS.quick],
  ["wide", WIDE],
] as const)("the bulk seed of the %s layout", (_name, layout) => {
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  let client: pg.Client;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
    const database = await createDatabase({ url: scratch.url, poolSize: 1 });
    await database.migrate();
    await database.close();
    client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await seedDataset(client, layout);
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await scratch?.drop();
  });

  it("holds the products, stores and levels that scenarios.js describes", async () => {
    const { rows: products } = await client.query<Record<string, string>>(
      "select id, sku, name, category, price::text as price from products order by created_at, id",
    );
    expect(products).toEqual(
      Array.from({ length: layout.products }, (_, i) => ({
        id: productId(i),
        sku: sku(i),
        name: `Loadtest item ${i} ${category(layout, i)}`,
        category: category(layout, i),
        price: price(i).toFixed(2),
      })),
    );
    const { rows: stores } = await client.query<{ id: string }>("select id from stores order by id");
    expect(stores.map((s) => s.id)).toEqual(
      Array.from({ length: layout.stores }, (_, k) => storeId(k)).sort(),
    );
    const { rows: levels } = await client.query<{ key: string }>(
      "select product_id || ' ' || store_id || ' ' || quantity || ' ' || min_stock as key from stock_levels",
    );
    const expected: string[] = [];
    for (let i = 0; i < layout.products; i++)
      for (const k of levelStores(layout, i))
        expected.push(
          `${productId(i)} ${storeId(k)} ${levelQuantity(layout, i, k)} ${levelMinStock(layout, i, k)}`,
        );
    expect(levels.length).toBe(levelCount(layout));
    expect(levels.map((l) => l.key).sort()).toEqual(expected.sort());
  });

  it("keeps every invariant: ledger sums, running sums, totals, counters", async () => {
    const report = await checkInvariants(async (text) => (await client.query(text)).rows);
    expect(invariantProblems(report)).toEqual([]);
    expect(report.checkedLevels).toBe(levelCount(layout));
  });

  it("extendLedger grows the ledger past the levels' count (several rounds) and keeps every invariant", async () => {
    const count = async (table: string) =>
      Number((await client.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n);
    const units = async () =>
      (await client.query<{ u: string }>("select sum(quantity)::text as u from stock_levels")).rows[0]!.u;
    const before = { movements: await count("movements"), units: await units() };
    // More than two rows per level beyond what is there: at least two rounds over the levels.
    const target = before.movements + 2 * levelCount(layout) + 7;
    const grown = await extendLedger(client, target);
    expect(grown.before).toBe(before.movements);
    expect(grown.after).toBeGreaterThanOrEqual(target);
    expect(grown.after).toBe(await count("movements"));
    expect(await units()).toBe(before.units);
    const report = await checkInvariants(async (text) => (await client.query(text)).rows);
    expect(invariantProblems(report)).toEqual([]);
    // Asking for fewer rows than there are adds none.
    expect(await extendLedger(client, 1)).toMatchObject({ before: grown.after, after: grown.after });
  });
});
