import { ledgerAudit, movements, type Queryable, queryOf } from "@stockroom/db";
import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import { AppError, notFound } from "../errors";
import { Statement } from "./named";
import { likePattern } from "./products";
import {
  BELOW_MIN_SQL,
  HELD_SQL,
  type LevelRow,
  MOVEMENT_COLUMNS,
  STORED_BELOW_MIN_SQL,
  toLevel,
  toMovement,
} from "./stock";
import { assertStore } from "./stores";

export interface StoreInventoryInput {
  storeId: string;
  belowMin?: boolean;
  category?: string;
  q?: string;
  limit: number;
  offset: number;
}

/**
 * The level filters and the product filters of a level list, as SQL text over `l`
 * (stock_levels) and `p` (products). stock_levels.category is the product's, kept by triggers.
 */
function levelFilters(
  st: Statement,
  input: { storeId?: string; category?: string; q?: string; belowMin?: boolean },
) {
  const level: string[] = [];
  const store = input.storeId !== undefined ? st.p(input.storeId) : null;
  const category = input.category !== undefined ? st.p(input.category) : null;
  if (store) level.push(`l.store_id = ${store}`);
  if (category) level.push(`l.category = ${category}`);
  // The stored predicate finds the candidates by index; the exact one drops levels whose
  // lapsed holds have not been closed yet.
  if (input.belowMin === true) level.push(`${STORED_BELOW_MIN_SQL} and ${BELOW_MIN_SQL}`);
  if (input.belowMin === false) level.push(`not (${BELOW_MIN_SQL})`);
  const product = ["p.deleted_at is null"];
  if (input.q) {
    const pattern = st.p(likePattern(input.q));
    product.push(`(p.name ilike ${pattern} or p.sku ilike ${pattern})`);
  }
  const levelText = level.join(" and ");
  const productText = product.join(" and ");
  return {
    /** The placeholders of the store and category filters, when given. */
    store,
    category,
    where: level.length > 0 ? `${levelText} and ${productText}` : productText,
    /**
     * Counts the matching levels whose product passes the product filters. The product is
     * probed per level (a correlated subquery the planner cannot turn into a hash join over
     * the whole catalogue), so the cost follows the matching levels, found by index. With
     * `q`, the other way round: the products that match, from the trigram indexes, each
     * probing its level by primary key, so the cost follows the matching products.
     */
    count: input.q
      ? `(select count(*) from products p join stock_levels l on l.product_id = p.id
         where ${productText}${level.length > 0 ? ` and ${levelText}` : ""})`
      : `(select count(*) from stock_levels l where ${levelText}
       and (select ${productText} from products p where p.id = l.product_id))`,
    /**
     * The kept below_min counters count a level by its stored `reserved`; this many of the
     * levels they count (under the store and category filters) are not under their minimum
     * any more, because holds on them lapsed and are not closed yet. Found through the lapsed
     * open lines (normally none: the sweeper closes them within seconds).
     */
    lapsedBelowMin: `(select count(*) from stock_levels l
       where (l.product_id, l.store_id) in (
               select r.product_id, r.store_id from reservation_lines r where r.open and r.expires_at <= now())
         and ${STORED_BELOW_MIN_SQL} and not (${BELOW_MIN_SQL})
         ${store ? `and l.store_id = ${store}` : ""} ${category ? `and l.category = ${category}` : ""}
         and (select p.deleted_at is null from products p where p.id = l.product_id))`,
  };
}

const LEVEL_COLUMNS = `l.product_id, p.sku, p.name, p.category, p.price, l.store_id, l.quantity,
  ${HELD_SQL} as reserved, l.min_stock, l.updated_at`;

type CountedRow = LevelRow & { total: number | string | null };

/** `total` of a page: exact, from the row counts the triggers keep, or counted when filtered. */
const pageOf = <T>(items: T[], rows: CountedRow[], input: { limit: number; offset: number }) => ({
  items,
  total: Number(rows[0]?.total ?? 0),
  limit: input.limit,
  offset: input.offset,
});

/** The total alone, with the page's parameters (the last two) left out, for an empty page. */
async function totalAlone(db: Queryable, st: Statement, total: string): Promise<CountedRow[]> {
  const again = new Statement();
  again.params.push(...st.params.slice(0, -2));
  return again.rows<CountedRow>(db, `select ${total}::int as total`);
}

/**
 * A store's levels in sku order: one statement reads the page straight from the
 * (store_id, sku, product_id) index and the total from store_counts (or a count when
 * category or q filter). An empty page falls back to checking the store exists.
 */
