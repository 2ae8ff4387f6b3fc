import { codeForStatus, type StockroomErrorInit, type StockroomIssue } from "./errors";
import type { FetchLike } from "./options";

/**
 * A failure below tRPC's protocol: no answer (network error, timeout) or an answer that is
 * not a tRPC response (the server's HTTP layer refusing before tRPC runs, a proxy's page).
 * The links turn it into a StockroomError once they know the procedure and the attempt.
 */
export class TransportFailure extends Error {
  override readonly name = "TransportFailure";
  constructor(readonly init: Omit<StockroomErrorInit, "procedure" | "attempts">) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
  }
}

/** Problem+json, as the server's HTTP layer answers before tRPC runs (body too large, bad header). */
interface ProblemBody {
  code?: string;
  status?: number;
  detail?: string;
  requestId?: string;
  issues?: StockroomIssue[];
}

/**
 * The fetch handed to tRPC's HTTP links: a time limit per request, network failures named,
 * and anything that is not a tRPC answer turned into a TransportFailure with what the
 * answer said, so that tRPC only ever parses its own protocol.
 */
export function transportFetch(options: {
  baseUrl: string;
  timeoutMs: number;
  fetch: FetchLike | undefined;
  /** Sees the headers of every answer that arrived. */
  onHeaders?: (headers: Headers) => void;
}): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  // tRPC's HTTP links always pass the URL as a string.
  return async (input, init = {}) => {
    const url = String(input);
    const outer = init.signal ?? undefined;
    outer?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const onAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener("abort", onAbort, { once: true });
    try {
      let res: Response;
      let text: string;
      try {
        const fetchImpl = options.fetch ?? globalThis.fetch;
        res = await fetchImpl(url, { ...init, signal: controller.signal });
        text = await res.text();
        options.onHeaders?.(res.headers);
      } catch (err) {
        if (outer?.aborted) throw outer.reason;
        if (timedOut)
          throw failure("TIMEOUT", `No answer from ${options.baseUrl} within ${options.timeoutMs} ms`, err);
        throw failure(
          "NETWORK_ERROR",
          `Could not reach ${options.baseUrl}: ${describeNetworkError(err)}`,
          err,
        );
      }
      const json = parseJson(text);
      const batched = new URL(url).searchParams.get("batch") === "1";
      if (isTrpcAnswer(json) || (batched && Array.isArray(json) && json.every(isTrpcAnswer)))
        return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
      throw notTrpc(res, json);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
    }
  };
}

function failure(code: "TIMEOUT" | "NETWORK_ERROR", detail: string, cause: unknown) {
  return new TransportFailure({ code, status: null, detail, cause });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTrpcAnswer(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isObject(value.result)) return true;
  return isObject(value.error) && typeof value.error.code === "number";
}

function notTrpc(res: Response, json: unknown): TransportFailure {
  const body = (isObject(json) ? json : {}) as ProblemBody;
  const detail =
    body.detail ??
    (res.ok
      ? `Unexpected answer from the server (HTTP ${res.status}, not a tRPC response)`
      : `HTTP ${res.status} ${res.statusText || ""}`.trim());
  return new TransportFailure({
    code: (body.code ?? codeForStatus(res.status)) as StockroomErrorInit["code"],
    status: res.ok ? res.status : (body.status ?? res.status),
    detail,
    requestId: body.requestId || res.headers.get("x-request-id"),
    issues: Array.isArray(body.issues) ? body.issues : [],
    retryAfter: parseRetryAfter(res.headers.get("retry-after")),
  });
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

export function describeNetworkError(err: unknown): string {
  // undici puts the reason (ECONNREFUSED, a DNS failure, "bad port") in cause.
  const cause = (
    err as { cause?: { code?: string; message?: string; errors?: { message?: string }[] } } | null
  )?.cause;
  const detail = cause?.message || cause?.errors?.[0]?.message || cause?.code;
  if (detail) return detail;
  return err instanceof Error ? err.message : String(err);
}
