import { movements, type Queryable, rowsOf } from "@stockroom/db";
import { and, desc, eq, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import { AppError, notFound } from "../errors";
import { likePattern } from "./products";
import { toLevel, toMovement } from "./stock";
import { assertStore } from "./stores";

type LevelRow = Parameters<typeof toLevel>[0];

export interface StoreInventoryInput {
  storeId: string;
  belowMin?: boolean;
  category?: string;
  q?: string;
  limit: number;
  offset: number;
}

const levelFilters = (input: { category?: string; q?: string }): SQL[] => {
  const where: SQL[] = [sql`p.deleted_at is null`];
  if (input.category !== undefined) where.push(sql`p.category = ${input.category}`);
  if (input.q) {
    const pattern = likePattern(input.q);
    where.push(sql`(p.name ilike ${pattern} or p.sku ilike ${pattern})`);
  }
  return where;
};

export async function listStoreInventory(db: Queryable, input: StoreInventoryInput) {
  await assertStore(db, input.storeId);
  const where = [sql`l.store_id = ${input.storeId}`, ...levelFilters(input)];
  if (input.belowMin === true) where.push(sql`l.quantity < l.min_stock`);
  if (input.belowMin === false) where.push(sql`l.quantity >= l.min_stock`);
  const condition = sql.join(where, sql` and `);
  const [items, count] = await Promise.all([
    db.execute(sql`
      select l.product_id, p.sku, p.name, p.category, p.price, l.store_id, l.quantity, l.min_stock, l.updated_at
      from stock_levels l join products p on p.id = l.product_id
      where ${condition}
      order by p.sku, l.product_id
      limit ${input.limit} offset ${input.offset}`),
    db.execute(
      sql`select count(*)::int as n from stock_levels l join products p on p.id = l.product_id where ${condition}`,
    ),
  ]);
  return {
    items: rowsOf<LevelRow>(items).map(toLevel),
    total: Number(rowsOf<{ n: number }>(count)[0]?.n ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}

export interface AlertsInput {
  storeId?: string;
  category?: string;
  limit: number;
  offset: number;
}

/** Levels under their minimum, biggest shortfall first. */
export async function listAlerts(db: Queryable, input: AlertsInput) {
  const where = [sql`l.quantity < l.min_stock`, sql`s.deleted_at is null`, ...levelFilters(input)];
  if (input.storeId !== undefined) where.push(sql`l.store_id = ${input.storeId}`);
  const condition = sql.join(where, sql` and `);
  const from = sql`from stock_levels l join products p on p.id = l.product_id join stores s on s.id = l.store_id`;
  const [items, count] = await Promise.all([
    db.execute(sql`
      select l.product_id, p.sku, p.name, p.category, p.price, l.store_id, l.quantity, l.min_stock, l.updated_at
      ${from} where ${condition}
      order by (l.min_stock - l.quantity) desc, l.store_id, p.sku, l.product_id
      limit ${input.limit} offset ${input.offset}`),
    db.execute(sql`select count(*)::int as n ${from} where ${condition}`),
  ]);
  return {
    items: rowsOf<LevelRow>(items).map((r) => {
      const level = toLevel(r);
      return { ...level, shortfall: level.minStock - level.quantity };
    }),
    total: Number(rowsOf<{ n: number }>(count)[0]?.n ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}

/** Recomputes every level from the ledger; any difference is a discrepancy. */
export async function auditLedger(db: Queryable) {
  const [checked] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from stock_levels`));
  const rows = rowsOf<{ product_id: string; store_id: string; quantity: number; ledger_sum: number }>(
    await db.execute(sql`
      select coalesce(l.product_id, m.product_id) as product_id, coalesce(l.store_id, m.store_id) as store_id,
             coalesce(l.quantity, 0)::int as quantity, coalesce(m.total, 0)::int as ledger_sum
      from stock_levels l
      full outer join (select product_id, store_id, sum(delta) as total from movements group by product_id, store_id) m
        on m.product_id = l.product_id and m.store_id = l.store_id
      where coalesce(l.quantity, 0) <> coalesce(m.total, 0)
      order by 1, 2
      limit 1000`),
  );
  return {
    checkedLevels: Number(checked?.n ?? 0),
    discrepancies: rows.map((r) => ({
      productId: r.product_id,
      storeId: r.store_id,
      quantity: Number(r.quantity),
      ledgerSum: Number(r.ledger_sum),
    })),
  };
}

export interface MovementListInput {
  productId?: string;
  storeId?: string;
  kind?: "adjustment" | "transfer_out" | "transfer_in" | "count";
  transferId?: string;
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
  if (input.since) where.push(gte(movements.createdAt, new Date(input.since)));
  if (input.until) where.push(lte(movements.createdAt, new Date(input.until)));
  if (input.cursor) where.push(lt(movements.seq, decodeCursor(input.cursor)));
  const rows = await db
    .select()
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
  const [row] = await db.select().from(movements).where(eq(movements.id, id));
  if (!row) throw notFound("Movement", id);
  return toMovement(row);
}
