import { isConnectionError, PgCode, pgErrorCode } from "@stockroom/db";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/**
 * THE error catalogue: every code a client can see, its HTTP status and the tRPC code
 * that carries it. Both transports and the OpenAPI document read this one table.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, trpc: "BAD_REQUEST", title: "Validation failed" },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED", title: "Unauthorized" },
  FORBIDDEN: { status: 403, trpc: "FORBIDDEN", title: "Forbidden" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND", title: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, trpc: "METHOD_NOT_SUPPORTED", title: "Method not allowed" },
  REQUEST_TIMEOUT: { status: 408, trpc: "TIMEOUT", title: "Request timeout" },
  SKU_TAKEN: { status: 409, trpc: "CONFLICT", title: "SKU taken" },
  STORE_EXISTS: { status: 409, trpc: "CONFLICT", title: "Store exists" },
  STORE_NOT_EMPTY: { status: 409, trpc: "CONFLICT", title: "Store not empty" },
  INSUFFICIENT_STOCK: { status: 409, trpc: "CONFLICT", title: "Insufficient stock" },
  STALE_QUANTITY: { status: 409, trpc: "CONFLICT", title: "Stale quantity" },
  BELOW_RESERVED: { status: 409, trpc: "CONFLICT", title: "Below reserved" },
  RESERVATION_NOT_ACTIVE: { status: 409, trpc: "CONFLICT", title: "Reservation not active" },
  INVALID_STATE: { status: 409, trpc: "CONFLICT", title: "Invalid state" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE", title: "Payload too large" },
  // Answered by the HTTP layer before any transport (tRPC has no code for them): a URL or
  // headers too long to read. tRPC would carry them as BAD_REQUEST.
  URI_TOO_LONG: { status: 414, trpc: "BAD_REQUEST", title: "URI too long" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE", title: "Unsupported media type" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, trpc: "UNPROCESSABLE_CONTENT", title: "Idempotency key reused" },
  OVER_COMMIT: { status: 422, trpc: "UNPROCESSABLE_CONTENT", title: "More than reserved" },
  OVER_RECEIPT: { status: 422, trpc: "UNPROCESSABLE_CONTENT", title: "More than in transit" },
  WEBHOOK_URL_REFUSED: { status: 422, trpc: "UNPROCESSABLE_CONTENT", title: "Webhook URL refused" },
  RATE_LIMITED: { status: 429, trpc: "TOO_MANY_REQUESTS", title: "Rate limited" },
  HEADERS_TOO_LARGE: { status: 431, trpc: "BAD_REQUEST", title: "Request headers too large" },
  INTERNAL: { status: 500, trpc: "INTERNAL_SERVER_ERROR", title: "Internal error" },
  UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE", title: "Service unavailable" },
} as const satisfies Record<string, { status: number; trpc: TRPC_ERROR_CODE_KEY; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface AppErrorOptions {
  issues?: ValidationIssue[];
  /** Seconds, for RATE_LIMITED and UNAVAILABLE. */
  retryAfter?: number;
  cause?: unknown;
}

/** The one domain error. Anything else that escapes a procedure is a bug (INTERNAL). */
export class AppError extends TRPCError {
  readonly appCode: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly issues?: ValidationIssue[];
  readonly retryAfter?: number;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    super({ code: entry.trpc, message: detail, cause: options.cause });
    this.name = "AppError";
    this.appCode = code;
    this.status = entry.status;
    this.detail = detail;
    this.issues = options.issues;
    this.retryAfter = options.retryAfter;
  }
}

export const notFound = (what: string, id: string) => new AppError("NOT_FOUND", `${what} ${id} not found`);

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  expected?: string;
  input?: unknown;
}

function isZodError(err: unknown): err is { issues: ZodLikeIssue[] } {
  return (
    typeof err === "object" &&
    err !== null &&
    (err as { name?: string }).name === "ZodError" &&
    Array.isArray((err as { issues?: unknown }).issues)
  );
}

export function issuesFromZod(issues: ZodLikeIssue[]): ValidationIssue[] {
  return issues.map((i) => {
    const path = i.path.map(String).join(".") || "(root)";
    // A field missing from a JSON body reaches zod as undefined; say so plainly.
    const missing = i.code === "invalid_type" && /received (undefined|NaN)/.test(i.message);
    return { path, message: missing ? `Required ${i.expected ?? "value"}` : i.message };
  });
}

