import type pg from "pg";
import { category, levelMinStock, levelQuantity, levelStores, price, sku, storeId } from "../scenarios.js";

export interface Layout {
  products: number;
  stores: number;
  hotProducts: number;
  levelsPerColdProduct: number;
  categories: number;
}

/** Product ids are derived from the index, so pgbench scripts can name them without a lookup. */
export const productId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
/** The same id as a SQL expression over a pgbench integer variable. */
export const productIdSql = (variable: string) =>
  `('00000000-0000-4000-8000-' || lpad(to_hex(:${variable}), 12, '0'))::uuid`;
export const storeIdSql = (variable: string) => `('lt-s' || lpad((:${variable})::text, 2, '0'))`;

export interface SeedSummary {
  products: number;
  stores: number;
  levels: number;
  movements: number;
  units: number;
  ms: number;
}

/**
 * Loads the dataset in one transaction with a handful of bulk statements: the rows are
 * computed from scenarios.js (the same formulas the drivers use to pick requests) and sent
 * as arrays. The ledger is derived from the levels, so every level is explained by its
 * movements (received, then some sold) and products.total_quantity is the sum of its levels.
 */
export async function seedDataset(client: pg.ClientBase, layout: Layout): Promise<SeedSummary> {
  const started = performance.now();
  const ids: string[] = [];
  const skus: string[] = [];
  const names: string[] = [];
  const categories: string[] = [];
  const prices: string[] = [];
  const lp: string[] = [];
  const ls: string[] = [];
  const lq: number[] = [];
  const lm: number[] = [];
  for (let i = 0; i < layout.products; i++) {
    ids.push(productId(i));
    skus.push(sku(i));
    names.push(`Loadtest item ${i} ${category(layout, i)}`);
    categories.push(category(layout, i)!);
    prices.push(price(i).toFixed(2));
    for (const k of levelStores(layout, i)) {
      lp.push(productId(i));
      ls.push(storeId(k));
      lq.push(levelQuantity(layout, i, k));
      lm.push(levelMinStock(layout, i, k));
    }
  }
  await client.query("begin");
  try {
    await client.query(
      `insert into stores (id, name)
       select 'lt-s' || lpad(k::text, 2, '0'), 'Loadtest store ' || k from generate_series(0, $1::int - 1) k`,
      [layout.stores],
    );
    // Older products first, so the default createdAt order is the index order.
    await client.query(
      `insert into products (id, sku, name, description, category, price, created_at, updated_at)
       select id, sku, name, 'Seeded by the load test', category, price,
              now() - make_interval(secs => $6::int - n), now() - make_interval(secs => $6::int - n)
       from unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::numeric[])
            with ordinality as t(id, sku, name, category, price, n)`,
      [ids, skus, names, categories, prices, layout.products],
    );
    await client.query(
      `insert into stock_levels (product_id, store_id, quantity, min_stock)
       select * from unnest($1::uuid[], $2::varchar[], $3::int[], $4::int[])`,
      [lp, ls, lq, lm],
    );
    // Ledger: each level was received (quantity + some), then some were sold; running sums hold.
    await client.query(
      `insert into movements (product_id, store_id, kind, delta, quantity_after, reason, reference, created_at)
       select l.product_id, l.store_id, 'adjustment', v.delta, v.after, v.reason, 'seed', now() - interval '1 day'
       from stock_levels l
       cross join lateral (values
         (1, l.quantity + l.quantity % 7, l.quantity + l.quantity % 7, 'received'),
         (2, -(l.quantity % 7), l.quantity, 'sold')) v(n, delta, after, reason)
       where v.n = 1 or l.quantity % 7 <> 0
       order by l.product_id, l.store_id, v.n`,
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
