import type { ErrorCode, ValidationIssue } from "@stockroom/api";

/**
 * Every code a `StockroomError` can carry: the server's catalogue (API.md) plus the two
 * failures that happen before an answer arrives.
 */
export type StockroomErrorCode = ErrorCode | "NETWORK_ERROR" | "TIMEOUT";

export type StockroomIssue = ValidationIssue;

export interface StockroomErrorInit {
  code: StockroomErrorCode;
  /** HTTP status of the answer; null when no answer arrived (network error, timeout). */
  status: number | null;
  detail: string;
  requestId?: string | null;
  issues?: StockroomIssue[];
  retryAfter?: number | null;
  procedure?: string;
  attempts?: number;
  cause?: unknown;
}

/** The one error type the SDK throws for a failed call. */
export class StockroomError extends Error {
  override readonly name = "StockroomError";
  readonly code: StockroomErrorCode;
  readonly status: number | null;
  readonly detail: string;
  /** The server's X-Request-Id for this call; quote it when reporting a problem. */
  readonly requestId: string | null;
  /** Validation failures, `{ path, message }`; empty unless code is VALIDATION_FAILED. */
  readonly issues: StockroomIssue[];
  /** Seconds the server asked to wait (RATE_LIMITED, UNAVAILABLE), if it said. */
  readonly retryAfter: number | null;
  /** The procedure called, e.g. `products.create`. */
  readonly procedure: string | null;
  /** How many requests were sent, retries included. */
  readonly attempts: number;

  constructor(init: StockroomErrorInit) {
    super(`${init.code}: ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.detail = init.detail;
    this.requestId = init.requestId ?? null;
    this.issues = init.issues ?? [];
    this.retryAfter = init.retryAfter ?? null;
    this.procedure = init.procedure ?? null;
    this.attempts = init.attempts ?? 1;
  }

  /** A plain object for logs and `--json` output. */
  toJSON() {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      detail: this.detail,
      requestId: this.requestId,
      issues: this.issues,
      retryAfter: this.retryAfter,
      procedure: this.procedure,
      attempts: this.attempts,
    };
  }
}

export function isStockroomError(value: unknown): value is StockroomError {
  return value instanceof StockroomError || (value as { name?: unknown } | null)?.name === "StockroomError";
}

/** For answers that did not come from the API itself (a proxy's HTML page, say). */
export function codeForStatus(status: number): StockroomErrorCode {
  switch (status) {
    case 400:
      return "VALIDATION_FAILED";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "METHOD_NOT_ALLOWED";
    case 408:
      return "REQUEST_TIMEOUT";
    case 413:
      return "PAYLOAD_TOO_LARGE";
    case 414:
      return "URI_TOO_LONG";
    case 415:
      return "UNSUPPORTED_MEDIA_TYPE";
    case 429:
      return "RATE_LIMITED";
    case 431:
      return "HEADERS_TOO_LARGE";
    case 502:
    case 503:
    case 504:
      return "UNAVAILABLE";
    default:
      return status >= 500 ? "INTERNAL" : "VALIDATION_FAILED";
  }
}
