import { idempotencyKeys, type Queryable } from "@stockroom/db";
import { lt, sql } from "drizzle-orm";

/** Idempotency records live 24 h; the server calls this periodically. */
export async function purgeExpiredIdempotencyKeys(db: Queryable): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.expiresAt, sql`now()`))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
