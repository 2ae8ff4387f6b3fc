import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  integer,
  jsonb,
  pgTable,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

/**
 * The outbox: every event is written in the transaction of the change it reports (the stock
 * events by stockroom_apply, the others by stockroom_write_events), so a rolled-back change
 * leaves none. `seq` is the feed's order (an event's `sequence`); a level's events take it
 * under the level's lock, so it agrees with the level's ledger.
 *
 * Only the primary key is written per event besides the row: the write path stays cheap (the
 * feed's filters by product or store read in `seq` order and skip what does not match).
 */
export const events = pgTable("events", {
  seq: bigserial("seq", { mode: "number" }).primaryKey(),
  id: uuid("id").notNull().defaultRandom(),
  type: varchar("type", { length: 40 }).notNull(),
  productId: uuid("product_id"),
  storeId: varchar("store_id", { length: 40 }),
  // stock.changed: its ledger row and the level's reserved units after it; the rest of its data
  // is the ledger row's, read with it (EVENT_SELECT_SQL). A narrow row keeps the write cheap.
  movementId: uuid("movement_id"),
  reserved: integer("reserved"),
  // Every other type: its data as written.
  data: jsonb("data"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * How far the feed may be read (sql/events.sql): every `seq` up to `published` belongs to a
 * finished transaction. `candidate` is the next frontier, waiting for the transactions in
 * `candidateXip` (running when it was taken) to finish. One row.
 */
export const eventWatermark = pgTable(
  "event_watermark",
  {
    id: integer("id").primaryKey().default(1),
    published: bigint("published", { mode: "number" }).notNull().default(0),
    candidate: bigint("candidate", { mode: "number" }).notNull().default(0),
    candidateXip: varchar("candidate_xip").array().notNull().default(sql`'{}'`),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [check("event_watermark_one_row", sql`${t.id} = 1`)],
);
