import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
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
import { updatedAt } from "./columns";
import { apiKeys } from "./keys";

export const stockLevels = pgTable(
  "stock_levels",
  {
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    storeId: varchar("store_id", { length: 40 })
      .notNull()
      .references(() => stores.id),
    // A copy of products.sku, kept by triggers (migrations perf_counts, level_category), so a store's
    // inventory and the alerts page in sku order straight from an index instead of joining
    // and sorting every level of the store.
    sku: varchar("sku", { length: 64 }).notNull().default(""),
    // Likewise products.category, so a category filter on a store's levels counts in an index range.
    category: varchar("category", { length: 100 }).notNull().default(""),
    quantity: integer("quantity").notNull().default(0),
    // Units held by open reservation lines (reservations.ts). `quantity - reserved` is what
    // may be taken (available). stockroom_apply keeps it equal to the sum of the open lines.
    reserved: integer("reserved").notNull().default(0),
    minStock: integer("min_stock").notNull().default(0),
    // Units shipped towards this level and not yet received, rejected or written off (the
    // shipments in transit). Not on hand: never available, not in the product's total.
    incoming: integer("incoming").notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.storeId] }),
    check("stock_levels_quantity_nonneg", sql`${t.quantity} >= 0`),
    check("stock_levels_min_stock_nonneg", sql`${t.minStock} >= 0`),
    check("stock_levels_incoming_nonneg", sql`${t.incoming} >= 0`),
    check("stock_levels_reserved_range", sql`${t.reserved} >= 0 and ${t.reserved} <= ${t.quantity}`),
    index("stock_levels_store_sku_idx").on(t.storeId, t.sku, t.productId),
    index("stock_levels_store_category_idx").on(t.storeId, t.category, t.sku, t.productId),
    // Alerts read only the levels whose available units are under their minimum; keep that set indexed, per store and
    // across stores in the alerts order (biggest shortfall first). The order is written as
    // (quantity - reserved - min_stock) ascending, the same order as the shortfall descending, so every
    // column of it ascends and a cursor page starts with one row comparison on the index.
    index("stock_levels_below_min_idx")
      .on(t.storeId, sql`(${t.quantity} - ${t.reserved} - ${t.minStock})`, t.sku, t.productId)
      .where(sql`${t.quantity} - ${t.reserved} < ${t.minStock}`),
    index("stock_levels_below_min_category_idx")
      .on(t.category, t.storeId)
      .where(sql`${t.quantity} - ${t.reserved} < ${t.minStock}`),
    // The alerts of one category, in the alerts order.
    index("stock_levels_category_shortfall_idx")
      .on(t.category, sql`(${t.quantity} - ${t.reserved} - ${t.minStock})`, t.storeId, t.sku, t.productId)
      .where(sql`${t.quantity} - ${t.reserved} < ${t.minStock}`),
    // The audit's reserved and incoming checks read only the levels that hold units or expect
    // them (few among a chain's millions). quantity and reserved are in the indexes above
    // already; incoming joins them, so a change of incoming is no longer a HOT update.
    index("stock_levels_reserved_idx").on(t.productId, t.storeId).where(sql`${t.reserved} <> 0`),
    index("stock_levels_incoming_idx").on(t.productId, t.storeId).where(sql`${t.incoming} <> 0`),
    index("stock_levels_shortfall_idx")
      .on(sql`(${t.quantity} - ${t.reserved} - ${t.minStock})`, t.storeId, t.sku, t.productId)
      .where(sql`${t.quantity} - ${t.reserved} < ${t.minStock}`),
  ],
);

export const movementKind = pgEnum("movement_kind", ["adjustment", "transfer_out", "transfer_in", "count"]);

export const movements = pgTable(
  "movements",
  {
    // bigserial gives the ledger a total order that cursors can key on. Its sequence is also
    // the event feed's (schema/events.ts): a ledger row is its stock.changed event.
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    id: uuid("id").notNull().unique().defaultRandom(),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    storeId: varchar("store_id", { length: 40 })
      .notNull()
      .references(() => stores.id),
    kind: movementKind("kind").notNull(),
    delta: integer("delta").notNull(),
    quantityAfter: integer("quantity_after").notNull(),
    // The level's reserved units after this row (the stock.changed event's data; 0 for rows
    // written outside the door, e.g. a bulk seed).
    reservedAfter: integer("reserved_after").notNull().default(0),
    reason: varchar("reason", { length: 32 }),
    reference: varchar("reference", { length: 255 }),
    transferId: uuid("transfer_id"),
    reservationId: uuid("reservation_id"),
    shipmentId: uuid("shipment_id"),
    actor: uuid("actor").references(() => apiKeys.id),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    check("movements_quantity_after_nonneg", sql`${t.quantityAfter} >= 0`),
    index("movements_level_idx").on(t.productId, t.storeId, t.seq),
    index("movements_product_idx").on(t.productId, t.seq),
    index("movements_store_idx").on(t.storeId, t.seq),
    index("movements_transfer_idx").on(t.transferId).where(sql`${t.transferId} is not null`),
    index("movements_reservation_idx").on(t.reservationId).where(sql`${t.reservationId} is not null`),
    index("movements_shipment_idx").on(t.shipmentId).where(sql`${t.shipmentId} is not null`),
    index("movements_created_idx").on(t.createdAt, t.seq),
  ],
);

/**
 * The ledger audit's verified point: every level with movements up to `verifiedSeq` matched its
 * ledger when it was last checked. One row; the incremental audit re-checks only levels with
 * movements after it, and moves it forward when it finds nothing wrong.
 */
export const auditWatermark = pgTable(
  "audit_watermark",
  {
    id: integer("id").primaryKey().default(1),
    verifiedSeq: bigint("verified_seq", { mode: "number" }).notNull().default(0),
    verifiedAt: timestamp("verified_at", { withTimezone: true, mode: "date" }),
    mode: varchar("mode", { length: 16 }),
  },
  (t) => [check("audit_watermark_one_row", sql`${t.id} = 1`)],
);
