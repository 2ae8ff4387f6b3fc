import type { AppRouter } from "@stockroom/api";
import { TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { StockroomError } from "./errors";
import { toStockroomError } from "./to-stockroom-error";

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export interface RetryPolicy {
  maxRetries: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
}

/**
 * Gives every mutation one Idempotency-Key (in the operation's context, read by the HTTP
 * links' headers) before its first attempt, so every retry of the call repeats the same key;
 * retries network errors, timeouts, 429 and 502/503/504 with exponential backoff and jitter,
 * waiting at least the server's Retry-After; and reports every failure as a StockroomError
 * (the `cause` of the TRPCClientError tRPC hands on). tRPC's own retryLink is not used: its
 * delay function never sees the error, so it cannot honour Retry-After, and its backoff
 * timer ignores the caller's abort signal.
 */
export function stockroomRetryLink(policy: RetryPolicy): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const keyed =
          op.type === "mutation" && typeof op.context.idempotencyKey !== "string"
            ? { ...op, context: { ...op.context, idempotencyKey: newIdempotencyKey() } }
            : op;
        const signal = op.signal ?? undefined;
        let attempts = 0;
        let current: Unsubscribable | undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let finished = false;

        const finish = () => {
          finished = true;
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        };
        const fail = (error: unknown) => {
          if (finished) return;
          finish();
          observer.error(TRPCClientError.from(error instanceof Error ? error : new Error(String(error))));
        };
        function onAbort() {
          current?.unsubscribe();
          fail(signal?.reason);
        }

        const attempt = () => {
          attempts++;
          current = next(keyed).subscribe({
            next: (envelope) => observer.next(envelope),
            complete: () => {
              finish();
              observer.complete();
            },
            error: (cause) => {
              if (signal?.aborted) return fail(signal.reason);
              const error = toStockroomError(cause, op.path, attempts);
              if (attempts > policy.maxRetries || !isRetryable(error)) return fail(error);
              timer = setTimeout(attempt, retryDelay(policy, attempts, error.retryAfter));
            },
          });
        };

        if (signal?.aborted) fail(signal.reason);
        else {
          signal?.addEventListener("abort", onAbort, { once: true });
          attempt();
        }
        return () => {
          finish();
          current?.unsubscribe();
        };
      });
}

function isRetryable(error: StockroomError): boolean {
  if (error.code === "NETWORK_ERROR" || error.code === "TIMEOUT") return true;
  return error.status !== null && RETRYABLE_STATUS.has(error.status);
}

export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterSeconds: number | null): number {
  const base = Math.min(policy.initialRetryDelayMs * 2 ** (attempt - 1), policy.maxRetryDelayMs);
  // Jitter keeps many clients that failed together from retrying together.
  const jittered = base * (0.5 + Math.random() * 0.5);
  const asked = retryAfterSeconds === null ? 0 : retryAfterSeconds * 1000;
  return Math.min(Math.max(jittered, asked), policy.maxRetryDelayMs);
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
