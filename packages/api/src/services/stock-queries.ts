import {
  advanceAuditWatermark,
  ledgerAudit,
  ledgerFrontier,
  movements,
  type Queryable,
  queryOf,
  readAuditWatermark,
} from "@stockroom/db";
import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import { z } from "zod";
import { notFound } from "../errors";
import { decodeCursor, invalidCursor, type KeysetPosition, keysetPage } from "../lib/keyset";
import { ZStoreId, ZUuid, zText } from "../schemas/common";
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
  cursor?: string;
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
     * Counts the matching levels when `q` filters (the one total no kept count answers): the
     * products that match, from the trigram indexes, each probing its level by primary key,
     * so the cost follows the matching products.
     */
    count: `(select count(*) from products p join stock_levels l on l.product_id = p.id
       where ${productText}${level.length > 0 ? ` and ${levelText}` : ""})`,
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
  ${HELD_SQL} as reserved, l.min_stock, l.incoming, l.updated_at`;

type CountedRow = LevelRow & { total: number | string | null; level_sku: string; sort_key: number | string };

/** The total alone, with the page's parameters (the last two) left out, for an empty page. */
async function totalAlone(db: Queryable, st: Statement, total: string): Promise<number> {
  const again = new Statement();
  again.params.push(...st.params.slice(0, -2));
  const [row] = await again.rows<CountedRow>(db, `select ${total}::int as total`);
  return Number(row?.total ?? 0);
}

/**
 * A keyset list's page over levels: after a cursor, the rows past its key (one row comparison
 * on the list's index) with the total it carries; otherwise the offset page with the total
 * counted in the same statement. One row more than `limit` is read to know whether a next
 * page exists.
 */
async function levelPage(
  db: Queryable,
  st: Statement,
  q: {
    after: KeysetPosition<unknown[]> | null;
    input: { limit: number; offset: number };
    columns: string;
    /** FROM … WHERE, without the keyset condition. */
    from: string;
    /** The keyset condition for the cursor's key, given its placeholders. */
    past: (key: string[]) => string;
    keyValues: unknown[];
    order: string;
    total: string;
  },
): Promise<{ rows: CountedRow[]; offset: number; total: number }> {
  if (q.after) {
    const key = q.keyValues.map((v) => st.p(v));
    const rows = await st.rows<CountedRow>(
      db,
      `select ${q.columns} ${q.from} and ${q.past(key)} ${q.order} limit ${st.p(q.input.limit + 1)}`,
    );
    return { rows, offset: q.after.position, total: q.after.total };
  }
  const rows = await st.rows<CountedRow>(
    db,
    `select ${q.columns}, ${q.total}::int as total ${q.from} ${q.order}
     limit ${st.p(q.input.limit + 1)} offset ${st.p(q.input.offset)}`,
  );
  const total =
    rows.length === 0 && q.input.offset > 0 ? await totalAlone(db, st, q.total) : Number(rows[0]?.total ?? 0);
  return { rows, offset: q.input.offset, total };
}

const ZLevelKey = z.tuple([zText(0, 64), ZUuid]);

/**
 * A store's levels in sku order: one statement reads the page straight from the
 * (store_id, sku, product_id) index and the total from store_counts (store_category_counts
 * with a category; a count when q filters). An empty page falls back to checking the store exists.
 */
export async function listStoreInventory(db: Queryable, input: StoreInventoryInput) {
  const keyset = {
    list: "inventory",
    scope: { storeId: input.storeId, belowMin: input.belowMin, category: input.category, q: input.q },
    key: ZLevelKey,
  };
  const after = decodeCursor(keyset, input);
  const st = new Statement();
  const filters = levelFilters(st, input);
  // Kept counts (store_counts, or store_category_counts with a category) unless q filters.
  const stat =
    input.belowMin === true
      ? `c.below_min - ${filters.lapsedBelowMin}`
      : input.belowMin === false
        ? `c.levels - c.below_min + ${filters.lapsedBelowMin}`
        : "c.levels";
  const total = input.q
    ? filters.count
    : `(select coalesce(sum(${stat}), 0) from ${filters.category ? "store_category_counts" : "store_counts"} c
        where c.store_id = ${filters.store}${filters.category ? ` and c.category = ${filters.category}` : ""})`;
  const {
    rows,
    offset,
    total: count,
  } = await levelPage(db, st, {
    after,
    input,
    columns: `${LEVEL_COLUMNS}, l.sku as level_sku`,
    from: `from stock_levels l join products p on p.id = l.product_id where ${filters.where}`,
    past: ([sku, id]) => `(l.sku, l.product_id) > (${sku}::varchar, ${id}::uuid)`,
    keyValues: after?.after ?? [],
    order: "order by l.sku, l.product_id",
    total,
  });
  if (rows.length === 0) await assertStore(db, input.storeId);
  return keysetPage(keyset, rows, { limit: input.limit, offset, total: count }, toLevel, (r) => [
    r.level_sku,
    r.product_id,
  ]);
}

export interface AlertsInput {
  storeId?: string;
  category?: string;
  limit: number;
  offset: number;
  cursor?: string;
}

/**
 * The alerts order, biggest shortfall first, as ascending columns (quantity - reserved -
 * min_stock is minus the stored shortfall), so a cursor continues with one row comparison on the shortfall indexes.
 */
const ALERT_ORDER_KEY = "(l.quantity - l.reserved - l.min_stock)";
const ZAlertKey = z.tuple([z.number().int().min(-2_147_483_648).max(0), ZStoreId, zText(0, 64), ZUuid]);

/**
 * Levels whose available units are under their minimum, biggest shortfall first, read in that
 * order from the partial shortfall index. Levels of deleted stores do not exist (deleting a
 * store removes them). The order is by the stored shortfall: a level whose hold lapsed a
 * moment ago keeps its place until the hold is closed (seconds), though it answers its
 * shortfall as it is now.
 */
export async function listAlerts(db: Queryable, input: AlertsInput) {
  const keyset = {
    list: "alerts",
    scope: { storeId: input.storeId, category: input.category },
    key: ZAlertKey,
  };
  const after = decodeCursor(keyset, input);
  const st = new Statement();
  const filters = levelFilters(st, { ...input, belowMin: true });
  // Exact counts kept by triggers: per store (store_counts), per category and store
  // (store_category_counts, summed over the stores for a category alone).
  const kept = filters.category
    ? `(select coalesce(sum(c.below_min), 0) from store_category_counts c where c.category = ${filters.category}
        ${filters.store ? `and c.store_id = ${filters.store}` : ""})`
    : `(select coalesce(sum(c.below_min), 0) from store_counts c
         ${filters.store ? `where c.store_id = ${filters.store}` : ""})`;
  // With one store the store column is constant and left out, so the comparison matches the
  // per-store index's columns.
  const [order, store, sku, id] = after?.after ?? [];
  const {
    rows,
    offset,
    total: count,
  } = await levelPage(db, st, {
    after,
    input,
    columns: `${LEVEL_COLUMNS}, l.sku as level_sku, ${ALERT_ORDER_KEY} as sort_key`,
    from: `from stock_levels l join products p on p.id = l.product_id where ${filters.where}`,
    past: (k) =>
      filters.store
        ? `(${ALERT_ORDER_KEY}, l.sku, l.product_id) > (${k[0]}::int, ${k[1]}::varchar, ${k[2]}::uuid)`
        : `(${ALERT_ORDER_KEY}, l.store_id, l.sku, l.product_id) > (${k[0]}::int, ${k[1]}::varchar, ${k[2]}::varchar, ${k[3]}::uuid)`,
    keyValues: filters.store ? [order, sku, id] : [order, store, sku, id],
    order: `order by ${ALERT_ORDER_KEY}, l.store_id, l.sku, l.product_id`,
    total: `(${kept} - ${filters.lapsedBelowMin})`,
  });
  return keysetPage(
    keyset,
    rows,
    { limit: input.limit, offset, total: count },
    (r) => {
      const level = toLevel(r);
      return { ...level, shortfall: level.minStock - level.available };
    },
    (r) => [Number(r.sort_key), r.store_id, r.level_sku, r.product_id],
  );
}

/**
 * The ledger audit. Incremental (the default): the levels with movements after the watermark,
 * up to the ledger's frontier, each against its whole ledger. Full: every level. A run that
 * finds nothing wrong moves the watermark to the frontier; one that finds a discrepancy leaves
 * it, so the next run reports it again until it is corrected.
 */
export async function auditLedger(
  db: Queryable,
  input: { full?: boolean } = {},
  /** Runs the checks themselves, whose cost follows the ledger, e.g. with a longer timeout. */
  long: <T>(run: (db: Queryable) => Promise<T>) => Promise<T> = (run) => run(db),
) {
  const query = queryOf(db);
  const previous = await readAuditWatermark(query);
  const upTo = await db.transaction((tx) => ledgerFrontier(queryOf(tx)));
  const mode = input.full ? "full" : "incremental";
  const report = await long((checks) =>
    ledgerAudit(queryOf(checks), input.full ? undefined : { after: previous.seq, upTo }),
  );
  const watermark =
    report.discrepancies.length === 0 ? await advanceAuditWatermark(query, upTo, mode) : previous;
  return {
    mode,
    ...report,
    checkedFromSeq: input.full ? 0 : Math.min(previous.seq, upTo),
    checkedToSeq: upTo,
    watermark: watermark.seq,
    verifiedAt: watermark.verifiedAt,
  } as const;
}

export interface MovementListInput {
  productId?: string;
  storeId?: string;
  kind?: "adjustment" | "transfer_out" | "transfer_in" | "count";
  transferId?: string;
  reservationId?: string;
  shipmentId?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit: number;
}

const encodeMovementCursor = (seq: number) => Buffer.from(`m:${seq}`).toString("base64url");
function decodeMovementCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString();
  const seq = /^m:(\d{1,18})$/.exec(text)?.[1];
  if (!seq) throw invalidCursor();
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
  if (input.shipmentId) where.push(eq(movements.shipmentId, input.shipmentId));
  if (input.since) where.push(gte(movements.createdAt, new Date(input.since)));
  if (input.until) where.push(lte(movements.createdAt, new Date(input.until)));
  if (input.cursor) where.push(lt(movements.seq, decodeMovementCursor(input.cursor)));
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
    nextCursor: rows.length > input.limit && last ? encodeMovementCursor(last.seq) : null,
  };
}

export async function getMovement(db: Queryable, id: string) {
  const [row] = await db.select(MOVEMENT_COLUMNS).from(movements).where(eq(movements.id, id));
  if (!row) throw notFound("Movement", id);
  return toMovement(row);
}
