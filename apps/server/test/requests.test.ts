import { KeyAuthenticator } from "@stockroom/api";
import { createDatabase, type Database } from "@stockroom/db";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { createTestApp, expectProblem, type Reply, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(backends)("request ids, health and idempotency headers on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  const rid = (reply: Reply) => reply.headers.get("x-request-id");

  it("echoes X-Request-Id when sent", async () => {
    for (const id of ["req-123", "a.b:c_d-1", "x".repeat(128)]) {
      const reply = await t.rest("GET", "/api/products", { headers: { "x-request-id": id } });
      expect(reply.status).toBe(200);
      expect(rid(reply)).toBe(id);
    }
    const trpc = await t.trpc("query", "products.list", {}, { headers: { "x-request-id": "trpc-1" } });
    expect(rid(trpc)).toBe("trpc-1");
  });

  it("generates a fresh one otherwise, and for ids it will not echo", async () => {
    const a = await t.rest("GET", "/health");
    const b = await t.rest("GET", "/health");
    expect(rid(a)).toMatch(UUID);
    expect(rid(b)).toMatch(UUID);
    expect(rid(a)).not.toBe(rid(b));
    for (const id of ["has space", "x".repeat(129), "<script>", "a\tb", ""]) {
      const reply = await t.rest("GET", "/health", { headers: { "x-request-id": id } });
      expect([id, rid(reply)]).toEqual([id, expect.stringMatching(UUID)]);
    }
  });

  it("puts the id on every error, and the same one in the problem body", async () => {
    const replies: Reply[] = [
      await t.rest("GET", "/api/products", { key: null }),
      await t.rest("GET", "/api/keys", { key: t.keys.viewer }),
      await t.rest("GET", "/api/products/nope"),
      await t.rest("GET", "/api/products/00000000-0000-4000-8000-000000000000"),
      await t.rest("GET", "/api/nothing"),
      await t.rest("GET", "/nothing"),
      await t.rest("PATCH", "/api/products"),
      await t.rest("POST", "/api/products", { raw: "x", headers: { "content-type": "text/plain" } }),
      await t.rest("POST", "/api/stores", {
        raw: "x".repeat(1024 * 1024 + 10),
        headers: { "content-type": "application/json" },
      }),
    ];
    for (const reply of replies) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(rid(reply)).toMatch(UUID);
      expect(reply.body.requestId).toBe(rid(reply));
    }
    const sent = await t.rest("GET", "/api/products/nope", { headers: { "x-request-id": "trace-404" } });
    expect(rid(sent)).toBe("trace-404");
    expect(sent.body.requestId).toBe("trace-404");

    const trpc = await t.trpc(
      "query",
      "products.get",
      { id: "nope" },
      { headers: { "x-request-id": "trace-trpc" } },
    );
    expect(trpc.status).toBe(400);
    expect(rid(trpc)).toBe("trace-trpc");
    expect(trpc.body.error.data.requestId).toBe("trace-trpc");
  });

  it("answers /health with 200 {status: ok} and /ready with 200, without a key", async () => {
    const health = await t.rest("GET", "/health", { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok" });
    const ready = await t.rest("GET", "/ready", { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "ready", database: backend });
  });

  it("takes an Idempotency-Key of 1 to 255 characters and refuses a longer one", async () => {
    const body = { id: "idem-a", name: "Idempotent" };
    const long = await t.rest("POST", "/api/stores", {
      body,
      headers: { "idempotency-key": "k".repeat(256) },
    });
    expectProblem(long, 400, "VALIDATION_FAILED");
    expect(long.body.issues).toEqual([{ path: "Idempotency-Key", message: expect.any(String) }]);
    expectProblem(await t.rest("GET", "/api/stores/idem-a"), 404, "NOT_FOUND");
    const empty = await t.rest("POST", "/api/stores", { body, headers: { "idempotency-key": "" } });
    expectProblem(empty, 400, "VALIDATION_FAILED");
    const trpc = await t.trpc("mutation", "stores.create", body, {
      headers: { "idempotency-key": "k".repeat(256) },
    });
    expect([trpc.status, trpc.headers.get("content-type")]).toEqual([400, expect.stringMatching(/json/)]);
    expectProblem(await t.rest("GET", "/api/stores/idem-a"), 404, "NOT_FOUND");

    const max = await t.rest("POST", "/api/stores", {
      body,
      headers: { "idempotency-key": "k".repeat(255) },
    });
    expect(max.status).toBe(201);
  });

  it("replays a repeated POST with the same Idempotency-Key, once, and refuses another body", async () => {
    const body = { sku: "IDEM-1", name: "Once", category: "idem", price: 2 };
    const headers = { "idempotency-key": "create-idem-1" };
    const first = await t.rest("POST", "/api/products", { body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await t.rest("POST", "/api/products", { body, headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await t.rest("GET", "/api/products?category=idem")).body.total).toBe(1);

    const other = await t.rest("POST", "/api/products", { body: { ...body, price: 3 }, headers });
    expectProblem(other, 422, "IDEMPOTENCY_KEY_REUSED");
    // Keys belong to the API key that sent them.
    const byOther = await t.rest("POST", "/api/products", {
      body: { ...body, sku: "IDEM-2" },
      headers,
      key: t.keys.manager,
    });
    expect(byOther.status).toBe(201);
    expect(byOther.headers.get("idempotent-replayed")).toBeNull();
    // A refused request does not burn the key.
    const refused = await t.rest("POST", "/api/products", {
      body: { ...body, sku: "IDEM-1" },
      headers: { "idempotency-key": "retry-after-409" },
    });
    expectProblem(refused, 409, "SKU_TAKEN");
    const retried = await t.rest("POST", "/api/products", {
      body: { ...body, sku: "IDEM-3" },
      headers: { "idempotency-key": "retry-after-409" },
    });
    expect(retried.status).toBe(201);
    const trpc = await t.trpc(
      "mutation",
      "products.create",
      { ...body, sku: "IDEM-4" },
      { headers: { "idempotency-key": "trpc-idem" } },
    );
    const trpcAgain = await t.trpc(
      "mutation",
      "products.create",
      { ...body, sku: "IDEM-4" },
      { headers: { "idempotency-key": "trpc-idem" } },
    );
    expect(trpcAgain.body.result.data).toEqual(trpc.body.result.data);
    expect(trpcCode(trpcAgain)).toBeUndefined();
    expect((await t.rest("GET", "/api/products?category=idem")).body.total).toBe(4);
  });
});

describe("with the database unreachable", () => {
  let database: Database;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    // A real PostgreSQL client pointed at a port nobody listens on.
    database = await createDatabase({
      url: "postgres://postgres@127.0.0.1:1/nothing",
      connectTimeoutMs: 500,
    });
    app = createApp({
      runtime: { database, keys: new KeyAuthenticator(database.db), hooks: {} },
      logger: pino({ level: "silent" }),
    });
  });
  afterAll(() => database?.close());

  it("/health still answers 200, /ready answers 503 UNAVAILABLE", async () => {
    expect((await app.request("/health")).status).toBe(200);
    const ready = await app.request("/ready");
    expect(ready.status).toBe(503);
    expect(ready.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(ready.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await ready.json()).toMatchObject({ code: "UNAVAILABLE", status: 503 });
  });

  it("answers API calls with 503 UNAVAILABLE, not 500", async () => {
    const rest = await app.request("/api/products", {
      headers: { authorization: "Bearer sk_live_anything_at_all" },
    });
    expect(rest.status).toBe(503);
    const body = await rest.text();
    expect(JSON.parse(body)).toMatchObject({ code: "UNAVAILABLE" });
    expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\n\s+at /);
    const trpc = await app.request("/trpc/products.list", {
      headers: { authorization: "Bearer sk_live_anything_at_all" },
    });
    expect(trpc.status).toBe(503);
  });
});
