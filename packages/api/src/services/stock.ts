import { movements, type Queryable, rowsOf, stockLevels } from "@stockroom/db";
import { sql } from "drizzle-orm";
import { AppError, notFound } from "../errors";
import type { TMovement, TReason, TStockLevel } from "../routers/inventory/level.types";

type LevelRow = {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  price: string;
  store_id: string;
  quantity: number;
  min_stock: number;
  updated_at: Date | string;
};

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export const toLevel = (r: LevelRow): TStockLevel => ({
  productId: r.product_id,
  sku: r.sku,
  name: r.name,
  category: r.category,
  price: Number(r.price),
  storeId: r.store_id,
  quantity: Number(r.quantity),
  minStock: Number(r.min_stock),
  belowMin: Number(r.quantity) < Number(r.min_stock),
  updatedAt: iso(r.updated_at),
});

type MovementRow = typeof movements.$inferSelect;

export const toMovement = (m: MovementRow): TMovement => ({
  id: m.id,
  productId: m.productId,
  storeId: m.storeId,
  kind: m.kind,
  delta: m.delta,
  quantityAfter: m.quantityAfter,
  reason: m.reason,
  reference: m.reference,
  transferId: m.transferId,
  actor: m.actor,
  createdAt: m.createdAt.toISOString(),
});

/** Levels joined with their product, for answers. */
export async function readLevels(
  db: Queryable,
  productId: string,
  storeIds: string[],
): Promise<TStockLevel[]> {
  const rows = rowsOf<LevelRow>(
    await db.execute(sql`
      select l.product_id, p.sku, p.name, p.category, p.price, l.store_id, l.quantity, l.min_stock, l.updated_at
      from stock_levels l join products p on p.id = l.product_id
      where l.product_id = ${productId} and l.store_id in ${storeIds}
      order by l.store_id`),
  );
  return rows.map(toLevel);
}

/**
 * Checks that the product and the stores exist and are live, in one round trip, and
 * names the first one missing.
 */
async function assertExists(db: Queryable, productId: string, storeIds: string[]): Promise<void> {
  const [row] = rowsOf<{ product: boolean; stores: string[] | null }>(
    await db.execute(sql`
      select exists(select 1 from products where id = ${productId} and deleted_at is null) as product,
             (select array_agg(id) from stores where id in ${storeIds} and deleted_at is null) as stores`),
  );
  if (!row?.product) throw notFound("Product", productId);
  const found = new Set(parseTextArray(row.stores));
  for (const id of storeIds) if (!found.has(id)) throw notFound("Store", id);
}

/** node-postgres parses text[]; PGlite may hand back the literal. */
function parseTextArray(v: string[] | string | null): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  return v
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter(Boolean)
    .map((s) => s.replace(/^"|"$/g, ""));
}

/**
 * Takes row locks on the levels, in store-id order so that concurrent transfers in
 * opposite directions queue instead of deadlocking. Missing levels are created first
 * (at quantity 0) when `create` says so.
 */
async function lockLevels(
  db: Queryable,
  productId: string,
  storeIds: string[],
  create: string[],
): Promise<Map<string, { quantity: number; minStock: number }>> {
  const ordered = [...storeIds].sort();
  if (create.length > 0) {
    await db
      .insert(stockLevels)
      .values([...create].sort().map((storeId) => ({ productId, storeId })))
      .onConflictDoNothing();
  }
  const rows = rowsOf<{ store_id: string; quantity: number; min_stock: number }>(
    await db.execute(sql`
      select store_id, quantity, min_stock from stock_levels
      where product_id = ${productId} and store_id in ${ordered}
      order by store_id
      for update`),
  );
  return new Map(
    rows.map((r) => [r.store_id, { quantity: Number(r.quantity), minStock: Number(r.min_stock) }]),
  );
}

export const insufficient = (storeId: string, available: number, required: number) =>
  new AppError(
    "INSUFFICIENT_STOCK",
    `Insufficient stock in store ${storeId}. Available: ${available}, Required: ${required}`,
  );

const stale = (storeId: string, expected: number, actual: number) =>
  new AppError(
    "STALE_QUANTITY",
    `The level in store ${storeId} is ${actual}, not the expected ${expected}; it changed meanwhile. Re-read and retry.`,
  );

interface LedgerEntry {
  productId: string;
  storeId: string;
  kind: MovementRow["kind"];
  delta: number;
  reason?: string | null;
  reference?: string | null;
  transferId?: string | null;
  actor: string | null;
}

/** Applies deltas to locked levels and writes their ledger rows; returns the movements. */
async function applyDeltas(db: Queryable, entries: LedgerEntry[]): Promise<MovementRow[]> {
  const written: MovementRow[] = [];
  for (const e of entries) {
    const [level] = rowsOf<{ quantity: number }>(
      await db.execute(sql`
        update stock_levels set quantity = quantity + ${e.delta}, updated_at = now()
        where product_id = ${e.productId} and store_id = ${e.storeId}
        returning quantity`),
    );
    const [m] = await db
      .insert(movements)
      .values({
        productId: e.productId,
        storeId: e.storeId,
        kind: e.kind,
        delta: e.delta,
        quantityAfter: Number(level!.quantity),
        reason: e.reason ?? null,
        reference: e.reference ?? null,
        transferId: e.transferId ?? null,
        actor: e.actor,
      })
      .returning();
    written.push(m!);
  }
  return written;
}

