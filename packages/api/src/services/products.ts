import { PgCode, pgConstraint, pgErrorCode, products, type Queryable, rowsOf } from "@stockroom/db";
import { and, asc, desc, eq, gte, ilike, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { AppError, issuesFromZod, notFound } from "../errors";
import {
  type TProduct,
  type TProductCreateInput,
  ZProductCreateInput,
} from "../routers/products/product.types";

const productColumns = {
  id: products.id,
  sku: products.sku,
  name: products.name,
  description: products.description,
  category: products.category,
  price: products.price,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
  totalQuantity: products.totalQuantity,
};

type ProductRow = {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string;
  price: string;
  createdAt: Date;
  updatedAt: Date;
  totalQuantity: number | string;
};

export function toProduct(row: ProductRow): TProduct {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    price: Number(row.price),
    totalQuantity: Number(row.totalQuantity),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface ProductListInput {
  category?: string;
  priceMin?: number;
  priceMax?: number;
  stockMin?: number;
  q?: string;
  sort?: "name" | "-name" | "price" | "-price" | "sku" | "-sku" | "createdAt" | "-createdAt";
  limit: number;
  offset: number;
}

/** Escapes LIKE wildcards so `q` is a plain substring. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listProducts(db: Queryable, input: ProductListInput) {
  const where: SQL[] = [isNull(products.deletedAt)];
  if (input.category !== undefined) where.push(eq(products.category, input.category));
  if (input.priceMin !== undefined) where.push(gte(products.price, input.priceMin.toFixed(2)));
  if (input.priceMax !== undefined) where.push(lte(products.price, input.priceMax.toFixed(2)));
  if (input.stockMin !== undefined) where.push(gte(products.totalQuantity, input.stockMin));
  if (input.q) {
    const pattern = likePattern(input.q);
    where.push(or(ilike(products.name, pattern), ilike(products.sku, pattern))!);
  }
  const sort = input.sort ?? "createdAt";
  const dir = sort.startsWith("-") ? desc : asc;
  const column = {
    name: products.name,
    price: products.price,
    sku: products.sku,
    createdAt: products.createdAt,
  }[sort.replace(/^-/, "") as "name" | "price" | "sku" | "createdAt"];
  const condition = and(...where);
  const [items, [count]] = await Promise.all([
    db
      .select(productColumns)
      .from(products)
      .where(condition)
      .orderBy(dir(column), dir(products.id))
      .limit(input.limit)
      .offset(input.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(products).where(condition),
  ]);
  return {
    items: items.map(toProduct),
    total: Number(count?.n ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}

export async function getProduct(db: Queryable, id: string): Promise<TProduct> {
  const [row] = await db
    .select(productColumns)
    .from(products)
    .where(and(eq(products.id, id), isNull(products.deletedAt)));
  if (!row) throw notFound("Product", id);
  return toProduct(row);
}

function skuTaken(sku: string, err: unknown): AppError | null {
  if (pgErrorCode(err) === PgCode.uniqueViolation && pgConstraint(err) === "products_sku_live_uq")
    return new AppError("SKU_TAKEN", `SKU ${sku} is already used by another product`);
  return null;
}

export async function createProduct(db: Queryable, input: TProductCreateInput): Promise<TProduct> {
  try {
    const [row] = await db
      .insert(products)
      .values({
        sku: input.sku,
        name: input.name,
        description: input.description ?? null,
        category: input.category,
        price: input.price.toFixed(2),
      })
      .returning();
    return toProduct(row!);
  } catch (err) {
    throw skuTaken(input.sku, err) ?? err;
  }
}

export async function updateProduct(
  db: Queryable,
  id: string,
  patch: Partial<TProductCreateInput>,
): Promise<TProduct> {
  const set: Partial<typeof products.$inferInsert> = { updatedAt: new Date() };
  if (patch.sku !== undefined) set.sku = patch.sku;
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.category !== undefined) set.category = patch.category;
  if (patch.price !== undefined) set.price = patch.price.toFixed(2);
  try {
    const [row] = await db
      .update(products)
      .set(set)
      .where(and(eq(products.id, id), isNull(products.deletedAt)))
      .returning({ id: products.id });
    if (!row) throw notFound("Product", id);
  } catch (err) {
    throw (patch.sku && skuTaken(patch.sku, err)) || err;
  }
  return getProduct(db, id);
}

export async function deleteProduct(db: Queryable, id: string): Promise<void> {
  const [row] = await db
    .update(products)
    .set({ deletedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(products.id, id), isNull(products.deletedAt)))
    .returning({ id: products.id });
  if (!row) throw notFound("Product", id);
}

export interface UpsertFailure {
  index: number;
  sku: string | null;
  code: "VALIDATION_FAILED" | "SKU_TAKEN";
  detail: string;
}

/**
 * Upserts by sku (case-insensitively, among live products) in one statement. Rows that
 * fail validation are reported; with rejectAll any failure writes nothing.
 */
export async function upsertProducts(
  db: Queryable,
  items: unknown[],
  onError: "rejectAll" | "skipFailed",
): Promise<{ created: number; updated: number; failed: UpsertFailure[] }> {
  const failed: UpsertFailure[] = [];
  const valid: TProductCreateInput[] = [];
  const seen = new Map<string, number>();
  items.forEach((raw, index) => {
    const rawSku = (raw as { sku?: unknown } | null)?.sku;
    const sku = typeof rawSku === "string" ? rawSku : null;
    const parsed = ZProductCreateInput.safeParse(raw);
    if (!parsed.success) {
      const issues = issuesFromZod(parsed.error.issues);
      failed.push({
        index,
        sku,
        code: "VALIDATION_FAILED",
        detail: issues.map((i) => `${i.path}: ${i.message}`).join("; "),
      });
      return;
    }
    const key = parsed.data.sku.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      failed.push({
        index,
        sku,
        code: "VALIDATION_FAILED",
        detail: `Duplicate sku in this batch (first at index ${first})`,
      });
      return;
    }
    seen.set(key, index);
    valid.push(parsed.data);
  });
  if (valid.length === 0 || (onError === "rejectAll" && failed.length > 0))
    return { created: 0, updated: 0, failed };

  const result = await db.execute(sql`
    insert into products (sku, name, description, category, price)
    select * from unnest(
      ${sqlArray(valid.map((v) => v.sku))}::varchar[],
      ${sqlArray(valid.map((v) => v.name))}::varchar[],
      ${sqlArray(valid.map((v) => v.description ?? null))}::text[],
      ${sqlArray(valid.map((v) => v.category))}::varchar[],
      ${sqlArray(valid.map((v) => v.price.toFixed(2)))}::numeric[]
    )
    on conflict (lower(sku)) where deleted_at is null do update set
      sku = excluded.sku, name = excluded.name, description = excluded.description,
      category = excluded.category, price = excluded.price, updated_at = now()
    returning (xmax = 0) as inserted`);
  const rows = rowsOf<{ inserted: boolean }>(result);
  const created = rows.filter((r) => r.inserted).length;
  return { created, updated: rows.length - created, failed };
}

/** A text[] literal parameter; both drivers bind it as one value. */
function sqlArray(values: Array<string | null>): string {
  return `{${values.map((v) => (v === null ? "NULL" : `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(",")}}`;
}
