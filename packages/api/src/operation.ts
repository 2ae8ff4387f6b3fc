import type { z } from "zod";
import type { ProcedureContext, Role } from "./context";
import type { ErrorCode } from "./errors";

/**
 * An operation's route: the OpenAPI meta plus the success status the REST adapter sends.
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
  };
  /**
   * The codes the operation itself can answer (its service's refusals), e.g. NOT_FOUND,
   * INSUFFICIENT_STOCK. The runner's own codes are added by the document from the role, the
   * method and the body: VALIDATION_FAILED, UNAUTHORIZED, FORBIDDEN, PAYLOAD_TOO_LARGE,
   * UNSUPPORTED_MEDIA_TYPE, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, INTERNAL, UNAVAILABLE.
   */
  errors?: readonly ErrorCode[];
  /** The `detail` of this operation's example problem for a code (else a generic one). */
  errorExamples?: Partial<Record<ErrorCode, string>>;
  /** HTTP status of a successful REST answer (default 200). */
  successStatus?: 200 | 201 | 204;
}

/**
 * How an operation meets the database (the runner does the rest):
 * - read: the handler runs on the pool: a read replica's when one is configured and the
 *   request tolerates lag (see read-routing.ts), else the primary's.
 * - write: one transaction, retried on deadlock or serialization failure; with an
 *   Idempotency-Key the record commits in it.
 * - statement: the change is ONE statement, atomic by itself. With an Idempotency-Key it
 *   runs as a write; without, on the pool (ctx.inTransaction false, no BEGIN/COMMIT round
 *   trips, no row lock held across one), retried the same way.
 */
export type OperationKind = "read" | "write" | "statement";

/** What a handler of a public operation sees: no key, so no auth. */
export type PublicContext = Omit<ProcedureContext, "auth"> & { auth: null };

/** `<namespace>.<procedure>`, the tRPC path; the SDK's method names follow it. */
export type OperationName = `${string}.${string}`;

export interface Operation<
  Name extends OperationName = OperationName,
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  K extends OperationKind = OperationKind,
> {
  readonly name: Name;
  readonly meta: Meta;
  readonly input: I;
  readonly output: O;
  /** Lowest role that may call; null for a public operation (reads only). */
  readonly minRole: Role | null;
  readonly kind: K;
  /** "strong": a read that must see every commit, so it never goes to a read replica (the audit). */
  readonly consistency?: "strong";
  readonly handler: (ctx: ProcedureContext, input: z.output<I>) => Promise<z.input<O>>;
}

// biome-ignore lint/suspicious/noExplicitAny: the table holds operations of every input and output type
export type AnyOperation = Operation<OperationName, any, any, OperationKind>;

interface Definition<Name extends OperationName, I extends z.ZodType, O extends z.ZodType, K> {
  name: Name;
  meta: Meta;
  input: I;
  output: O;
  kind: K;
  consistency?: "strong";
}

/** Defines an operation: plain data that the tRPC router, the REST routes and the docs are built from. */
export function defineOperation<
  const Name extends OperationName,
  I extends z.ZodType,
  O extends z.ZodType,
  K extends OperationKind,
>(
  def: Definition<Name, I, O, K> & {
    minRole: Role;
    handler: (ctx: ProcedureContext, input: z.output<I>) => Promise<z.input<O>>;
  },
): Operation<Name, I, O, K>;
/** A public operation: no key is asked for. Only reads: an idempotency record belongs to a key. */
export function defineOperation<const Name extends OperationName, I extends z.ZodType, O extends z.ZodType>(
  def: Definition<Name, I, O, "read"> & {
    minRole: null;
    handler: (ctx: PublicContext, input: z.output<I>) => Promise<z.input<O>>;
  },
): Operation<Name, I, O, "read">;
export function defineOperation(
  def: Definition<OperationName, z.ZodType, z.ZodType, OperationKind> & {
    minRole: Role | null;
    handler: (ctx: never, input: never) => Promise<unknown>;
  },
): AnyOperation {
  if (def.minRole === null && def.kind !== "read")
    throw new Error(`${def.name}: a public operation must be a read`);
  return Object.freeze({ ...def }) as AnyOperation;
}
