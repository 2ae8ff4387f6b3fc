import { integer, pgTable, varchar } from "drizzle-orm/pg-core";

/*
 * Exact row counts that list pages answer as `total` without counting thousands of rows per
 * request. Triggers in the perf_counts migration keep them in the same transaction as every
 * change of the counted rows, whoever writes (services, seeds, restores).
 */

/** Per category: live (not deleted) products, and how many of their levels are under their minimum. */
export const categoryCounts = pgTable("category_counts", {
  category: varchar("category", { length: 100 }).primaryKey(),
  products: integer("products").notNull().default(0),
  belowMin: integer("below_min").notNull().default(0),
});

/** Per store: stock levels of live products, and how many of those are under their minimum. */
export const storeCounts = pgTable("store_counts", {
  storeId: varchar("store_id", { length: 40 }).primaryKey(),
  levels: integer("levels").notNull().default(0),
  belowMin: integer("below_min").notNull().default(0),
});
