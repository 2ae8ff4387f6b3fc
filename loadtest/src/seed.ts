import type pg from "pg";
import { CATEGORIES, HOT_QUANTITY } from "../scenarios.js";

export interface Layout {
  products: number;
  stores: number;
  hotProducts: number;
  levelsPerColdProduct: number;
  categories: number;
}

/** Product ids are derived from the index, so pgbench scripts can name them without a lookup. */
export const productId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

// The same formulas as SQL expressions over an integer expression, for the bulk seed and the
// pgbench scripts. They must agree with scenarios.js (sku, storeId, category, price,
// levelStores, levelQuantity, levelMinStock): loadtest/test/seed.test.ts compares them.
/** lpad that never truncates (PostgreSQL's lpad cuts a longer string; padStart does not). */
const padSql = (text: string, width: number) => `lpad(${text}, greatest(${width}, length(${text})), '0')`;
export const productIdSql = (i: string) =>
  `('00000000-0000-4000-8000-' || ${padSql(`to_hex((${i})::bigint)`, 12)})::uuid`;
export const storeIdSql = (k: string) => `('lt-s' || ${padSql(`(${k})::text`, 2)})`;
const skuSql = (i: string) => `('LT-' || ${padSql(`(${i})::text`, 5)})`;
const priceSql = (i: string) => `(1 + (((${i})::bigint * 7919) % 50000) / 100.0)::numeric(12, 2)`;
const levelQuantitySql = (layout: Layout, i: string, k: string) =>
  `case when (${i}) < ${layout.hotProducts} then ${HOT_QUANTITY} else 50 + (((${i}) * 7 + (${k}) * 13) % 150) end`;
const levelMinStockSql = (i: string, k: string) => `(((${i}) * 3 + (${k}) * 11) % 80)`;

/**
 * Runs `insert` (ledger rows derived from existing levels, inside the caller's transaction)
 * without the row-by-row foreign-key checks: their keys hold by construction, and checking them
 * (a key-share lock on the product, the store and the level, millions of times) is most of a
 * large seed. A superuser skips them for this one statement (replica mode fires no ordinary
 * trigger, and movements has only the foreign-key ones); any other role checks them.
 */
async function withoutKeyChecks(client: pg.ClientBase, insert: () => Promise<unknown>): Promise<void> {
  const skip = await client.query("savepoint seed_keys; set local session_replication_role = replica").then(
    () => true,
    () => client.query("rollback to savepoint seed_keys").then(() => false),
  );
  await insert();
  if (skip) await client.query("set local session_replication_role = origin");
}

export interface SeedSummary {
  products: number;
  stores: number;
  levels: number;
  movements: number;
  units: number;
  ms: number;
}

/**
 * Loads a layout in one transaction with a handful of bulk statements: every row is computed
 * by PostgreSQL from generate_series with the formulas of scenarios.js (the same ones the
 * drivers use to pick requests), so 200,000 products and millions of levels never pass
 * through Node. The ledger is derived from the levels, so every level is explained by its
 * movements (received, then some sold), and products.total_quantity is the sum of its levels.
 * The count tables are kept by the statement triggers of the inserts, as for any bulk write.
 */
