import { TRPCClientError } from "@trpc/client";
import { codeForStatus, StockroomError, type StockroomErrorCode, type StockroomIssue } from "./errors";
import { describeNetworkError, parseRetryAfter, TransportFailure } from "./transport";

/** What the server's tRPC error formatter puts in `error.data` (API.md's error envelope). */
interface ErrorData {
  code?: string;
  httpStatus?: number;
  detail?: string;
  requestId?: string;
  issues?: StockroomIssue[];
  retryAfter?: number | null;
}

interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

/** Any failure of one call, as tRPC's links report it, turned into the SDK's one error type. */
export function toStockroomError(cause: unknown, procedure: string, attempts: number): StockroomError {
  if (cause instanceof StockroomError) return cause;
  const inner = cause instanceof TRPCClientError ? cause.cause : cause;
  if (inner instanceof StockroomError) return inner;
  if (inner instanceof TransportFailure) return new StockroomError({ ...inner.init, procedure, attempts });
  if (!(cause instanceof TRPCClientError))
    return new StockroomError({
      code: "NETWORK_ERROR",
      status: null,
      detail: describeNetworkError(cause),
      procedure,
      attempts,
      cause,
    });
  const data = (cause.data ?? {}) as ErrorData;
  const response = (cause.meta as { response?: ResponseLike } | undefined)?.response;
  const status = data.httpStatus ?? response?.status ?? null;
  return new StockroomError({
    code: (data.code ?? (status === null ? "NETWORK_ERROR" : codeForStatus(status))) as StockroomErrorCode,
    status,
    detail: data.detail ?? cause.message,
    requestId: data.requestId || response?.headers.get("x-request-id"),
    issues: Array.isArray(data.issues) ? data.issues : [],
    retryAfter:
      typeof data.retryAfter === "number"
        ? data.retryAfter
        : parseRetryAfter(response?.headers.get("retry-after")),
    procedure,
    attempts,
    cause: cause.cause,
  });
}