export async function listStoreInventory(db: Queryable, input: StoreInventoryInput) {
  const st = new Statement();
  const filters = levelFilters(st, input);
  const counted = input.category === undefined && !input.q;
  const stat =
    input.belowMin === true
      ? `c.below_min - ${filters.lapsedBelowMin}`
      : input.belowMin === false
        ? `c.levels - c.below_min + ${filters.lapsedBelowMin}`
        : "c.levels";
  const total = counted
    ? `(select coalesce(sum(${stat}), 0) from store_counts c where c.store_id = ${filters.store})`
    : filters.count;
  const rows = await st.rows<CountedRow>(
    db,
    `select ${LEVEL_COLUMNS}, ${total}::int as total
     from stock_levels l join products p on p.id = l.product_id
     where ${filters.where}
     order by l.sku, l.product_id
     limit ${st.p(input.limit)} offset ${st.p(input.offset)}`,
  );
  if (rows.length === 0) {
    await assertStore(db, input.storeId);
    if (input.offset > 0) return pageOf([], await totalAlone(db, st, total), input);
  }
  return pageOf(rows.map(toLevel), rows, input);
}

export interface AlertsInput {
  storeId?: string;
  category?: string;
  limit: number;
  offset: number;
}

/**
 * Levels whose available units are under their minimum, biggest shortfall first, read in that
 * order from the partial shortfall index. Levels of deleted stores do not exist (deleting a
 * store removes them). The order is by the stored shortfall: a level whose hold lapsed a
 * moment ago keeps its place until the hold is closed (seconds), though it answers its
 * shortfall as it is now.
 */
export async function listAlerts(db: Queryable, input: AlertsInput) {
  const st = new Statement();
  const filters = levelFilters(st, { ...input, belowMin: true });
  // Exact counts kept by triggers: per store (store_counts), per category and store
  // (store_category_counts, summed over the stores for a category alone).
  const kept = filters.category
    ? `(select coalesce(sum(c.below_min), 0) from store_category_counts c where c.category = ${filters.category}
        ${filters.store ? `and c.store_id = ${filters.store}` : ""})`
    : `(select coalesce(sum(c.below_min), 0) from store_counts c
         ${filters.store ? `where c.store_id = ${filters.store}` : ""})`;
  const total = `(${kept} - ${filters.lapsedBelowMin})`;
  const rows = await st.rows<CountedRow>(
    db,
    `select ${LEVEL_COLUMNS}, ${total}::int as total
     from stock_levels l join products p on p.id = l.product_id
     where ${filters.where}
     order by (l.min_stock - (l.quantity - l.reserved)) desc, l.store_id, l.sku, l.product_id
     limit ${st.p(input.limit)} offset ${st.p(input.offset)}`,
  );
  const counted = rows.length === 0 && input.offset > 0 ? await totalAlone(db, st, total) : rows;
  return pageOf(
    rows.map((r) => {
      const level = toLevel(r);
      return { ...level, shortfall: level.minStock - level.available };
    }),
    counted,
    input,
  );
}

/** Recomputes every level from the ledger; any difference is a discrepancy. */
export const auditLedger = (db: Queryable) => ledgerAudit(queryOf(db));

export interface MovementListInput {
  productId?: string;
  storeId?: string;
  kind?: "adjustment" | "transfer_out" | "transfer_in" | "count";
  transferId?: string;
  reservationId?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit: number;
}

const encodeCursor = (seq: number) => Buffer.from(`m:${seq}`).toString("base64url");
function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString();
  const seq = /^m:(\d{1,18})$/.exec(text)?.[1];
  if (!seq)
    throw new AppError("VALIDATION_FAILED", "cursor is not one this API returned", {
      issues: [{ path: "cursor", message: "Invalid cursor" }],
    });
  return Number(seq);
}

/** Newest first, keyset-paged on the ledger sequence: stable while new rows arrive. */
export async function listMovements(db: Queryable, input: MovementListInput) {
  const where: SQL[] = [];
  if (input.productId) where.push(eq(movements.productId, input.productId));
  if (input.storeId) where.push(eq(movements.storeId, input.storeId));
  if (input.kind) where.push(eq(movements.kind, input.kind));
  if (input.transferId) where.push(eq(movements.transferId, input.transferId));
  if (input.reservationId) where.push(eq(movements.reservationId, input.reservationId));
  if (input.since) where.push(gte(movements.createdAt, new Date(input.since)));
  if (input.until) where.push(lte(movements.createdAt, new Date(input.until)));
  if (input.cursor) where.push(lt(movements.seq, decodeCursor(input.cursor)));
  const rows = await db
    .select(MOVEMENT_COLUMNS)
    .from(movements)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(movements.seq))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toMovement),
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.seq) : null,
  };
}

export async function getMovement(db: Queryable, id: string) {
  const [row] = await db.select(MOVEMENT_COLUMNS).from(movements).where(eq(movements.id, id));
  if (!row) throw notFound("Movement", id);
  return toMovement(row);
}
