import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../src/client";
import { sql } from "../src/index";
import { INVARIANT_SQL } from "../src/invariants";
import { createTestDatabase, type ScratchDatabase, testBackends } from "../src/testing";

/**
 * The count tables (category_counts, store_counts, store_category_counts) answer list totals
 * without counting, so
 * they must equal a recount after every kind of write: level inserts in bulk, quantity and
 * minimum changes that cross the minimum, a product deleted, revived, moved to another
 * category, levels deleted with their store.
 */
const backends = await testBackends();

describe.each(backends)("count tables stay exact (%s)", (backend) => {
  let scratch: ScratchDatabase;
  const run = (q: ReturnType<typeof sql>) => scratch.database.db.execute(q);

  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    await run(sql`insert into stores (id, name) values ('a', 'A'), ('b', 'B'), ('c', 'C')`);
    await run(sql`insert into products (id, sku, name, category, price) values
      ('00000000-0000-4000-8000-000000000001', 'P1', 'one', 'tools', 1),
      ('00000000-0000-4000-8000-000000000002', 'P2', 'two', 'tools', 1),
      ('00000000-0000-4000-8000-000000000003', 'P3', 'three', 'paint', 1)`);
  });
  afterAll(() => scratch?.drop());

  async function expectExact(step: string) {
    const wrong = rowsOf<{ counter: string }>(await run(sql.raw(INVARIANT_SQL.counters)));
    expect(wrong, step).toEqual([]);
  }

  it("after every kind of write", async () => {
    await expectExact("products only");
    await run(sql`insert into stock_levels (product_id, store_id, quantity, min_stock) values
      ('00000000-0000-4000-8000-000000000001', 'a', 5, 10),
      ('00000000-0000-4000-8000-000000000001', 'b', 50, 10),
      ('00000000-0000-4000-8000-000000000002', 'a', 0, 3),
      ('00000000-0000-4000-8000-000000000003', 'a', 1, 2),
      ('00000000-0000-4000-8000-000000000003', 'c', 9, 2)`);
    await expectExact("bulk insert");
    await run(sql`update stock_levels set quantity = 20
      where product_id = '00000000-0000-4000-8000-000000000001' and store_id = 'a'`);
    await expectExact("a level rises above its minimum");
    await run(sql`update stock_levels set min_stock = 100 where store_id = 'c'`);
    await expectExact("a minimum raised above the level");
    await run(sql`update products set deleted_at = now() where sku = 'P2'`);
    await expectExact("a product deleted");
    await run(
      sql`update stock_levels set quantity = 7 where product_id = '00000000-0000-4000-8000-000000000002'`,
    );
    await expectExact("a deleted product's level changes");
    await run(sql`update products set deleted_at = null where sku = 'P2'`);
    await expectExact("the product revived");
    await run(sql`update products set category = 'paint' where sku = 'P1'`);
    await run(
      sql`update stock_levels set quantity = 1 where product_id = '00000000-0000-4000-8000-000000000001'`,
    );
    await expectExact("a product moved to another category, then under its minimum");
    await run(sql`update products set category = 'garden', deleted_at = now() where sku = 'P3'`);
    await expectExact("moved and deleted at once");
    await run(sql`update products set deleted_at = null where sku = 'P3'`);
    await expectExact("revived in its new category");
    await run(sql`delete from stock_levels where store_id = 'a'`);
    await expectExact("a store's levels deleted");
  });

  it("names every kept count that differs from a recount", async () => {
    await run(sql`update store_counts set levels = levels + 1 where store_id = 'b'`);
    await run(sql`update store_counts set below_min = below_min + 2 where store_id = 'c'`);
    await run(sql`insert into store_category_counts (store_id, category, below_min) values ('a', 'tools', 4)
      on conflict (category, store_id) do update set below_min = store_category_counts.below_min + 4`);
    await run(sql`update category_counts set products = products + 1 where category = 'paint'`);
    // A store's levels of one category (its inventory page's total), off by one alone.
    await run(sql`insert into store_category_counts (store_id, category, levels) values ('b', 'paint', 1)
      on conflict (category, store_id) do update set levels = store_category_counts.levels + 1`);
    // Rows for a category no product has: nothing is recounted beside them, they must be zero.
    await run(sql`insert into category_counts (category, products) values ('ghosts', 2)`);
    await run(sql`insert into store_category_counts (store_id, category, levels) values ('a', 'ghosts', 3)`);
    await run(sql`insert into store_category_counts (store_id, category) values ('b', 'ghosts')`);
    const wrong = rowsOf<{ counter: string }>(await run(sql.raw(INVARIANT_SQL.counters)));
    expect(wrong.map((r) => r.counter)).toEqual([
      "category ghosts",
      "category paint",
      "store and category a/ghosts",
      "store and category a/tools",
      "store and category b/paint",
      "store b",
      "store c",
    ]);
  });
});
