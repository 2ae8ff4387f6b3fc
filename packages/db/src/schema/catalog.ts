import { sql } from "drizzle-orm";
import {
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";

export const products = pgTable(
  "products",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sku: varchar("sku", { length: 64 }).notNull(),
    name: varchar("name", { length: 255 }).notNull(),
    description: text("description"),
    category: varchar("category", { length: 100 }).notNull(),
    // numeric, never a float: money is exact. Drizzle hands it back as a string.
    price: numeric("price", { precision: 12, scale: 2 }).notNull(),
    // Sum of this product's stock levels, kept in the same transaction as every change that
    // alters it (adjustments, counts; transfers conserve it), so stockMin filters use an index.
    totalQuantity: integer("total_quantity").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    // A sku is unique among live products only; deleting frees it.
    uniqueIndex("products_sku_live_uq").on(sql`lower(${t.sku})`).where(sql`${t.deletedAt} is null`),
    index("products_live_created_idx").on(t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
    index("products_live_category_idx").on(t.category, t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
    // Category pages sorted or filtered by price: the page and its count from one index range.
    index("products_live_category_price_idx")
      .on(t.category, t.price, t.id)
      .where(sql`${t.deletedAt} is null`),
    // A category's pages by name or sku: a cursor page starts in the index, like the other sorts.
    index("products_live_category_name_idx").on(t.category, t.name, t.id).where(sql`${t.deletedAt} is null`),
    index("products_live_category_sku_idx").on(t.category, t.sku, t.id).where(sql`${t.deletedAt} is null`),
    index("products_live_price_idx").on(t.price, t.id).where(sql`${t.deletedAt} is null`),
    index("products_live_name_idx").on(t.name, t.id).where(sql`${t.deletedAt} is null`),
    index("products_live_sku_idx").on(t.sku, t.id).where(sql`${t.deletedAt} is null`),
    index("products_live_total_idx").on(t.totalQuantity, t.id).where(sql`${t.deletedAt} is null`),
    // A category's products with stockMin: their count from the index alone. Through the
    // category index it visited every product of the category in the heap (10,000 at the large
    // layout: 14 ms; from this index 2 ms). total_quantity is indexed above already, so a
    // change of it was never a HOT update; this adds one index entry to it.
    index("products_live_category_total_idx")
      .on(t.category, t.totalQuantity, t.id)
      .where(sql`${t.deletedAt} is null`),
    // Text search `q` (case-insensitive substring of name or sku, products and store
    // inventory): trigram indexes (pg_trgm, created by migration 0010), one per column, which
    // the planner ORs together. Patterns of fewer than 3 characters cannot use them.
    index("products_live_name_trgm_idx")
      .using("gin", t.name.op("gin_trgm_ops"))
      .where(sql`${t.deletedAt} is null`),
    index("products_live_sku_trgm_idx")
      .using("gin", t.sku.op("gin_trgm_ops"))
      .where(sql`${t.deletedAt} is null`),
  ],
);

export const stores = pgTable("stores", {
  id: varchar("id", { length: 40 }).primaryKey(),
  name: varchar("name", { length: 255 }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  // Set when a store with ledger history is deleted: the ledger must keep its store.
  deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
});