/** Maps anything thrown below a procedure to the AppError the client will see. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof TRPCError) {
    // An answer that fails its own output schema is our bug, not the client's.
    if (err.code === "INTERNAL_SERVER_ERROR" && isZodError(err.cause))
      return new AppError("INTERNAL", "An unexpected error occurred; it has been logged", { cause: err });
    if (isZodError(err.cause)) {
      const issues = issuesFromZod(err.cause.issues);
      return new AppError("VALIDATION_FAILED", describeIssues(issues), { issues, cause: err });
    }
    switch (err.code) {
      case "BAD_REQUEST":
      case "PARSE_ERROR":
        return new AppError("VALIDATION_FAILED", safeMessage(err.message, "The request is malformed"), {
          cause: err,
        });
      case "NOT_FOUND":
        return new AppError("NOT_FOUND", "No such route or procedure", { cause: err });
      case "METHOD_NOT_SUPPORTED":
        return new AppError("METHOD_NOT_ALLOWED", "This method is not allowed here", { cause: err });
      case "PAYLOAD_TOO_LARGE":
        return new AppError("PAYLOAD_TOO_LARGE", "The request body is over 1 MiB", { cause: err });
      case "UNSUPPORTED_MEDIA_TYPE":
        return new AppError("UNSUPPORTED_MEDIA_TYPE", "Send JSON with Content-Type: application/json", {
          cause: err,
        });
      case "UNAUTHORIZED":
        return new AppError("UNAUTHORIZED", "A valid API key is required", { cause: err });
      case "FORBIDDEN":
        return new AppError("FORBIDDEN", "This API key's role may not do this", { cause: err });
      default:
        if (err.cause && err.cause !== err) return toAppError(err.cause);
    }
  }
  if (isZodError(err)) {
    const issues = issuesFromZod(err.issues);
    return new AppError("VALIDATION_FAILED", describeIssues(issues), { issues, cause: err });
  }
  const code = pgErrorCode(err);
  if (
    code === PgCode.serializationFailure ||
    code === PgCode.deadlockDetected ||
    code === PgCode.lockNotAvailable
  )
    return new AppError("UNAVAILABLE", "The database is busy; retry shortly", { retryAfter: 1, cause: err });
  if (code === PgCode.queryCanceled)
    return new AppError("UNAVAILABLE", "The database did not answer in time; retry shortly", {
      retryAfter: 1,
      cause: err,
    });
  if (/timeout exceeded when trying to connect/i.test(String((err as { message?: unknown })?.message ?? "")))
    return new AppError("UNAVAILABLE", "Every database connection stayed busy; retry shortly", {
      retryAfter: 1,
      cause: err,
    });
  if (isConnectionError(err))
    return new AppError("UNAVAILABLE", "The database is unreachable; retry shortly", {
      retryAfter: 2,
      cause: err,
    });
  // A well-formed ISO timestamp can still be outside what PostgreSQL stores (year 0, an
  // offset pushing it past 9999): the client's value, not a bug.
  if (code === "22007" || code === "22008" || code === "22009")
    return new AppError("VALIDATION_FAILED", "A date or time is out of the supported range", { cause: err });
  // Malformed input that slipped past validation (e.g. a NUL byte in text) is the client's.
  if (code === "22021" || code === "22P05" || code === "22001" || code === "22003")
    return new AppError("VALIDATION_FAILED", "A value is not acceptable to the database", { cause: err });
  return new AppError("INTERNAL", "An unexpected error occurred; it has been logged", { cause: err });
}

function describeIssues(issues: ValidationIssue[]): string {
  const first = issues[0];
  if (!first) return "The request is invalid";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${first.path}: ${first.message}${more}`;
}

function safeMessage(message: string, fallback: string): string {
  return message && message.length < 200 && !message.includes("\n    at ") ? message : fallback;
}

/** The RFC 9457 body both transports send. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  issues?: ValidationIssue[];
}

export function toProblem(err: AppError, requestId: string): Problem {
  const entry = ERROR_CATALOGUE[err.appCode];
  return {
    type: `https://stockroom.dev/errors/${err.appCode.toLowerCase().replaceAll("_", "-")}`,
    title: entry.title,
    status: entry.status,
    detail: err.detail,
    code: err.appCode,
    requestId,
    ...(err.issues ? { issues: err.issues } : {}),
  };
}
