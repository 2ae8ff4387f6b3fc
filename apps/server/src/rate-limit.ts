import { AppError } from "@stockroom/api";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";
import { header } from "./headers";
import { problem } from "./problem";

interface Bucket {
  tokens: number;
  last: number;
}

/**
 * Token bucket per API key, in this process only: with N replicas a key may make up to
 * N × the limit. Keyed by the bearer secret itself (never logged), so unknown keys are
 * throttled too and the check costs no database round trip.
 */
export function rateLimit(perSecond: number, burst: number): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, Bucket>();
  const sweep = setInterval(() => {
    const cutoff = Date.now() - 60_000;
    for (const [k, b] of buckets) if (b.last < cutoff) buckets.delete(k);
  }, 30_000);
  sweep.unref();

  return async (c, next) => {
    const auth = header(c, "authorization");
    if (!auth) return next();
    const now = Date.now();
    let bucket = buckets.get(auth);
    if (!bucket) {
      bucket = { tokens: burst, last: now };
      buckets.set(auth, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.last) / 1000) * perSecond);
      bucket.last = now;
    }
    const resetSeconds = Math.ceil((burst - bucket.tokens) / perSecond);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
      const res = problem(
        c,
        new AppError("RATE_LIMITED", `Too many requests for this API key; retry after ${retryAfter} s`, {
          retryAfter,
        }),
      );
      res.headers.set("ratelimit-limit", String(burst));
      res.headers.set("ratelimit-remaining", "0");
      res.headers.set("ratelimit-reset", String(retryAfter));
      return res;
    }
    bucket.tokens -= 1;
    const headers = c.get("responseHeaders");
    headers.set("ratelimit-limit", String(burst));
    headers.set("ratelimit-remaining", String(Math.floor(bucket.tokens)));
    headers.set("ratelimit-reset", String(Math.max(0, resetSeconds)));
    return next();
  };
}
