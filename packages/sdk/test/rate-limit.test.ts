import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStockroomClient, type FetchLike, StockroomError } from "../src/index";
import { startTestServer, type TestServer } from "./server";

/** The server's real rate limiter (1 request per second per key, burst 1) against the client. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ STOCKROOM_RATE_LIMIT: "1", STOCKROOM_RATE_LIMIT_BURST: "1" });
});
afterAll(() => server?.close());

function counting() {
  const statuses: number[] = [];
  const times: number[] = [];
  const fetchLike: FetchLike = async (url, init) => {
    times.push(Date.now());
    const res = await fetch(url, init);
    statuses.push(res.status);
    return res;
  };
  return { fetchLike, statuses, times };
}

describe("429 from the rate limiter", () => {
  it("surfaces RATE_LIMITED with Retry-After when retries are off", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    // Unbatched, so that each call is a request of its own to the limiter.
    const c = createStockroomClient({ url: server.url, apiKey: server.apiKey, maxRetries: 0, batch: false });
    const results = await Promise.allSettled([
      c.stores.list(),
      c.stores.list(),
      c.stores.list(),
      c.stores.list(),
    ]);
    const refused = results
      .filter((r) => r.status === "rejected")
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toBeInstanceOf(StockroomError);
    expect(refused[0]).toMatchObject({ code: "RATE_LIMITED", status: 429, retryAfter: 1 });
  });

  it("counts a batch of four reads as one request", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const { fetchLike, statuses } = counting();
    const c = createStockroomClient({
      url: server.url,
      apiKey: server.apiKey,
      maxRetries: 0,
      fetch: fetchLike,
    });
    const results = await Promise.allSettled([
      c.stores.list(),
      c.stores.list(),
      c.products.list({ limit: 1 }),
      c.inventory.alerts({ storeId: "store1" }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(statuses).toEqual([200]);
  });

  it("waits as told and succeeds when retries are on, reusing the idempotency key", async () => {
    // Spend the bucket: keep asking (without retries) until the limiter refuses.
    const probe = createStockroomClient({ url: server.url, apiKey: server.apiKey, maxRetries: 0 });
    for (let i = 0; i < 5; i++) {
      const refused = await probe.stores.list().then(
        () => false,
        (e: unknown) => e instanceof StockroomError && e.code === "RATE_LIMITED",
      );
      if (refused) break;
    }
    const keys: (string | null)[] = [];
    const { fetchLike, statuses, times } = counting();
    const c = createStockroomClient({
      url: server.url,
      apiKey: server.apiKey,
      initialRetryDelayMs: 10,
      maxRetries: 3,
      fetch: (url, init) => {
        keys.push(new Headers(init.headers).get("idempotency-key"));
        return fetchLike(url, init);
      },
    });
    const created = await c.stores.create({ id: "rate-1", name: "Limited" });
    expect(created.id).toBe("rate-1");
    expect(statuses[0]).toBe(429);
    expect(statuses.at(-1)).toBe(200);
    // The retry came after the Retry-After second, not after the 10 ms backoff.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBeTruthy();
  });
});
