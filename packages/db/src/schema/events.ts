import { sql } from "drizzle-orm";
import { bigint, check, integer, jsonb, pgTable, timestamp, uuid, varchar } from "drizzle-orm/pg-core";

/**
 * The outbox for every event but stock.changed: each is written in the transaction of the
 * change it reports (stock.low / stock.restored by stockroom_apply, the others by
 * stockroom_write_events), so a rolled-back change leaves none.
 *
 * A stock.changed event is not a row here: it IS its ledger row (movements), which takes its
 * `seq` from the same sequence (movements_seq_seq), so the feed (EVENT_FEED_SQL in
 * packages/db/src/events.ts) reads both tables in one order and a stock change writes no row
 * beyond its ledger row. `seq` is an event's `sequence`; a level's rows take it under the
 * level's lock, so it agrees with the level's ledger.
 *
 * Only the primary key is written per event besides the row: the write path stays cheap (the
 * feed's filters by product or store read in `seq` order and skip what does not match).
 */
export const events = pgTable("events", {
  seq: bigint("seq", { mode: "number" }).primaryKey().default(sql`nextval('movements_seq_seq')`),
  id: uuid("id").notNull().defaultRandom(),
  type: varchar("type", { length: 40 }).notNull(),
  productId: uuid("product_id"),
  storeId: varchar("store_id", { length: 40 }),
  data: jsonb("data").notNull(),
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
    // Ledger rows up to this seq are not stock.changed events: they were written before the
    // ledger was the feed, with events of their own in `events` (migration 0015). 0 on a
    // database created since.
    ledgerFrom: bigint("ledger_from", { mode: "number" }).notNull().default(0),
    // Retention: the feed starts after this seq (purgeEvents moves it).
    keptFrom: bigint("kept_from", { mode: "number" }).notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [check("event_watermark_one_row", sql`${t.id} = 1`)],
);
