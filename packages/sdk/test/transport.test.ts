import type { AppRouter } from "@stockroom/api";
import { createTRPCClient, TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { createStockroomClient, type FetchLike, StockroomError } from "../src/index";
import { createStockroomLinks } from "../src/links";

/**
 * Failure injection for the transport: a scripted fetch that answers each attempt in turn
 * and records what was sent. (The live tests run the same client against a real server.)
 */
type Step = { status: number; body?: unknown; headers?: Record<string, string> } | "network" | "hang";

function scripted(steps: Step[]) {
  const calls: { url: string; init: RequestInit; at: number }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init, at: Date.now() });
    const step = steps.shift();
    if (!step) throw new Error("unexpected extra request");
    if (step === "network")
      throw new TypeError("fetch failed", { cause: { code: "ECONNRESET", message: "read ECONNRESET" } });
    if (step === "hang")
      return new Promise<Response>((_, reject) => {
        init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      });
    return new Response(step.body === undefined ? "" : JSON.stringify(step.body), {
      status: step.status,
      headers: { "content-type": "application/json", ...step.headers },
    });
  };
  return { fetch, calls, remaining: steps };
}

const ok = (data: unknown): Step => ({ status: 200, body: { result: { data } } });
/** The answer to a batched GET: one envelope per call, in order. */
const batchOf = (status: number, ...envelopes: Step[]): Step => ({
  status,
  body: envelopes.map((e) => (typeof e === "string" ? e : e.body)),
});
const trpcError = (status: number, code: string, extra: Record<string, unknown> = {}): Step => ({
  status,
  body: {
    error: {
      message: `${code} detail`,
      code: -32000,
      data: { code, httpStatus: status, detail: `${code} detail`, requestId: "req-1", ...extra },
    },
  },
});

const withHeaders = (step: Step, headers: Record<string, string>): Step =>
  typeof step === "string" ? step : { ...step, headers };

const client = (fetch: FetchLike, extra: Record<string, unknown> = {}) =>
  createStockroomClient({
    url: "http://stockroom.test/",
    apiKey: "k",
    fetch,
    initialRetryDelayMs: 1,
    ...extra,
  });

const header = (init: RequestInit, name: string) => new Headers(init.headers).get(name);

