/** Postgres error codes (SQLSTATE) the domain reacts to. */
export const PgCode = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  checkViolation: "23514",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
  lockNotAvailable: "55P03",
  queryCanceled: "57014",
  adminShutdown: "57P01",
  cannotConnectNow: "57P03",
} as const;

/**
 * The errors a failure wraps, outermost first: drizzle wraps driver errors (DrizzleQueryError)
 * and services wrap drizzle's. Every look into a database error walks this one chain.
 */
function* causeChain(err: unknown): Generator<Record<string, unknown>> {
  let cur: unknown = err;
  for (let depth = 0; cur && typeof cur === "object" && depth < 5; depth++) {
    yield cur as Record<string, unknown>;
    cur = (cur as { cause?: unknown }).cause;
  }
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Finds the SQLSTATE of a driver error, also when drizzle wrapped it. */
export function pgErrorCode(err: unknown): string | undefined {
  for (const e of causeChain(err)) if (typeof e.code === "string" && SQLSTATE.test(e.code)) return e.code;
  return undefined;
}

/** The constraint a driver error names, if any. */
export function pgConstraint(err: unknown): string | undefined {
  for (const e of causeChain(err)) if (typeof e.constraint === "string") return e.constraint;
  return undefined;
}

/** True for failures that mean "the database is not reachable right now". */
export function isConnectionError(err: unknown): boolean {
  for (const e of causeChain(err)) {
    const code = typeof e.code === "string" ? e.code : "";
    const msg = typeof e.message === "string" ? e.message : "";
    if (
      ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"].includes(code) ||
      code.startsWith("08") ||
      code === PgCode.adminShutdown ||
      code === PgCode.cannotConnectNow ||
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Query read timeout/i.test(
        msg,
      )
    )
      return true;
  }
  return false;
}

/**
 * PostgreSQL answered the statement with an error (an ErrorResponse, which carries a
 * severity), so its implicit transaction was rolled back and nothing of it was committed. A
 * lost connection (a socket error such as EPIPE, or class 08) or a terminated backend
 * (57P01-57P03) leaves that open.
 */
export function rolledBack(err: unknown): boolean {
  for (const e of causeChain(err)) {
    if (typeof e.severity === "string" && typeof e.code === "string") {
      const code = e.code;
      return SQLSTATE.test(code) && !code.startsWith("08") && !/^57P0[123]$/.test(code);
    }
  }
  return false;
}
