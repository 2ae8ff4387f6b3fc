import { PgCode, pgConstraint, pgErrorCode, products, type Queryable, rowsOf } from "@stockroom/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { AppError, issuesFromZod, notFound } from "../errors";
import { decodeCursor, keysetPage, TOTAL_BOUND } from "../lib/keyset";
import {
  type TProduct,
  type TProductCreateInput,
  ZProductCreateInput,
} from "../routers/products/product.types";
import { ZUuid, zText } from "../schemas/common";
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

export type ProductSort = "name" | "-name" | "price" | "-price" | "sku" | "-sku" | "createdAt" | "-createdAt";

export interface ProductListInput {
  category?: string;
  priceMin?: number;
  priceMax?: number;
  stockMin?: number;
  q?: string;
  sort?: ProductSort;
  /** Count every match, however many (otherwise up to TOTAL_BOUND past offset). */
  exactTotal?: boolean;
  limit: number;
  offset: number;
  cursor?: string;
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
/**
 * Per sort: the column, the type its cursor value is compared as, that value as text (exact:
 * numeric as written, a timestamp to the microsecond in UTC), and the value's schema.
 */
const SORTS = {
  name: { column: "name", cast: "varchar", key: "name", value: zText(0, 255) },
  sku: { column: "sku", cast: "varchar", key: "sku", value: zText(0, 64) },
  price: {
    column: "price",
    cast: "numeric",
    key: "price::text",
    value: z.string().regex(/^\d{1,10}\.\d\d$/),
  },
  createdAt: {
    column: "created_at",
    cast: "timestamptz",
    key: `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    // A real instant: the text without its microseconds survives a round trip through Date.
    value: z
      .string()
      .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
      .refine((s) => {
        const ms = new Date(`${s.slice(0, 23)}Z`);
        return !Number.isNaN(ms.getTime()) && ms.toISOString().slice(0, 23) === s.slice(0, 23);
      }),
  },
} as const;

/**
 * One statement, prepared once per connection: the page (one row more than asked, to know
 * whether a next page exists), plus `total` as an uncorrelated subquery (run once). Without
 * filters other than category the total is read from category_counts, which triggers keep
 * exact; other filters count matches through an index, up to TOTAL_BOUND past the offset
 * unless `exactTotal` asks for all of them: a price range over 200,000 products matches
 * 20,000 of them, and counting those cost more than the rest of the request. A cursor page
 * starts after the cursor's key with one row comparison on the sort's index and counts
 * nothing: its total is the one counted with the first page.
 */
export async function listProducts(db: Queryable, input: ProductListInput) {
  const sortName = input.sort ?? "createdAt";
  const dir = sortName.startsWith("-") ? "desc" : "asc";
  const sort = SORTS[sortName.replace(/^-/, "") as keyof typeof SORTS];
  const keyset = {
    list: "products",
    scope: {
      category: input.category,
      priceMin: input.priceMin,
      priceMax: input.priceMax,
      stockMin: input.stockMin,
      q: input.q,
      sort: sortName,
    },
    key: z.tuple([sort.value, ZUuid]),
  };
  const after = decodeCursor(keyset, input);

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
  const order = `order by products.${sort.column} ${dir}, products.id ${dir}`;
  const columns = `${PRODUCT_COLUMNS}, ${sort.key} as sort_key`;
  const keyOf = (r: RawProductRow & { sort_key: string }): [string, string] => [r.sort_key, r.id];

  if (after) {
    const [value, id] = after.after;
    const rows = await st.rows<RawProductRow & { sort_key: string }>(
      db,
      `select ${columns} from products
       where ${where} and (products.${sort.column}, products.id) ${dir === "asc" ? ">" : "<"} (${st.p(value)}::${sort.cast}, ${st.p(id)}::uuid)
       ${order} limit ${st.p(input.limit + 1)}`,
    );
    return keysetPage(
      keyset,
      rows,
      { limit: input.limit, offset: after.position, total: after.total, totalExact: after.totalExact },
      fromRaw,
      keyOf,
    );
  }

  const byCategoryOnly =
    input.priceMin === undefined && input.priceMax === undefined && input.stockMin === undefined && !input.q;
  // Counting stops one past the bound: more than `cap` matches is a lower bound.
  const cap = byCategoryOnly || input.exactTotal ? null : input.offset + TOTAL_BOUND;
  const total = byCategoryOnly
    ? `(select coalesce(sum(c.products), 0) from category_counts c
        ${category ? `where c.category = ${category}` : ""})`
    : cap === null
      ? `(select count(*) from products where ${where})`
      : `(select count(*) from (select 1 from products where ${where} limit ${st.p(cap + 1)}) m)`;
  const page = `limit ${st.p(input.limit + 1)} offset ${st.p(input.offset)}`;
  const rows = await st.rows<RawProductRow & { sort_key: string }>(
    db,
    `select ${columns}, ${total}::int as total from products where ${where} ${order} ${page}`,
  );
  let count = rows[0]?.total ?? 0;
  if (rows.length === 0 && input.offset > 0) {
    // Same parameters: the page's two come last and the total does not use them.
    const again = new Statement();
    again.params.push(...st.params.slice(0, -2));
    const [row] = await again.rows<{ total: number }>(db, `select ${total}::int as total`);
    count = row?.total ?? 0;
  }
  return keysetPage(
    keyset,
    rows,
    {
      limit: input.limit,
      offset: input.offset,
      total: Number(count),
      totalExact: cap === null || Number(count) <= cap,
    },
    fromRaw,
    keyOf,
  );
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
