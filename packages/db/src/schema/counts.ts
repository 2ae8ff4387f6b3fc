import { integer, pgTable, primaryKey, varchar } from "drizzle-orm/pg-core";

/*
 * Exact row counts that list pages answer as `total` without counting thousands of rows per
 * request. Triggers in the perf_counts migration keep them in the same transaction as every
 * change of the counted rows, whoever writes (services, seeds, restores).
 */

/** Live (not deleted) products per category. */
export const categoryCounts = pgTable("category_counts", {
  category: varchar("category", { length: 100 }).primaryKey(),
  products: integer("products").notNull().default(0),
});

/** Per store: stock levels of live products, and how many of those are under their minimum. */
export const storeCounts = pgTable("store_counts", {
  storeId: varchar("store_id", { length: 40 }).primaryKey(),
  levels: integer("levels").notNull().default(0),
  belowMin: integer("below_min").notNull().default(0),
});

/**
 * Per category and store: levels of live products, and how many of those are under their
 * minimum (a store's inventory of a category; the alerts of a category, or of a category in
 * one store). Keyed by store as well as category so that the
 * triggers lock counter rows in the same order as the levels (store by store): one row per
 * category alone would be locked by every store's change and let two transfers deadlock.
 */
export const storeCategoryCounts = pgTable(
  "store_category_counts",
  {
    category: varchar("category", { length: 100 }).notNull(),
    storeId: varchar("store_id", { length: 40 }).notNull(),
    levels: integer("levels").notNull().default(0),
    belowMin: integer("below_min").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.category, t.storeId] })],
);
