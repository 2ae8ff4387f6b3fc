import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { products, stores } from "./catalog";
import { createdAt, updatedAt } from "./columns";
import { apiKeys } from "./keys";

/**
 * The stored status. `active` with `expires_at` in the past reads as `expired` everywhere
 * (reservationStatusSql); the row turns `expired` when the sweeper or a write gets to it.
 */
export const reservationStatus = pgEnum("reservation_status", ["active", "committed", "released", "expired"]);

export const reservations = pgTable(
  "reservations",
  {
    id: uuid("id").primaryKey(),
    storeId: varchar("store_id", { length: 40 })
      .notNull()
      .references(() => stores.id),
    status: reservationStatus("status").notNull().default("active"),
    reference: varchar("reference", { length: 255 }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    actor: uuid("actor").references(() => apiKeys.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("reservations_store_idx").on(t.storeId, t.createdAt, t.id),
    index("reservations_created_idx").on(t.createdAt, t.id),
    index("reservations_reference_idx").on(t.reference).where(sql`${t.reference} is not null`),
    // What the sweeper looks for: stored active, in expiry order.
    index("reservations_due_idx").on(t.expiresAt).where(sql`${t.status} = 'active'`),
  ],
);

/**
 * One line per product of a reservation. While `open`, its units count in its level's
 * `reserved` (stockroom_apply opens and closes lines and changes `reserved` in the same
 * statement, under the level's lock). `expires_at` is the reservation's, copied so a level
 * finds its lapsed holds by index.
 */
export const reservationLines = pgTable(
  "reservation_lines",
  {
    reservationId: uuid("reservation_id")
      .notNull()
      .references(() => reservations.id),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    storeId: varchar("store_id", { length: 40 }).notNull(),
    quantity: integer("quantity").notNull(),
    // Units sold when the reservation was committed (null until then).
    committed: integer("committed"),
    open: boolean("open").notNull().default(true),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.reservationId, t.productId] }),
    check("reservation_lines_quantity_positive", sql`${t.quantity} > 0`),
    // The open lines of a level, by expiry: what counts in `reserved`, and what has lapsed.
    index("reservation_lines_level_idx").on(t.productId, t.storeId, t.expiresAt).where(sql`${t.open}`),
    // Open lines that have lapsed, across levels (reads correct their counts with them).
    index("reservation_lines_due_idx").on(t.expiresAt).where(sql`${t.open}`),
  ],
);