async function bumpProductTotal(db: Queryable, productId: string, delta: number): Promise<void> {
  if (delta !== 0)
    await db.execute(
      sql`update products set total_quantity = total_quantity + ${delta} where id = ${productId}`,
    );
}

export interface AdjustInput {
  productId: string;
  storeId: string;
  delta: number;
  reason: TReason;
  reference?: string | null;
  expectedQuantity?: number;
}

export async function adjustStock(db: Queryable, input: AdjustInput, actor: string | null) {
  await assertExists(db, input.productId, [input.storeId]);
  const locked = await lockLevels(
    db,
    input.productId,
    [input.storeId],
    input.delta > 0 ? [input.storeId] : [],
  );
  const current = locked.get(input.storeId)?.quantity ?? 0;
  if (input.expectedQuantity !== undefined && input.expectedQuantity !== current)
    throw stale(input.storeId, input.expectedQuantity, current);
  if (current + input.delta < 0) throw insufficient(input.storeId, current, -input.delta);
  const [movement] = await applyDeltas(db, [
    {
      productId: input.productId,
      storeId: input.storeId,
      kind: "adjustment",
      delta: input.delta,
      reason: input.reason,
      reference: input.reference,
      actor,
    },
  ]);
  await bumpProductTotal(db, input.productId, input.delta);
  const [level] = await readLevels(db, input.productId, [input.storeId]);
  return { movement: toMovement(movement!), level: level! };
}

export interface TransferInput {
  productId: string;
  sourceStoreId: string;
  targetStoreId: string;
  quantity: number;
  reference?: string | null;
}

export async function transferStock(db: Queryable, input: TransferInput, actor: string | null) {
  const { productId, sourceStoreId: from, targetStoreId: to, quantity } = input;
  if (from === to)
    throw new AppError("VALIDATION_FAILED", "sourceStoreId and targetStoreId must differ", {
      issues: [{ path: "targetStoreId", message: "Must differ from sourceStoreId" }],
    });
  await assertExists(db, productId, [from, to]);
  const locked = await lockLevels(db, productId, [from, to], [to]);
  const available = locked.get(from)?.quantity ?? 0;
  if (available < quantity) throw insufficient(from, available, quantity);
  const transferId = crypto.randomUUID();
  const [out, inn] = await applyDeltas(db, [
    {
      productId,
      storeId: from,
      kind: "transfer_out",
      delta: -quantity,
      reference: input.reference,
      transferId,
      actor,
    },
    {
      productId,
      storeId: to,
      kind: "transfer_in",
      delta: quantity,
      reference: input.reference,
      transferId,
      actor,
    },
  ]);
  const levels = await readLevels(db, productId, [from, to]);
  return {
    transferId,
    productId,
    sourceStoreId: from,
    targetStoreId: to,
    quantity,
    reference: input.reference ?? null,
    createdAt: out!.createdAt.toISOString(),
    source: levels.find((l) => l.storeId === from)!,
    target: levels.find((l) => l.storeId === to)!,
    movements: [toMovement(out!), toMovement(inn!)],
  };
}

export interface SetLevelInput {
  productId: string;
  storeId: string;
  minStock?: number;
  quantity?: number;
  expectedQuantity?: number;
}

/** Sets the threshold and/or records a stock count (a ledger row of kind `count`). */
export async function setLevel(db: Queryable, input: SetLevelInput, actor: string | null) {
  await assertExists(db, input.productId, [input.storeId]);
  const locked = await lockLevels(db, input.productId, [input.storeId], [input.storeId]);
  const current = locked.get(input.storeId)?.quantity ?? 0;
  if (input.expectedQuantity !== undefined && input.expectedQuantity !== current)
    throw stale(input.storeId, input.expectedQuantity, current);
  if (input.minStock !== undefined)
    await db.execute(sql`
      update stock_levels set min_stock = ${input.minStock}, updated_at = now()
      where product_id = ${input.productId} and store_id = ${input.storeId}`);
  let movement: MovementRow | undefined;
  if (input.quantity !== undefined && input.quantity !== current) {
    const delta = input.quantity - current;
    [movement] = await applyDeltas(db, [
      {
        productId: input.productId,
        storeId: input.storeId,
        kind: "count",
        delta,
        reason: "correction",
        actor,
      },
    ]);
    await bumpProductTotal(db, input.productId, delta);
  }
  const [level] = await readLevels(db, input.productId, [input.storeId]);
  return { level: level!, movement: movement ? toMovement(movement) : null };
}
