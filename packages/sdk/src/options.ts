export type ProcedureKind = "query" | "mutation";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface StockroomClientOptions {
  /** Server root, e.g. `http://localhost:8000` (a trailing `/trpc` is accepted too). */
  url: string;
  /** A Stockroom API key; sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** A fetch implementation; default: the global fetch. */
  fetch?: FetchLike;
  /** Per attempt (one HTTP request, batched or not). Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts, 429 and 502/503/504. Default 2. */
  maxRetries?: number;
  /** First backoff step; doubles per retry, with jitter. Default 500. */
  initialRetryDelayMs?: number;
  /** Upper bound for one wait, Retry-After included. Default 30 000. */
  maxRetryDelayMs?: number;
  /** Extra headers on every request (not Authorization or Idempotency-Key). */
  headers?: Record<string, string>;
  /**
   * Queries made in the same tick travel in one HTTP request (tRPC's httpBatchLink).
   * Mutations are never batched: each carries its own Idempotency-Key. Default true.
   */
  batch?: boolean;
  /**
   * Read your own writes through any server process: remember the highest `Write-Position`
   * a change was answered (servers with a read replica send it) and send it as `Read-After`
   * with every query, so a read never comes from a replica that has not got this client's
   * changes. Per client instance. Default true.
   */
  readYourWrites?: boolean;
}

export interface ResolvedOptions {
  trpcUrl: string;
  apiKey: string;
  fetch: FetchLike | undefined;
  timeoutMs: number;
  maxRetries: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  headers: Record<string, string>;
  batch: boolean;
  readYourWrites: boolean;
}

export function resolveOptions(options: StockroomClientOptions): ResolvedOptions {
  if (typeof options.url !== "string" || !/^https?:\/\//i.test(options.url))
    throw new TypeError(`url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
  if (typeof options.apiKey !== "string" || options.apiKey.length === 0)
    throw new TypeError("apiKey must be a non-empty string");
  const root = options.url.replace(/\/+$/, "");
  return {
    trpcUrl: root.endsWith("/trpc") ? root : `${root}/trpc`,
    apiKey: options.apiKey,
    fetch: options.fetch,
    timeoutMs: nonNegative(options.timeoutMs, 30_000, "timeoutMs"),
    maxRetries: Math.floor(nonNegative(options.maxRetries, 2, "maxRetries")),
    initialRetryDelayMs: nonNegative(options.initialRetryDelayMs, 500, "initialRetryDelayMs"),
    maxRetryDelayMs: nonNegative(options.maxRetryDelayMs, 30_000, "maxRetryDelayMs"),
    headers: { ...options.headers },
    batch: options.batch ?? true,
    readYourWrites: options.readYourWrites ?? true,
  };
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new TypeError(`${name} must be a non-negative number`);
  return value;
}
