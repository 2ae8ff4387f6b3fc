import { createHash } from "node:crypto";
import { idempotencyKeys, type Queryable, type Tx } from "@stockroom/db";
import { and, eq, lt, sql } from "drizzle-orm";
import { AppError } from "../errors";
import { stableStringify } from "../lib/stable-json";

/** How long a key and its stored answer are kept. */
export const IDEMPOTENCY_TTL_HOURS = 24;

const expiry = () => sql`now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`;

/** Who sent which key for what: the record's identity and the request it stands for. */
export interface IdempotentRequest {
  apiKeyId: string;
  key: string;
  /** The operation name, e.g. inventory.transfer. */
  procedure: string;
  /** requestFingerprint() of the request. */
  fingerprint: string;
}

/** sha256 over the operation and its raw input, canonical: the same key with another body is refused. */
export function requestFingerprint(procedure: string, rawInput: unknown): string {
  let canonical: string;
  try {
    canonical = stableStringify(rawInput);
  } catch {
    // JSON parsed from a request can only fail here by nesting deeper than the stack.
    throw new AppError("VALIDATION_FAILED", "The request body is nested too deeply", {
      issues: [{ path: "(body)", message: "Nested too deeply" }],
    });
  }
  return createHash("sha256").update(`${procedure}\n${canonical}`).digest("hex");
}

const recordOf = (req: IdempotentRequest) =>
  and(eq(idempotencyKeys.apiKeyId, req.apiKeyId), eq(idempotencyKeys.key, req.key));

/**
 * Claims the key inside the caller's transaction, or finds the answer to replay. A concurrent
 * request with the same key blocks on the record's primary key until the first commits (then
 * replays its answer) or rolls back (then claims it). The same key with another request is
 * IDEMPOTENCY_KEY_REUSED; an expired record is taken over.
 */
export async function claimIdempotencyKey(
  tx: Tx,
  req: IdempotentRequest,
): Promise<{ replay: false } | { replay: true; response: unknown }> {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({
      apiKeyId: req.apiKeyId,
      key: req.key,
      fingerprint: req.fingerprint,
      procedure: req.procedure,
      status: 0,
      expiresAt: expiry(),
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length > 0) return { replay: false };

  const [prior] = await tx.select().from(idempotencyKeys).where(recordOf(req)).for("update");
  if (prior && prior.expiresAt.getTime() > Date.now()) {
    if (prior.fingerprint !== req.fingerprint)
      throw new AppError(
        "IDEMPOTENCY_KEY_REUSED",
        `Idempotency-Key '${req.key}' was already used with a different request (${prior.procedure})`,
      );
    return { replay: true, response: fromStored(prior.response) };
  }
  // Expired: the key is free again.
  await tx
    .update(idempotencyKeys)
    .set({
      fingerprint: req.fingerprint,
      procedure: req.procedure,
      status: 0,
      response: null,
      createdAt: new Date(),
      expiresAt: expiry(),
    })
    .where(recordOf(req));
  return { replay: false };
}

/**
 * The answer is kept as its JSON text (a jsonb string), not as a jsonb object: an answer may
 * echo a refused input with U+0000 in it (a batch's failed row), which PostgreSQL refuses in a
 * jsonb object but keeps as the `\u0000` escape inside JSON text.
 */
const toStored = (response: unknown): string => JSON.stringify(response ?? null);
/** Records stored as jsonb objects (before the answer was kept as text) replay as they are. */
const fromStored = (stored: unknown): unknown => (typeof stored === "string" ? JSON.parse(stored) : stored);

/** Stores the answer in the same transaction as the change it describes. */
export async function storeIdempotentResponse(
  tx: Tx,
  req: IdempotentRequest,
  response: unknown,
): Promise<void> {
  await tx
    .update(idempotencyKeys)
    .set({ status: 1, response: toStored(response) as never })
    .where(recordOf(req));
}

/** Idempotency records live 24 h; the server calls this periodically. */
export async function purgeExpiredIdempotencyKeys(db: Queryable): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.expiresAt, sql`now()`))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
