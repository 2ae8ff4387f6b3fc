import { PgCode, pgConstraint, pgErrorCode, products, type Queryable, rowsOf } from "@stockroom/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { AppError, issuesFromZod, notFound } from "../errors";
import {
  type TProduct,
  type TProductCreateInput,
  ZProductCreateInput,
} from "../routers/products/product.types";
import { isoOf, Statement } from "./named";

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

type RawProductRow = {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  category: string;
  price: string;
  created_at: Date | string;
  updated_at: Date | string;
  total_quantity: number | string;
  total?: number | string;
};

const fromRaw = (r: RawProductRow): TProduct => ({
  id: r.id,
  sku: r.sku,
  name: r.name,
  description: r.description,
  category: r.category,
  price: Number(r.price),
  totalQuantity: Number(r.total_quantity),
  createdAt: isoOf(r.created_at),
  updatedAt: isoOf(r.updated_at),
});

const PRODUCT_COLUMNS = "id, sku, name, description, category, price, created_at, updated_at, total_quantity";
const SORT_COLUMNS = { name: "name", price: "price", sku: "sku", createdAt: "created_at" } as const;

/**
 * One statement, prepared once per connection: the page, plus `total` as an uncorrelated
 * subquery (run once). Without filters other than category the total is read from
 * category_counts, which triggers keep exact; other filters count matches through an index.
 */
export async function listProducts(db: Queryable, input: ProductListInput) {
  const st = new Statement();
  let where = "deleted_at is null";
  const category = input.category !== undefined ? st.p(input.category) : null;
  if (category) where += ` and category = ${category}`;
  // Bounds compare exactly (2.501 is not rounded to 2.50): numeric parses the shortest decimal.
  if (input.priceMin !== undefined) where += ` and price >= ${st.p(String(input.priceMin))}`;
  if (input.priceMax !== undefined) where += ` and price <= ${st.p(String(input.priceMax))}`;
  if (input.stockMin !== undefined) where += ` and total_quantity >= ${st.p(input.stockMin)}`;
  if (input.q) {
    const pattern = st.p(likePattern(input.q));
    where += ` and (name ilike ${pattern} or sku ilike ${pattern})`;
  }
  const sort = input.sort ?? "createdAt";
  const dir = sort.startsWith("-") ? "desc" : "asc";
  const column = SORT_COLUMNS[sort.replace(/^-/, "") as keyof typeof SORT_COLUMNS];
  const byCategoryOnly =
    input.priceMin === undefined && input.priceMax === undefined && input.stockMin === undefined && !input.q;
  const total = byCategoryOnly
    ? `(select coalesce(sum(c.products), 0) from category_counts c
        ${category ? `where c.category = ${category}` : ""})`
    : `(select count(*) from products where ${where})`;
  const page = `limit ${st.p(input.limit)} offset ${st.p(input.offset)}`;
  const rows = await st.rows<RawProductRow>(
    db,
    `select ${PRODUCT_COLUMNS}, ${total}::int as total from products where ${where}
     order by products.${column} ${dir}, products.id ${dir} ${page}`,
  );
  let count = rows[0]?.total ?? 0;
  if (rows.length === 0 && input.offset > 0) {
    // Same parameters: the page's two come last and the total does not use them.
    const again = new Statement();
    again.params.push(...st.params.slice(0, -2));
    const [row] = await again.rows<{ total: number }>(db, `select ${total}::int as total`);
    count = row?.total ?? 0;
  }
  return {
    items: rows.map(fromRaw),
    total: Number(count),
    limit: input.limit,
    offset: input.offset,
  };
}

export async function getProduct(db: Queryable, id: string): Promise<TProduct> {
  const st = new Statement();
  const [row] = await st.rows<RawProductRow>(
    db,
    `select ${PRODUCT_COLUMNS} from products where id = ${st.p(id)} and deleted_at is null`,
  );
  if (!row) throw notFound("Product", id);
  return fromRaw(row);
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