describe("requests", () => {
  it("sends a query (unbatched) as GET with the input in the query string and the key as a bearer token", async () => {
    const s = scripted([ok({ items: [], total: 0, limit: 5, offset: 0 })]);
    const page = await client(s.fetch, { batch: false }).products.list({ limit: 5, q: "ham mer" });
    expect(page.total).toBe(0);
    const [call] = s.calls;
    expect(call!.init.method).toBe("GET");
    const url = new URL(call!.url);
    expect(url.pathname).toBe("/trpc/products.list");
    expect(JSON.parse(url.searchParams.get("input")!)).toEqual({ limit: 5, q: "ham mer" });
    expect(header(call!.init, "authorization")).toBe("Bearer k");
    expect(header(call!.init, "idempotency-key")).toBeNull();
  });

  it("omits the input of an unbatched query called without one", async () => {
    const s = scripted([ok({ items: [] })]);
    await client(s.fetch, { batch: false }).keys.list();
    expect(new URL(s.calls[0]!.url).search).toBe("");
  });

  it("sends a mutation as a JSON POST with a generated Idempotency-Key, or the caller's", async () => {
    const s = scripted([ok({ id: "a" }), ok({ id: "b" })]);
    const c = client(s.fetch);
    await c.stores.create({ id: "s1", name: "One" });
    await c.stores.create({ id: "s2", name: "Two" }, { idempotencyKey: "mine-1" });
    const [first, second] = s.calls;
    expect(first!.init.method).toBe("POST");
    expect(JSON.parse(first!.init.body as string)).toEqual({ id: "s1", name: "One" });
    expect(header(first!.init, "content-type")).toBe("application/json");
    expect(header(first!.init, "idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(header(second!.init, "idempotency-key")).toBe("mine-1");
  });

  it("accepts a url that already ends in /trpc", async () => {
    const s = scripted([ok(undefined)]);
    await createStockroomClient({ url: "http://x.test/trpc", apiKey: "k", fetch: s.fetch }).keys.list();
    expect(s.calls[0]!.url).toBe("http://x.test/trpc/keys.list?batch=1&input=%7B%7D");
  });

  it("refuses a bad url or an empty key at construction", () => {
    expect(() => createStockroomClient({ url: "localhost:8000", apiKey: "k" })).toThrow(/url/);
    expect(() => createStockroomClient({ url: "http://x.test", apiKey: "" })).toThrow(/apiKey/);
  });
});

describe("errors", () => {
  it("turns the tRPC error envelope into a StockroomError with code, status, detail, requestId and issues", async () => {
    const issues = [{ path: "price", message: "Must be at least 0" }];
    const s = scripted([trpcError(400, "VALIDATION_FAILED", { issues })]);
    const err = await client(s.fetch)
      .products.create({ sku: "A", name: "A", category: "c", price: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StockroomError);
    expect(err).toMatchObject({
      name: "StockroomError",
      code: "VALIDATION_FAILED",
      status: 400,
      detail: "VALIDATION_FAILED detail",
      requestId: "req-1",
      issues,
      procedure: "products.create",
      attempts: 1,
    });
    expect(s.calls).toHaveLength(1);
  });

  it("reads a problem+json answer from the HTTP layer too", async () => {
    const s = scripted([
      {
        status: 413,
        body: {
          code: "PAYLOAD_TOO_LARGE",
          status: 413,
          detail: "The request body is over 1 MiB",
          requestId: "r9",
        },
      },
    ]);
    const err = (await client(s.fetch)
      .products.upsertMany({ items: [] })
      .catch((e: unknown) => e)) as StockroomError;
    expect(err).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413, requestId: "r9" });
  });

  it("maps a non-JSON answer by its status", async () => {
    const s = scripted([{ status: 404, body: undefined }]);
    const err = (await client(s.fetch)
      .keys.list()
      .catch((e: unknown) => e)) as StockroomError;
    expect(err).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});

describe("retries", () => {
  it("retries a network error with the same Idempotency-Key, then succeeds", async () => {
    const s = scripted(["network", "network", ok({ id: "p" })]);
    const out = await client(s.fetch, { maxRetries: 2 }).products.create({
      sku: "A",
      name: "A",
      category: "c",
      price: 1,
    });
    expect(out).toEqual({ id: "p" });
    expect(s.calls).toHaveLength(3);
    const keys = s.calls.map((c) => header(c.init, "idempotency-key"));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toBeTruthy();
  });

  it("gives a different key to each logical call", async () => {
    const s = scripted([ok(1), ok(2)]);
    const c = client(s.fetch);
    await c.keys.revoke({ id: "00000000-0000-4000-8000-000000000000" });
    await c.keys.revoke({ id: "00000000-0000-4000-8000-000000000000" });
    expect(header(s.calls[0]!.init, "idempotency-key")).not.toBe(header(s.calls[1]!.init, "idempotency-key"));
  });

  it("gives up after maxRetries with NETWORK_ERROR and no status", async () => {
    const s = scripted(["network", "network", "network"]);
    const err = (await client(s.fetch, { maxRetries: 2 })
      .keys.list()
      .catch((e: unknown) => e)) as StockroomError;
    expect(err).toBeInstanceOf(StockroomError);
    expect(err).toMatchObject({ code: "NETWORK_ERROR", status: null, attempts: 3 });
    expect(err.detail).toContain("ECONNRESET");
  });

  it("does not retry at all with maxRetries 0", async () => {
    const s = scripted(["network"]);
    const err = (await client(s.fetch, { maxRetries: 0 })
      .keys.list()
      .catch((e: unknown) => e)) as StockroomError;
    expect(err.code).toBe("NETWORK_ERROR");
    expect(s.calls).toHaveLength(1);
  });

  it("retries 503 and 429, honouring Retry-After", async () => {
    const s = scripted([
      trpcError(503, "UNAVAILABLE", { retryAfter: undefined }),
      withHeaders(trpcError(429, "RATE_LIMITED"), { "retry-after": "1" }),
      ok("done"),
    ]);
    const out = await client(s.fetch).products.get({ id: "00000000-0000-4000-8000-000000000000" });
    expect(out).toBe("done");
    expect(s.calls).toHaveLength(3);
    // The wait after the 429 is at least the second the server asked for.
    expect(s.calls[2]!.at - s.calls[1]!.at).toBeGreaterThanOrEqual(990);
  });

  it("reads retryAfter from the tRPC error data when there is no header", async () => {
    const s = scripted([trpcError(503, "UNAVAILABLE", { retryAfter: 1 }), ok("x")]);
    await client(s.fetch).keys.list();
    expect(s.calls[1]!.at - s.calls[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it.each([
    [400, "VALIDATION_FAILED"],
    [401, "UNAUTHORIZED"],
    [403, "FORBIDDEN"],
    [404, "NOT_FOUND"],
    [409, "SKU_TAKEN"],
    [422, "IDEMPOTENCY_KEY_REUSED"],
    [500, "INTERNAL"],
  ])("never retries %i %s", async (status, code) => {
    const s = scripted([trpcError(status, code), ok("never")]);
    const err = (await client(s.fetch, { maxRetries: 5 })
      .keys.list()
      .catch((e: unknown) => e)) as StockroomError;
    expect(err).toMatchObject({ code, status });
    expect(s.calls).toHaveLength(1);
  });

  it("times out a hung attempt with TIMEOUT, retrying it like a network error", async () => {
    const s = scripted(["hang", "hang"]);
    const err = (await client(s.fetch, { timeoutMs: 50, maxRetries: 1 })
      .keys.list()
      .catch((e: unknown) => e)) as StockroomError;
    expect(err).toMatchObject({ code: "TIMEOUT", status: null, attempts: 2 });
  });

  it("backs off exponentially with jitter", async () => {
    const s = scripted(["network", "network", "network", ok(1)]);
    await client(s.fetch, { initialRetryDelayMs: 40, maxRetries: 3 }).keys.list();
    const gaps = s.calls.slice(1).map((c, i) => c.at - s.calls[i]!.at);
    // Attempt n waits between half and all of 40·2^(n-1) ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    expect(gaps[2]).toBeLessThan(400);
  });

  it("stops at once when the caller aborts, without more attempts", async () => {
    const s = scripted(["network", ok(1)]);
    const controller = new AbortController();
    const pending = client(s.fetch, { initialRetryDelayMs: 5_000 }).keys.list(undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(pending).rejects.toThrow("stop");
    expect(s.calls).toHaveLength(1);
  });
});

describe("batching", () => {
  it("sends the queries of one tick in one GET, each with its own answer", async () => {
    const s = scripted([batchOf(200, ok({ items: ["p"] }), ok({ items: ["s"] }), ok({ items: ["k"] }))]);
    const c = client(s.fetch);
    const [products, stores, keys] = await Promise.all([
      c.products.list({ limit: 5 }),
      c.stores.list(),
      c.keys.list(),
    ]);
    expect([products, stores, keys]).toEqual([{ items: ["p"] }, { items: ["s"] }, { items: ["k"] }]);
    expect(s.calls).toHaveLength(1);
    const url = new URL(s.calls[0]!.url);
    expect(s.calls[0]!.init.method).toBe("GET");
    expect(url.pathname).toBe("/trpc/products.list,stores.list,keys.list");
    expect(url.searchParams.get("batch")).toBe("1");
    expect(JSON.parse(url.searchParams.get("input")!)).toEqual({ "0": { limit: 5 } });
    expect(header(s.calls[0]!.init, "authorization")).toBe("Bearer k");
  });

  it("never batches mutations: each has its own request and its own Idempotency-Key", async () => {
    const s = scripted([ok({ id: "a" }), ok({ id: "b" })]);
    const c = client(s.fetch);
    await Promise.all([
      c.stores.create({ id: "s1", name: "One" }),
      c.stores.create({ id: "s2", name: "Two" }),
    ]);
    expect(s.calls.map((x) => new URL(x.url).pathname)).toEqual([
      "/trpc/stores.create",
      "/trpc/stores.create",
    ]);
    expect(s.calls.every((x) => !new URL(x.url).searchParams.has("batch"))).toBe(true);
    const keys = s.calls.map((x) => header(x.init, "idempotency-key"));
    expect(keys[0]).toBeTruthy();
    expect(keys[0]).not.toBe(keys[1]);
  });

  it("fails only the call whose answer in the batch is an error", async () => {
    const s = scripted([batchOf(207, ok({ id: "p" }), trpcError(404, "NOT_FOUND"))]);
    const c = client(s.fetch);
    const [found, missing] = await Promise.allSettled([
      c.products.get({ id: "00000000-0000-4000-8000-000000000001" }),
      c.movements.get({ id: "00000000-0000-4000-8000-000000000002" }),
    ]);
    expect(found).toEqual({ status: "fulfilled", value: { id: "p" } });
    expect(missing.status).toBe("rejected");
    expect((missing as PromiseRejectedResult).reason).toMatchObject({
      code: "NOT_FOUND",
      status: 404,
      requestId: "req-1",
      procedure: "movements.get",
      attempts: 1,
    });
    expect(s.calls).toHaveLength(1);
  });

  it("retries every call of a batch the HTTP layer refused (429 problem+json), after Retry-After", async () => {
    const s = scripted([
      {
        status: 429,
        body: { code: "RATE_LIMITED", status: 429, detail: "Slow down", requestId: "r1" },
        headers: { "retry-after": "1" },
      },
      batchOf(200, ok(1), ok(2)),
    ]);
    const c = client(s.fetch);
    expect(await Promise.all([c.keys.list(), c.stores.list()])).toEqual([1, 2]);
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1]!.at - s.calls[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it("surfaces the refusal of a whole batch to each of its calls when retries are off", async () => {
    const s = scripted([{ status: 413, body: { code: "PAYLOAD_TOO_LARGE", status: 413, detail: "big" } }]);
    const c = client(s.fetch, { maxRetries: 0 });
    const results = await Promise.allSettled([c.keys.list(), c.stores.list()]);
    expect(results.map((r) => (r as PromiseRejectedResult).reason?.code)).toEqual([
      "PAYLOAD_TOO_LARGE",
      "PAYLOAD_TOO_LARGE",
    ]);
  });

  it("sends each query on its own with batch: false", async () => {
    const s = scripted([ok(1), ok(2)]);
    const c = client(s.fetch, { batch: false });
    await Promise.all([c.keys.list(), c.stores.list()]);
    expect(s.calls.map((x) => new URL(x.url).pathname).sort()).toEqual([
      "/trpc/keys.list",
      "/trpc/stores.list",
    ]);
  });
});

describe("the links in tRPC's own client", () => {
  it("adds the key, retries with one Idempotency-Key, and puts the StockroomError in the cause", async () => {
    const s = scripted(["network", ok({ id: "s1" }), trpcError(409, "STORE_EXISTS")]);
    const trpc = createTRPCClient<AppRouter>({
      links: createStockroomLinks({
        url: "http://x.test",
        apiKey: "k",
        fetch: s.fetch,
        initialRetryDelayMs: 1,
      }),
    });
    await trpc.stores.create.mutate({ id: "s1", name: "One" });
    const keys = s.calls.map((x) => header(x.init, "idempotency-key"));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    const err = await trpc.stores.create.mutate({ id: "s1", name: "One" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect((err as TRPCClientError<AppRouter>).cause).toBeInstanceOf(StockroomError);
    expect((err as TRPCClientError<AppRouter>).cause).toMatchObject({ code: "STORE_EXISTS", status: 409 });
    expect(header(s.calls[2]!.init, "idempotency-key")).not.toBe(keys[0]);
  });
});
