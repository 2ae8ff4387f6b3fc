import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
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
 * draft → in_transit → partially_received → received; draft → cancelled;
 * in_transit | partially_received → closed (what is still in transit is written off).
 */
export const shipmentStatus = pgEnum("shipment_status", [
  "draft",
  "in_transit",
  "partially_received",
  "received",
  "cancelled",
  "closed",
]);

/**
 * A transfer that takes time. Shipping moves every line out of the source's on hand (ledger
 * transfer_out) into the target's `incoming`; receipts move units from `incoming` into the
 * target's on hand (transfer_in) or out of the system (rejected); closing writes off what is
 * still in transit (lost). The levels change only through the one door (sql/stock-apply.sql);
 * this table and its lines are the shipment's own record.
 */
export const shipments = pgTable(
  "shipments",
  {
    id: uuid("id").primaryKey(),
    sourceStoreId: varchar("source_store_id", { length: 40 })
      .notNull()
      .references(() => stores.id),
    targetStoreId: varchar("target_store_id", { length: 40 })
      .notNull()
      .references(() => stores.id),
    status: shipmentStatus("status").notNull().default("draft"),
    reference: varchar("reference", { length: 255 }),
    // Why it was closed with units still in transit.
    closeReason: varchar("close_reason", { length: 255 }),
    actor: uuid("actor").references(() => apiKeys.id),
    createdAt: createdAt(),
    shippedAt: timestamp("shipped_at", { withTimezone: true, mode: "date" }),
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "date" }),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("shipments_distinct_stores", sql`${t.sourceStoreId} <> ${t.targetStoreId}`),
    index("shipments_created_idx").on(t.createdAt, t.id),
    index("shipments_source_idx").on(t.sourceStoreId, t.createdAt, t.id),
    index("shipments_target_idx").on(t.targetStoreId, t.createdAt, t.id),
    index("shipments_status_idx").on(t.status, t.createdAt, t.id),
  ],
);

/**
 * One line per product. In transit: quantity − received − rejected − lost, once shipped and
 * until received or closed; the target level's `incoming` is the sum of that over the
 * shipments heading to it.
 */
export const shipmentLines = pgTable(
  "shipment_lines",
  {
    shipmentId: uuid("shipment_id")
      .notNull()
      .references(() => shipments.id),
    productId: uuid("product_id")
      .notNull()
      .references(() => products.id),
    quantity: integer("quantity").notNull(),
    received: integer("received").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    // Written off when the shipment was closed with these units still in transit.
    lost: integer("lost").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.shipmentId, t.productId] }),
    check("shipment_lines_quantity_positive", sql`${t.quantity} > 0`),
    check(
      "shipment_lines_accounted",
      sql`${t.received} >= 0 and ${t.rejected} >= 0 and ${t.lost} >= 0 and ${t.received} + ${t.rejected} + ${t.lost} <= ${t.quantity}`,
    ),
  ],
);

/**
 * One receipt (a delivery counted at the target's dock), by the client's receipt id: a replay
 * answers `answer`, the shipment as the first receipt left it, and changes nothing.
 * `lines` are the receipt's lines as recorded: accepted, rejected and the reason.
 */
export const shipmentReceipts = pgTable(
  "shipment_receipts",
  {
    shipmentId: uuid("shipment_id")
      .notNull()
      .references(() => shipments.id),
    receiptId: varchar("receipt_id", { length: 255 }).notNull(),
    lines: jsonb("lines").notNull(),
    answer: jsonb("answer").notNull(),
    actor: uuid("actor").references(() => apiKeys.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.shipmentId, t.receiptId] })],
);
