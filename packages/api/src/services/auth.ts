import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { apiKeys, type Db } from "@stockroom/db";
import { eq, sql } from "drizzle-orm";
import type { AuthenticatedKey, Role } from "../context";

const SECRET_PREFIX = "sk_live_";
/** How many characters of a secret are kept in the clear to tell keys apart. */
const VISIBLE_CHARS = SECRET_PREFIX.length + 6;

export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");

export function generateSecret(): { secret: string; prefix: string; hash: string } {
  const secret = SECRET_PREFIX + randomBytes(32).toString("base64url");
  return { secret, prefix: secret.slice(0, VISIBLE_CHARS), hash: hashSecret(secret) };
}

export const visiblePrefix = (secret: string) => secret.slice(0, VISIBLE_CHARS);

interface CacheEntry {
  key: AuthenticatedKey;
  hash: Buffer;
  expires: number;
}

export interface KeyAuthenticatorOptions {
  /** How long a verified key is trusted without asking the database again. */
  cacheTtlMs?: number;
  /** lastUsedAt is written at most this often per key. */
  touchIntervalMs?: number;
}

/**
 * Verifies bearer secrets. Verified keys are cached for a short TTL so authentication
 * costs no database round trip on the hot path; revocation on this replica evicts at
 * once, on other replicas within the TTL.
 */
export class KeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly lastTouched = new Map<string, number>();
  readonly cacheTtlMs: number;
  private readonly touchIntervalMs: number;

  constructor(
    private readonly db: Db,
    options: KeyAuthenticatorOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? 5000;
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  async verify(secret: string): Promise<AuthenticatedKey | null> {
    if (secret.length === 0 || secret.length > 256) return null;
    const hash = hashSecret(secret);
    const hashBuf = Buffer.from(hash, "hex");
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expires > now && timingSafeEqual(cached.hash, hashBuf)) {
      this.touch(cached.key.id, now);
      return cached.key;
    }
    const [row] = await this.db
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        role: apiKeys.role,
        hash: apiKeys.hash,
        revokedAt: apiKeys.revokedAt,
      })
      .from(apiKeys)
      .where(eq(apiKeys.hash, hash))
      .limit(1);
    if (!row || row.revokedAt || !timingSafeEqual(Buffer.from(row.hash, "hex"), hashBuf)) {
      this.cache.delete(hash);
      return null;
    }
    const key: AuthenticatedKey = { id: row.id, name: row.name, role: row.role as Role };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { key, hash: hashBuf, expires: now + this.cacheTtlMs });
    this.touch(key.id, now);
    return key;
  }

  /** Forget a key at once (after revocation on this replica). */
  evict(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.key.id === keyId) this.cache.delete(hash);
  }

  private touch(keyId: string, now: number): void {
    const last = this.lastTouched.get(keyId) ?? 0;
    if (now - last < this.touchIntervalMs) return;
    this.lastTouched.set(keyId, now);
    // Fire and forget: a lost lastUsedAt update must never fail or slow a request.
    this.db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(apiKeys.id, keyId))
      .then(
        () => {},
        () => this.lastTouched.delete(keyId),
      );
  }
}

/** Ensures a key with exactly this secret exists with role admin (idempotent). */
export async function ensureBootstrapKey(db: Db, secret: string): Promise<{ created: boolean; id: string }> {
  const hash = hashSecret(secret);
  const inserted = await db
    .insert(apiKeys)
    .values({ name: "bootstrap", role: "admin", prefix: visiblePrefix(secret), hash })
    .onConflictDoNothing({ target: apiKeys.hash })
    .returning({ id: apiKeys.id });
  if (inserted[0]) return { created: true, id: inserted[0].id };
  const [row] = await db
    .update(apiKeys)
    .set({ role: "admin", revokedAt: null })
    .where(eq(apiKeys.hash, hash))
    .returning({ id: apiKeys.id });
  return { created: false, id: row!.id };
}

/** When no key exists at all, creates an admin key and returns its secret (shown once). */
export async function createFirstKeyIfNone(db: Db): Promise<string | null> {
  // Replicas starting together on an empty database must not each mint a key.
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7264118)`);
    const existing = await tx.select({ id: apiKeys.id }).from(apiKeys).limit(1);
    if (existing.length > 0) return null;
    const { secret, prefix, hash } = generateSecret();
    await tx.insert(apiKeys).values({ name: "first admin", role: "admin", prefix, hash });
    return secret;
  });
}
