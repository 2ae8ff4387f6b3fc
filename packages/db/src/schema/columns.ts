import { timestamp } from "drizzle-orm/pg-core";

/** Timestamps as JS Dates in UTC; every table that changes carries both. */
export const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
