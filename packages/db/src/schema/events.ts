import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  customType,
  index,
  jsonb,
  pgTable,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

/** PostgreSQL's 64-bit transaction id (pg_current_xact_id()), as text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

/**
 * The outbox: every event is written in the transaction of the change it reports (the stock
 * events by stockroom_apply, the others by writeEvents), so a rolled-back change leaves none.
 *
 * `seq` numbers events as they are written, which may differ from the order their
 * transactions commit in. The feed's order is `position`, given later by
 * stockroom_publish_events (sql/events.sql) only to events whose transaction, and every
 * transaction that could still write an event before them, has finished: a reader paging by
 * position never skips a late commit. Until then `position` is null.
 */
export const events = pgTable(
  "events",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    position: bigint("position", { mode: "number" }),
    id: uuid("id").notNull().defaultRandom(),
    type: varchar("type", { length: 40 }).notNull(),
    productId: uuid("product_id"),
    storeId: varchar("store_id", { length: 40 }),
    data: jsonb("data").notNull(),
    // The writing transaction, for the publisher's watermark.
    xid: xid8("xid").notNull().default(sql`pg_current_xact_id()`),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    // A write inserts into the primary key and this index only: the others are partial on
    // `position`, and gain their entry when the publisher sets it (off the write path).
    index("events_unpublished_idx").on(t.seq).where(sql`${t.position} is null`),
    uniqueIndex("events_position_idx").on(t.position).where(sql`${t.position} is not null`),
    index("events_product_idx").on(t.productId, t.position).where(sql`${t.position} is not null`),
    index("events_store_idx").on(t.storeId, t.position).where(sql`${t.position} is not null`),
    index("events_id_idx").on(t.id).where(sql`${t.position} is not null`),
    // Retention deletes the oldest published events.
    index("events_created_idx").on(t.createdAt).where(sql`${t.position} is not null`),
  ],
);
