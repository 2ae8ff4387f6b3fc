import { createHash } from "node:crypto";
import { idempotencyKeys, PgCode, pgErrorCode } from "@stockroom/db";
import { initTRPC } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { fromHandle, type ProcedureContext, type Role, type RootContext, roleRank } from "./context";
import { AppError, toAppError } from "./errors";
import { stableStringify } from "./lib/stable-json";

/**
 * Procedure metadata: the OpenAPI route plus the success status the REST adapter sends.
 * A local copy of trpc-to-openapi's meta shape, so the bundled SDK types need nothing else.
 */
export interface Meta {
  openapi?: {
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    path: `/${string}`;
    summary?: string;
    description?: string;
    tags?: string[];
    protect?: boolean;
    successDescription?: string;
    errorResponses?: number[];
  };
  /** HTTP status of a successful REST answer (default 200). */
  successStatus?: 200 | 201 | 204;
  /** Lowest role that may call; filled in by the base procedures for the docs. */
  minRole?: Role;
}

const t = initTRPC
  .context<RootContext>()
  .meta<Meta>()
  .create({
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const app = toAppError(error);
      return {
        message: app.detail,
        code: shape.code,
        data: {
          code: app.appCode,
          httpStatus: app.status,
          detail: app.detail,
          requestId: ctx?.requestId ?? "",
          issues: app.issues,
          path: shape.data.path,
          retryAfter: app.retryAfter,
        },
      };
    },
  });

export const createRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Every error leaving a procedure is an AppError, so tRPC's HTTP status follows the catalogue. */
const normalizeErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toAppError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(normalizeErrors);

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The key check every non-public procedure runs first: 401 without a valid key, 403 below minRole. */
export async function authenticate(
  ctx: RootContext,
  minRole: Role,
): Promise<Omit<ProcedureContext, keyof RootContext>> {
  const rt = fromHandle(ctx.runtime);
  const match = ctx.authorization ? BEARER.exec(ctx.authorization) : null;
  if (!match?.[1]) throw new AppError("UNAUTHORIZED", "Send an API key as 'Authorization: Bearer <key>'");
  const auth = await rt.keys.verify(match[1]);
  if (!auth) throw new AppError("UNAUTHORIZED", "The API key is unknown or revoked");
  ctx.log.keyId = auth.id;
  if (roleRank(auth.role) < roleRank(minRole))
    throw new AppError("FORBIDDEN", `This needs role ${minRole} or higher; the key has role ${auth.role}`);
  return { rt, auth, db: rt.database.db };
}

/** The authentication middlewares, by role; directProcedure() recognises procedures built on them. */
const authMiddlewares = new Map<unknown, Role>();

function authed(minRole: Role) {
  const check = t.middleware(async ({ ctx, next }) => next({ ctx: await authenticate(ctx, minRole) }));
  const builder = publicProcedure.meta({ minRole }).use(check);
  const defs = (builder as unknown as { _def: { middlewares: unknown[] } })._def.middlewares;
  authMiddlewares.set(defs[defs.length - 1], minRole);
  return builder;
}

const IDEMPOTENCY_TTL_HOURS = 24;
const MAX_ATTEMPTS = 5;
const RETRYABLE = new Set<string>([PgCode.serializationFailure, PgCode.deadlockDetected]);

