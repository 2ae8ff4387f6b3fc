import { sql } from "drizzle-orm";
import {
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { createdAt } from "./columns";

export const apiKeyRole = pgEnum("api_key_role", ["viewer", "clerk", "manager", "admin"]);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: varchar("name", { length: 100 }).notNull(),
    role: apiKeyRole("role").notNull(),
    // The visible start of the secret, so people can tell keys apart.
    prefix: varchar("prefix", { length: 32 }).notNull(),
    // sha256 of the whole secret, hex. The secret itself is never stored.
    hash: varchar("hash", { length: 64 }).notNull().unique(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("api_keys_live_idx").on(t.createdAt).where(sql`${t.revokedAt} is null`)],
);

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id),
    key: varchar("key", { length: 255 }).notNull(),
    // sha256 over procedure path and canonical input: same key + other body is refused.
    fingerprint: varchar("fingerprint", { length: 64 }).notNull(),
    procedure: varchar("procedure", { length: 100 }).notNull(),
    status: smallint("status").notNull(),
    response: jsonb("response"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.apiKeyId, t.key] }),
    index("idempotency_keys_expires_idx").on(t.expiresAt),
  ],
);
