import { apiKeys, type Queryable } from "@stockroom/db";
import { desc, eq } from "drizzle-orm";
import type { Role } from "../context";
import { notFound } from "../errors";
import type { TApiKey } from "../routers/keys/key.types";
import { generateSecret } from "./auth";

type KeyRow = typeof apiKeys.$inferSelect;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toApiKey = (row: KeyRow): TApiKey => ({
  id: row.id,
  name: row.name,
  role: row.role,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: iso(row.lastUsedAt),
  revokedAt: iso(row.revokedAt),
});

export async function listKeys(db: Queryable): Promise<{ items: TApiKey[] }> {
  const rows = await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return { items: rows.map(toApiKey) };
}

export async function createKey(db: Queryable, input: { name: string; role: Role }) {
  const { secret, prefix, hash } = generateSecret();
  const [row] = await db
    .insert(apiKeys)
    .values({ name: input.name, role: input.role, prefix, hash })
    .returning();
  return { ...toApiKey(row!), secret };
}

/** Revoking twice is harmless; the first revocation time is kept. */
export async function revokeKey(db: Queryable, id: string): Promise<void> {
  const [row] = await db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id));
  if (!row) throw notFound("API key", id);
  if (!row.revokedAt) await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
}