export async function seedDataset(client: pg.ClientBase, layout: Layout): Promise<SeedSummary> {
  const started = performance.now();
  const hot = Math.min(layout.hotProducts, layout.products);
  const step = Math.floor(layout.stores / layout.levelsPerColdProduct);
  await client.query("begin");
  try {
    // Sorting the ledger rows of a large layout wants more than the default 4 MB.
    await client.query("set local work_mem = '256MB'");
    await client.query(
      `insert into stores (id, name)
       select ${storeIdSql("k")}, 'Loadtest store ' || k from generate_series(0, $1::int - 1) k`,
      [layout.stores],
    );
    // Older products first, so the default createdAt order is the index order.
    await client.query(
      `insert into products (id, sku, name, description, category, price, created_at, updated_at)
       select ${productIdSql("i")}, ${skuSql("i")}, 'Loadtest item ' || i || ' ' || c.name,
              'Seeded by the load test', c.name, ${priceSql("i")},
              now() - make_interval(secs => $1::int - 1 - i), now() - make_interval(secs => $1::int - 1 - i)
       from generate_series(0, $1::int - 1) i
       cross join lateral (select ($2::text[])[i % $3::int + 1] as name) c`,
      [layout.products, CATEGORIES.slice(0, layout.categories), layout.categories],
    );
    // Hot products in every store; each cold one in levelsPerColdProduct stores, `step` apart.
    await client.query(
      `insert into stock_levels (product_id, store_id, quantity, min_stock)
       select ${productIdSql("i")}, ${storeIdSql("k")}, ${levelQuantitySql(layout, "i", "k")}, ${levelMinStockSql("i", "k")}
       from (
         select i, k from generate_series(0, $1::int - 1) i cross join generate_series(0, $2::int - 1) k
         union all
         select i, (i + j * $3::int) % $2::int
         from generate_series($1::int, $4::int - 1) i cross join generate_series(0, $5::int - 1) j
       ) l(i, k)`,
      [hot, layout.stores, step, layout.products, layout.levelsPerColdProduct],
    );
    // Ledger: each level was received (quantity + some), then some were sold; running sums hold.
    await withoutKeyChecks(client, () =>
      client.query(
        `insert into movements (product_id, store_id, kind, delta, quantity_after, reason, reference, created_at)
         select l.product_id, l.store_id, 'adjustment', v.delta, v.after, v.reason, 'seed', now() - interval '1 day'
         from stock_levels l
         cross join lateral (values
           (1, l.quantity + l.quantity % 7, l.quantity + l.quantity % 7, 'received'),
           (2, -(l.quantity % 7), l.quantity, 'sold')) v(n, delta, after, reason)
         where v.n = 1 or l.quantity % 7 <> 0
         order by l.product_id, l.store_id, v.n`,
      ),
    );
    await client.query(
      `update products p set total_quantity = s.units
       from (select product_id, sum(quantity)::int as units from stock_levels group by product_id) s
       where s.product_id = p.id`,
    );
    await client.query("commit");
  } catch (err) {
    await client.query("rollback");
    throw err;
  }
  // Fresh visibility map and statistics, as a database that has been running a while would have.
  await client.query("vacuum analyze");
  const { rows } = await client.query<{ levels: number; movements: number; units: number }>(
    `select (select count(*)::int from stock_levels) as levels,
            (select count(*)::int from movements) as movements,
            (select coalesce(sum(quantity), 0)::bigint::text from stock_levels) as units`,
  );
  return {
    products: layout.products,
    stores: layout.stores,
    levels: rows[0]!.levels,
    movements: rows[0]!.movements,
    units: Number(rows[0]!.units),
    ms: Math.round(performance.now() - started),
  };
}

export interface LedgerExtension {
  /** Ledger rows before and after. */
  before: number;
  after: number;
  ms: number;
}

/**
 * Grows the ledger of a seeded dataset to at least `minRows` rows, for measuring what scales
 * with the ledger (the audit, backups) past what the layout's levels give (the large layout:
 * ≈ 4.1 M rows). Each added pair is a later delivery and its sale on one level (+5, then −5,
 * levels in key order, as many rounds over the levels as needed), so every level keeps its
 * quantity and the running sums hold; no other table changes. Rows come after the seed's in
 * ledger order, dated 12 hours ago.
 */
export async function extendLedger(client: pg.ClientBase, minRows: number): Promise<LedgerExtension> {
  const started = performance.now();
  const count = async () =>
    Number((await client.query<{ n: string }>("select count(*) as n from movements")).rows[0]!.n);
  const before = await count();
  let missing = minRows - before;
  if (missing <= 0) return { before, after: before, ms: Math.round(performance.now() - started) };
  const levels = Number(
    (await client.query<{ n: string }>("select count(*) as n from stock_levels")).rows[0]!.n,
  );
  if (levels === 0) throw new Error("extendLedger needs a seeded dataset: there are no stock levels");
  await client.query("begin");
  try {
    await client.query("set local work_mem = '256MB'");
    while (missing > 0) {
      const pairs = Math.min(levels, Math.ceil(missing / 2));
      await withoutKeyChecks(client, () =>
        client.query(
          `insert into movements (product_id, store_id, kind, delta, quantity_after, reason, reference, created_at)
           select l.product_id, l.store_id, 'adjustment', v.delta, v.after, v.reason, 'seed-history',
                  now() - interval '12 hours'
           from (select product_id, store_id, quantity from stock_levels
                 order by product_id, store_id limit $1) l
           cross join lateral (values (1, 5, l.quantity + 5, 'received'), (2, -5, l.quantity, 'sold'))
             v(n, delta, after, reason)
           order by l.product_id, l.store_id, v.n`,
          [pairs],
        ),
      );
      missing -= pairs * 2;
    }
    await client.query("commit");
  } catch (err) {
    await client.query("rollback");
    throw err;
  }
  await client.query("vacuum analyze movements");
  return { before, after: await count(), ms: Math.round(performance.now() - started) };
}
