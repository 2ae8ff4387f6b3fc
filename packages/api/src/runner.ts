import type { Db, Tx } from "@stockroom/db";
import { isConnectionError, PgCode, pgErrorCode } from "@stockroom/db";
import { z } from "zod";
import {
  type AuthenticatedKey,
  fromHandle,
  type ProcedureContext,
  type Role,
  type RootContext,
  type Runtime,
  roleRank,
} from "./context";
import { AppError, toAppError } from "./errors";
import type { AnyOperation } from "./operation";
import {
  claimIdempotencyKey,
  type IdempotentRequest,
  requestFingerprint,
  storeIdempotentResponse,
} from "./services/idempotency";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The key check: 401 without a valid key, 403 below minRole. */
export async function authenticate(root: RootContext, rt: Runtime, minRole: Role): Promise<AuthenticatedKey> {
  const match = root.authorization ? BEARER.exec(root.authorization) : null;
  if (!match?.[1]) throw new AppError("UNAUTHORIZED", "Send an API key as 'Authorization: Bearer <key>'");
  const auth = await rt.keys.verify(match[1]);
  if (!auth) throw new AppError("UNAUTHORIZED", "The API key is unknown or revoked");
  root.log.keyId = auth.id;
  if (roleRank(auth.role) < roleRank(minRole))
    throw new AppError("FORBIDDEN", `This needs role ${minRole} or higher; the key has role ${auth.role}`);
  return auth;
}

const MAX_ATTEMPTS = 5;
const RETRYABLE = new Set<string>([PgCode.serializationFailure, PgCode.deadlockDetected]);

function retryable(failure: unknown): boolean {
  const code = pgErrorCode(failure);
  return code !== undefined && RETRYABLE.has(code);
}

const tooBusy = (cause: unknown) =>
  new AppError("UNAVAILABLE", "The database stayed too busy to complete this change; retry shortly", {
    retryAfter: 1,
    cause,
  });

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));

/** Deadlocks and serialization failures, retried with jittered backoff, then 503: a key-less statement or a whole transaction. */
export async function retryingStatement<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!retryable(err)) throw err;
      if (attempt >= MAX_ATTEMPTS) throw tooBusy(err);
      await backoff(attempt);
    }
  }
}

/** zod's parse, synchronous unless the schema has async checks (no promise per call then). */
function parse(schema: z.ZodType, value: unknown): unknown {
  try {
    return schema.parse(value);
  } catch (err) {
    if (err instanceof z.core.$ZodAsyncError) return schema.parseAsync(value);
    throw err;
  }
}

/**
 * Runs one call of an operation, for tRPC and REST alike: key check, input, execution by
 * kind, output. Everything it throws is an AppError.
 *
 * Kept lean on purpose, as it is every request's path: no middleware chain, one context
 * object per call (one per attempt inside a transaction), schemas built once at load.
 */
export async function runOperation(
  op: AnyOperation,
  root: RootContext,
  getRawInput: () => Promise<unknown>,
): Promise<unknown> {
  try {
    const rt = fromHandle(root.runtime);
    const auth = op.minRole === null ? null : await authenticate(root, rt, op.minRole);
    // Read only after the key check: without a key the answer is 401 whatever the input.
    const rawInput = await getRawInput();
    // A ZodError becomes VALIDATION_FAILED with its issues (toAppError, below).
    const input = await parse(op.input, rawInput);
    if (op.kind === "read" || auth === null)
      return await checkedOutput(op, await read(op, root, rt, auth, input));
    try {
      const data =
        op.kind === "statement" && root.idempotencyKey === null
          ? await checkedOutput(
              op,
              await retryingStatement(() =>
                op.handler(contextOf(root, rt, auth, rt.database.db, false), input),
              ),
            )
          : await inTransaction(op, root, rt, auth, input, rawInput);
      // Only with a read replica: without one every read sees every commit, and the query is saved.
      if (rt.reads) await rt.reads.committed(root);
      return data;
    } finally {
      rt.reads?.wrote(auth.id);
    }
  } catch (err) {
    throw toAppError(err);
  }
}

/**
 * A read, on the read replica when the routing allows (read-routing.ts), else on the primary.
 * A replica that fails by its connection is marked down and the read runs again on the
 * primary; so does one cancelled by a recovery conflict (SQLSTATE 40001 on a standby): a
 * replica going away degrades reads, it never fails them.
 */
async function read(
  op: AnyOperation,
  root: RootContext,
  rt: Runtime,
  auth: AuthenticatedKey | null,
  input: unknown,
): Promise<unknown> {
  const replica = rt.reads?.replicaFor(op, root, auth) ?? null;
  if (replica !== null) {
    let answered = true;
    try {
      return await op.handler(contextOf(root, rt, auth, replica, false), input);
    } catch (err) {
      if (isConnectionError(err)) rt.reads?.replica.failed();
      else if (pgErrorCode(err) !== PgCode.serializationFailure) throw err;
      answered = false;
    } finally {
      // An answer from the replica, a refusal such as NOT_FOUND included.
      if (answered) rt.hooks.read?.("replica");
    }
  }
  try {
    return await op.handler(contextOf(root, rt, auth, rt.database.db, false), input);
  } finally {
    if (rt.reads) rt.hooks.read?.("primary");
  }
}

/** The answer as the output schema shapes it. One that fails it is our bug, never the client's. */
async function checkedOutput(op: AnyOperation, data: unknown): Promise<unknown> {
  try {
    return await parse(op.output, data);
  } catch (cause) {
    throw new AppError("INTERNAL", "An unexpected error occurred; it has been logged", { cause });
  }
}

function contextOf(
  root: RootContext,
  rt: Runtime,
  auth: AuthenticatedKey | null,
  db: Db | Tx,
  inTransaction: boolean,
): ProcedureContext {
  // auth is null only for public operations, whose handlers are typed to expect it.
  return { ...root, rt, auth: auth as AuthenticatedKey, db: db as Db, inTransaction };
}

/**
 * ONE transaction for the change and, with an Idempotency-Key, its record: a retry of the
 * same request replays the stored answer instead of changing stock again. The output is
 * checked inside, so an answer that fails its schema rolls the change back, and what is
 * stored (and replayed as is) is the checked answer. Deadlocks and serialization failures
 * retry the whole transaction with jittered backoff, then 503.
 */
async function inTransaction(
  op: AnyOperation,
  root: RootContext,
  rt: Runtime,
  auth: AuthenticatedKey,
  input: unknown,
  rawInput: unknown,
): Promise<unknown> {
  const key = root.idempotencyKey;
  const idempotent: IdempotentRequest | null = key
    ? { apiKeyId: auth.id, key, procedure: op.name, fingerprint: requestFingerprint(op.name, rawInput) }
    : null;
  return retryingStatement(() =>
    rt.database.db.transaction(async (tx) => {
      if (idempotent) {
        const claim = await claimIdempotencyKey(tx, idempotent);
        if (claim.replay) {
          root.responseHeaders.set("idempotent-replayed", "true");
          return claim.response;
        }
      }
      const data = await checkedOutput(op, await op.handler(contextOf(root, rt, auth, tx, true), input));
      if (idempotent) await storeIdempotentResponse(tx, idempotent, data);
      return data;
    }),
  );
}