class Rollback {
  constructor(readonly result: unknown) {}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fingerprintOf(path: string, rawInput: unknown): string {
  let canonical: string;
  try {
    canonical = stableStringify(rawInput);
  } catch {
    // JSON parsed from a request can only fail here by nesting deeper than the stack.
    throw new AppError("VALIDATION_FAILED", "The request body is nested too deeply", {
      issues: [{ path: "(body)", message: "Nested too deeply" }],
    });
  }
  return createHash("sha256").update(`${path}\n${canonical}`).digest("hex");
}

/**
 * Mutations run in ONE transaction opened here, so the stock change and the idempotency
 * record commit together. A concurrent request with the same Idempotency-Key blocks on
 * the record's primary key until the first commits, then replays its answer. Deadlocks
 * and serialization failures retry the whole transaction with jittered backoff, then 503.
 */
type MiddlewareOpts = Parameters<Parameters<typeof t.middleware>[0]>[0];

function retryable(failure: unknown): boolean {
  const code = pgErrorCode(failure);
  return code !== undefined && RETRYABLE.has(code);
}

const tooBusy = (cause: unknown) =>
  new AppError("UNAVAILABLE", "The database stayed too busy to complete this change; retry shortly", {
    retryAfter: 1,
    cause,
  });

const transactional = t.middleware((opts) => inTransaction(opts));

/**
 * For a mutation whose whole change is ONE statement, atomic by itself (a transfer): without
 * an Idempotency-Key it runs on the pool in PostgreSQL's implicit transaction, so there are
 * no BEGIN and COMMIT round trips and no row lock is held while a round trip is under way.
 * Deadlocks and serialization failures retry as above. With a key it runs in the
 * transaction above, so that the record commits with the change. The resolver sees
 * ctx.inTransaction and must keep to one statement per change when it is false.
 */
const singleStatement = t.middleware(async (opts) => {
  if (opts.ctx.idempotencyKey) return inTransaction(opts);
  return retryingStatement(async () => {
    const result = await opts.next({ ctx: { inTransaction: false } });
    // A retryable failure is thrown to be retried; any other result goes back as it is.
    if (!result.ok && retryable(result.error)) throw result.error;
    return result;
  });
});

/** Deadlocks and serialization failures, retried with jittered backoff, then 503. */
async function retryingStatement<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!retryable(err)) throw err;
      if (attempt >= MAX_ATTEMPTS) throw tooBusy(err);
      await sleep(Math.random() * 20 * 2 ** attempt);
    }
  }
}

async function inTransaction(opts: MiddlewareOpts) {
  const { ctx, next, path } = opts;
  const { rt, auth } = ctx as unknown as ProcedureContext;
  const idemKey = ctx.idempotencyKey;
  const fingerprint = idemKey ? fingerprintOf(path, await opts.getRawInput()) : null;

  for (let attempt = 1; ; attempt++) {
    try {
      return await rt.database.db.transaction(async (tx) => {
        if (idemKey && fingerprint) {
          const claimed = await tx
            .insert(idempotencyKeys)
            .values({
              apiKeyId: auth.id,
              key: idemKey,
              fingerprint,
              procedure: path,
              status: 0,
              expiresAt: sql`now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
            })
            .onConflictDoNothing()
            .returning({ key: idempotencyKeys.key });
          if (claimed.length === 0) {
            const [prior] = await tx
              .select()
              .from(idempotencyKeys)
              .where(and(eq(idempotencyKeys.apiKeyId, auth.id), eq(idempotencyKeys.key, idemKey)))
              .for("update");
            if (prior && prior.expiresAt.getTime() > Date.now()) {
              if (prior.fingerprint !== fingerprint)
                throw new AppError(
                  "IDEMPOTENCY_KEY_REUSED",
                  `Idempotency-Key '${idemKey}' was already used with a different request (${prior.procedure})`,
                );
              ctx.responseHeaders.set("idempotent-replayed", "true");
              return { ok: true as const, data: prior.response, marker: undefined as never };
            }
            // Expired: the key is free again.
            await tx
              .update(idempotencyKeys)
              .set({
                fingerprint,
                procedure: path,
                status: 0,
                response: null,
                createdAt: new Date(),
                expiresAt: sql`now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
              })
              .where(and(eq(idempotencyKeys.apiKeyId, auth.id), eq(idempotencyKeys.key, idemKey)));
          }
        }
        const result = await next({ ctx: { db: tx, inTransaction: true } });
        if (!result.ok) throw new Rollback(result);
        if (idemKey) {
          await tx
            .update(idempotencyKeys)
            .set({ status: 1, response: (result.data ?? null) as never })
            .where(and(eq(idempotencyKeys.apiKeyId, auth.id), eq(idempotencyKeys.key, idemKey)));
        }
        return result;
      });
    } catch (e) {
      const failure = e instanceof Rollback ? (e.result as { error: unknown }).error : e;
      if (retryable(failure)) {
        if (attempt < MAX_ATTEMPTS) {
          await sleep(Math.random() * 20 * 2 ** attempt);
          continue;
        }
        throw tooBusy(failure);
      }
      if (e instanceof Rollback) return e.result as never;
      throw e;
    }
  }
}

