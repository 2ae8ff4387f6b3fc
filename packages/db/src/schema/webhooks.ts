import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";

/**
 * Where events are pushed. `cursor` is the last event seq fanned out to it (deliveries are
 * created for the events after it that its filter takes). While `previous_secret` is valid
 * both secrets sign (rotation overlap).
 */
export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: uuid("id").primaryKey().defaultRandom(),
  url: text("url").notNull(),
  // Event types, or ['*'] for all.
  events: text("events").array().notNull(),
  description: varchar("description", { length: 255 }),
  enabled: boolean("enabled").notNull().default(true),
  // Why the server disabled it (a 410 from the receiver), null otherwise.
  disabledReason: varchar("disabled_reason", { length: 255 }),
  secret: text("secret").notNull(),
  previousSecret: text("previous_secret"),
  previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true, mode: "date" }),
  cursor: bigint("cursor", { mode: "number" }).notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const deliveryStatus = pgEnum("webhook_delivery_status", ["pending", "delivered", "failed"]);

/**
 * One event for one endpoint. A worker claims a due pending delivery by leasing it
 * (`lease_until`, taken with FOR UPDATE SKIP LOCKED), so replicas never send one attempt twice
 * and a crashed worker's claim lapses. Per endpoint, one product's deliveries go in seq order:
 * only the oldest pending one of a (endpoint, product) lane is due.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventSeq: bigint("event_seq", { mode: "number" }).notNull(),
    eventId: uuid("event_id").notNull(),
    productId: uuid("product_id"),
    status: deliveryStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.endpointId, t.eventSeq] }),
    // The due work: pending deliveries by lane, oldest first.
    index("webhook_deliveries_pending_idx")
      .on(t.endpointId, t.productId, t.eventSeq)
      .where(sql`${t.status} = 'pending'`),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** Every attempt of a delivery: when, the receiver's status (null: no answer), how long, why. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventSeq: bigint("event_seq", { mode: "number" }).notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: varchar("error", { length: 500 }),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.endpointId, t.eventSeq, t.id)],
);
