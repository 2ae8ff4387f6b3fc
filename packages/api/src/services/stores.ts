import {
  movements,
  type Queryable,
  reservations,
  rowsOf,
  shipments,
  stockLevels,
  stores,
} from "@stockroom/db";
import { and, asc, eq, gt, isNull, or, sql } from "drizzle-orm";
import { AppError, notFound } from "../errors";
import type { TStore } from "../routers/stores/store.types";

type StoreRow = typeof stores.$inferSelect;

export const toStore = (row: StoreRow): TStore => ({
  id: row.id,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const live = (id: string) => and(eq(stores.id, id), isNull(stores.deletedAt));

export async function listStores(db: Queryable, input: { limit: number; offset: number }) {
  const [items, [count]] = await Promise.all([
    db
      .select()
      .from(stores)
      .where(isNull(stores.deletedAt))
      .orderBy(asc(stores.id))
      .limit(input.limit)
      .offset(input.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(stores).where(isNull(stores.deletedAt)),
  ]);
  return {
    items: items.map(toStore),
    total: Number(count?.n ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}

export async function getStore(db: Queryable, id: string): Promise<TStore> {
  const [row] = await db.select().from(stores).where(live(id));
  if (!row) throw notFound("Store", id);
  return toStore(row);
}

/** Throws NOT_FOUND unless the store exists and is live. */
export async function assertStore(db: Queryable, id: string): Promise<void> {
  const [row] = await db.select({ id: stores.id }).from(stores).where(live(id));
  if (!row) throw notFound("Store", id);
}

export async function createStore(db: Queryable, input: { id: string; name: string }): Promise<TStore> {
  const [row] = await db.insert(stores).values(input).onConflictDoNothing().returning();
  if (!row) {
    const [existing] = await db
      .select({ deletedAt: stores.deletedAt })
      .from(stores)
      .where(eq(stores.id, input.id));
    throw new AppError(
      "STORE_EXISTS",
      existing?.deletedAt
        ? `Store id ${input.id} belonged to a deleted store whose ledger is kept; choose another id`
        : `Store ${input.id} already exists`,
    );
  }
  return toStore(row);
}

export async function updateStore(db: Queryable, id: string, patch: { name?: string }): Promise<TStore> {
  const [row] = await db
    .update(stores)
    .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), updatedAt: new Date() })
    .where(live(id))
    .returning();
  if (!row) throw notFound("Store", id);
  return toStore(row);
}

/**
 * Refuses while the store holds stock. A store with ledger history is soft-deleted so
 * the ledger keeps pointing at it; one without is removed outright.
 */
export async function deleteStore(db: Queryable, id: string): Promise<void> {
  const [row] = await db.select({ id: stores.id }).from(stores).where(live(id)).for("update");
  if (!row) throw notFound("Store", id);
  const [held] = await db
    .select({
      n: sql<number>`count(*)::int`,
      units: sql<number>`coalesce(sum(${stockLevels.quantity}), 0)::int`,
      incoming: sql<number>`coalesce(sum(${stockLevels.incoming}), 0)::int`,
    })
    .from(stockLevels)
    .where(and(eq(stockLevels.storeId, id), or(gt(stockLevels.quantity, 0), gt(stockLevels.incoming, 0))));
  if (held && Number(held.n) > 0)
    throw new AppError(
      "STORE_NOT_EMPTY",
      Number(held.incoming) > 0
        ? `Store ${id} still holds ${held.units} units and has ${held.incoming} units in transit towards it, of ${held.n} products; receive or close its shipments and move its stock out first`
        : `Store ${id} still holds ${held.units} units of ${held.n} products; transfer or adjust them out first`,
    );
  // Ledger rows, reservations and shipments keep pointing at the store: then it is kept,
  // marked deleted. (Checked first: a failed DELETE would abort the transaction.)
  const [history] = rowsOf<{ any: boolean }>(
    await db.execute(sql`select exists (select 1 from ${movements} where ${movements.storeId} = ${id})
      or exists (select 1 from ${reservations} where ${reservations.storeId} = ${id})
      or exists (select 1 from ${shipments} where ${shipments.sourceStoreId} = ${id} or ${shipments.targetStoreId} = ${id}) as any`),
  );
  await db.delete(stockLevels).where(eq(stockLevels.storeId, id));
  if (history?.any) {
    await db.update(stores).set({ deletedAt: new Date(), updatedAt: new Date() }).where(eq(stores.id, id));
  } else {
    await db.delete(stores).where(eq(stores.id, id));
  }
}