export const viewerProcedure = authed("viewer");
export const clerkProcedure = authed("clerk");
export const managerProcedure = authed("manager");
export const adminProcedure = authed("admin");

export const clerkMutation = clerkProcedure.use(transactional);
/** A clerk mutation that is one statement without an Idempotency-Key (see singleStatement). */
export const clerkSingleStatementMutation = clerkProcedure.use(singleStatement);
export const managerMutation = managerProcedure.use(transactional);
/** A manager mutation that is one statement without an Idempotency-Key (see singleStatement). */
export const managerSingleStatementMutation = managerProcedure.use(singleStatement);
export const adminMutation = adminProcedure.use(transactional);

type ZodLike = { parseAsync(value: unknown): Promise<unknown> };
type ProcedureDef = {
  type: string;
  inputs: unknown[];
  output?: unknown;
  middlewares: unknown[];
  meta?: Meta;
  resolver?: (opts: Record<string, unknown>) => Promise<unknown>;
};

export interface DirectProcedure {
  minRole: Role;
  /** Whether this request may take the direct way (a key-less single-statement write, any plain query). */
  appliesTo(ctx: RootContext): boolean;
  /** Authenticates, parses the input, resolves and checks the output, as the procedure would. */
  run(ctx: RootContext, getRawInput: () => Promise<unknown>): Promise<unknown>;
}

const normalizeErrorsFn = (publicProcedure as unknown as { _def: ProcedureDef })._def.middlewares[0];

const singleStatementFn = (clerkSingleStatementMutation as unknown as { _def: ProcedureDef })._def
  .middlewares[2];

/**
 * The REST adapter's way to run a plain query — one built as publicProcedure → role check →
 * .input() → .output() → .query(), nothing else — and a single-statement mutation sent
 * without an Idempotency-Key. It runs the very same steps in the same order (key check,
 * input schema, resolver with the same retries, output schema) without tRPC's generic
 * middleware runner, which copies the context object at every step and cost about a tenth
 * of a cached read. Anything else (other mutations, extra middlewares, a write with an
 * Idempotency-Key) goes through tRPC.
 */
export function directProcedure(procedure: unknown, path: string): DirectProcedure | null {
  const def = (procedure as { _def?: ProcedureDef })._def;
  if (!def?.resolver || def.inputs.length !== 1 || !def.output) return null;
  const [first, second, ...rest] = def.middlewares;
  const minRole = authMiddlewares.get(second);
  if (first !== normalizeErrorsFn || minRole === undefined) return null;
  const write = def.type === "mutation";
  if (write ? rest.length !== 4 || rest[0] !== singleStatementFn : def.type !== "query" || rest.length !== 3)
    return null;
  const input = def.inputs[0] as ZodLike;
  const output = def.output as ZodLike;
  const resolver = def.resolver;
  return {
    minRole,
    appliesTo: (ctx) => !write || !ctx.idempotencyKey,
    async run(ctx, getRawInput) {
      const base = await authenticate(ctx, minRole);
      // Read only after the key check, as over tRPC: no key means 401 whatever the input.
      const rawInput = await getRawInput();
      const parsed = await input.parseAsync(rawInput);
      const call = () =>
        resolver({
          ctx: write ? { ...ctx, ...base, inTransaction: false } : { ...ctx, ...base },
          input: parsed,
          path,
          type: def.type,
          meta: def.meta,
          getRawInput,
          signal: undefined,
          batchIndex: 0,
        });
      const data = write ? await retryingStatement(call) : await call();
      try {
        return await output.parseAsync(data);
      } catch (cause) {
        throw new AppError("INTERNAL", "An unexpected error occurred; it has been logged", { cause });
      }
    },
  };
}
