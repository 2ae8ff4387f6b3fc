import { codeForStatus, StockroomError, type StockroomErrorCode, type StockroomIssue } from "./errors";

export type ProcedureKind = "query" | "mutation";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface RequestSenderOptions {
  /** Server root, e.g. `http://localhost:8000` (a trailing `/trpc` is accepted too). */
  url: string;
  /** A Stockroom API key; sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** A fetch implementation; default: the global fetch. */
  fetch?: FetchLike;
  /** Per attempt. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts, 429 and 503. Default 2. */
  maxRetries?: number;
  /** First backoff step; doubles per retry, with jitter. Default 500. */
  initialRetryDelayMs?: number;
  /** Upper bound for one wait, Retry-After included. Default 30 000. */
  maxRetryDelayMs?: number;
  /** Extra headers on every request (not Authorization or Idempotency-Key). */
  headers?: Record<string, string>;
}

export interface SendOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/**
 * The one transport, after stripe-node's RequestSender: tRPC over HTTP (no transformer,
 * no batching), a timeout per attempt, and retries with exponential backoff and jitter.
 * A mutation carries one Idempotency-Key, made once per logical call and reused by every
 * retry, so the server applies it at most once.
 */
export class RequestSender {
  readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly initialRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly headers: Record<string, string>;

  constructor(options: RequestSenderOptions) {
    if (typeof options.url !== "string" || !/^https?:\/\//i.test(options.url))
      throw new TypeError(`url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
    if (typeof options.apiKey !== "string" || options.apiKey.length === 0)
      throw new TypeError("apiKey must be a non-empty string");
    const root = options.url.replace(/\/+$/, "");
    this.baseUrl = root.endsWith("/trpc") ? root : `${root}/trpc`;
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch;
    this.timeoutMs = nonNegative(options.timeoutMs, 30_000, "timeoutMs");
    this.maxRetries = Math.floor(nonNegative(options.maxRetries, 2, "maxRetries"));
    this.initialRetryDelayMs = nonNegative(options.initialRetryDelayMs, 500, "initialRetryDelayMs");
    this.maxRetryDelayMs = nonNegative(options.maxRetryDelayMs, 30_000, "maxRetryDelayMs");
    this.headers = { ...options.headers };
  }

  async send(kind: ProcedureKind, path: string, input: unknown, options: SendOptions = {}): Promise<unknown> {
    const idempotencyKey = kind === "mutation" ? (options.idempotencyKey ?? newIdempotencyKey()) : undefined;
    const headers: Record<string, string> = {
      accept: "application/json",
      ...this.headers,
      authorization: `Bearer ${this.apiKey}`,
    };
    let url = `${this.baseUrl}/${path}`;
    let body: string | undefined;
    if (kind === "query") {
      if (input !== undefined) url += `?input=${encodeURIComponent(JSON.stringify(input))}`;
    } else {
      headers["content-type"] = "application/json";
      if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
      if (input !== undefined) body = JSON.stringify(input);
    }
    const init: RequestInit = { method: kind === "query" ? "GET" : "POST", headers, body };

    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(url, init, path, attempt, options.signal);
      if (outcome.ok) return outcome.data;
      const error = outcome.error;
      if (attempt > this.maxRetries || !isRetryable(error)) throw error;
      await sleep(this.retryDelay(attempt, error.retryAfter), options.signal);
    }
  }

  private async attempt(
    url: string,
    init: RequestInit,
    path: string,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; data: unknown } | { ok: false; error: StockroomError }> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const fail = (code: StockroomErrorCode, detail: string, cause?: unknown) => ({
      ok: false as const,
      error: new StockroomError({ code, status: null, detail, procedure: path, attempts: attempt, cause }),
    });
    try {
      let res: Response;
      let text: string;
      try {
        const fetchImpl = this.fetchImpl ?? globalThis.fetch;
        res = await fetchImpl(url, { ...init, signal: controller.signal });
        text = await res.text();
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (timedOut)
          return fail("TIMEOUT", `No answer from ${this.baseUrl} within ${this.timeoutMs} ms`, err);
        return fail("NETWORK_ERROR", `Could not reach ${this.baseUrl}: ${describeNetworkError(err)}`, err);
      }
      return interpret(res, text, path, attempt);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private retryDelay(attempt: number, retryAfterSeconds: number | null): number {
    const base = Math.min(this.initialRetryDelayMs * 2 ** (attempt - 1), this.maxRetryDelayMs);
    // Jitter keeps many clients that failed together from retrying together.
    const jittered = base * (0.5 + Math.random() * 0.5);
    const asked = retryAfterSeconds === null ? 0 : retryAfterSeconds * 1000;
    return Math.min(Math.max(jittered, asked), this.maxRetryDelayMs);
  }
}

function isRetryable(error: StockroomError): boolean {
  if (error.code === "NETWORK_ERROR" || error.code === "TIMEOUT") return true;
  return error.status !== null && RETRYABLE_STATUS.has(error.status);
}

interface TrpcEnvelope {
  result?: { data?: unknown };
  error?: {
    message?: string;
    data?: {
      code?: string;
      httpStatus?: number;
      detail?: string;
      requestId?: string;
      issues?: StockroomIssue[];
      retryAfter?: number;
    };
  };
}

/** Problem+json, as the server's HTTP layer answers before tRPC runs (body too large, bad header). */
interface ProblemBody {
  code?: string;
  status?: number;
  detail?: string;
  requestId?: string;
  issues?: StockroomIssue[];
}

function interpret(
  res: Response,
  text: string,
  path: string,
  attempt: number,
): { ok: true; data: unknown } | { ok: false; error: StockroomError } {
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const headerRequestId = res.headers.get("x-request-id");
  const headerRetryAfter = parseRetryAfter(res.headers.get("retry-after"));
  const envelope = (json && typeof json === "object" ? json : {}) as TrpcEnvelope & ProblemBody;

  if (res.ok && envelope.result && typeof envelope.result === "object")
    return { ok: true, data: envelope.result.data };

  const data = envelope.error?.data;
  const code = (data?.code ?? envelope.code ?? codeForStatus(res.status)) as StockroomErrorCode;
  const status = data?.httpStatus ?? envelope.status ?? res.status;
  const detail =
    data?.detail ??
    envelope.error?.message ??
    envelope.detail ??
    (res.ok
      ? `Unexpected answer from the server (HTTP ${res.status}, not a tRPC response)`
      : `HTTP ${res.status} ${res.statusText || ""}`.trim());
  const retryAfter = typeof data?.retryAfter === "number" ? data.retryAfter : headerRetryAfter;
  return {
    ok: false,
    error: new StockroomError({
      code,
      status: res.ok ? res.status : status,
      detail,
      requestId: data?.requestId || envelope.requestId || headerRequestId,
      issues: Array.isArray(data?.issues)
        ? data.issues
        : Array.isArray(envelope.issues)
          ? envelope.issues
          : [],
      retryAfter,
      procedure: path,
      attempts: attempt,
    }),
  };
}

/** Retry-After is seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

function describeNetworkError(err: unknown): string {
  // undici puts the reason (ECONNREFUSED, a DNS failure, "bad port") in cause.
  const cause = (
    err as { cause?: { code?: string; message?: string; errors?: { message?: string }[] } } | null
  )?.cause;
  const detail = cause?.message || cause?.errors?.[0]?.message || cause?.code;
  if (detail) return detail;
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new TypeError(`${name} must be a non-negative number`);
  return value;
}

/** A v4 UUID; crypto.randomUUID exists only in secure contexts in browsers. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof c?.getRandomValues === "function") c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
