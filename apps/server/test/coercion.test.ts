import { buildOpenApiDocument } from "@stockroom/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends, trpcCode } from "./helpers";

// STACK.md's trap: trpc-to-openapi coerces query strings by mutating the shared zod schemas,
// after which tRPC too would take "5" for a number. REST goes first here on purpose.

const backends = await testBackends();

describe.each(backends)("REST coercion does not leak into tRPC on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  it("serves REST first: query strings become numbers, JSON bodies stay typed", async () => {
    // Everything that could touch the schemas: the document, REST queries, REST bodies.
    expect((await t.rest("GET", "/openapi.json", { key: null })).status).toBe(200);
    buildOpenApiDocument({ baseUrl: "/api", version: "test" });
    const listed = await t.rest("GET", "/api/products?limit=5&offset=0&priceMin=1", { key: t.keys.viewer });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ limit: 5, offset: 0 });
    expect((await t.rest("GET", "/api/stores?limit=5")).body.limit).toBe(5);
    const created = await t.rest("POST", "/api/products", {
      body: { sku: "COERCE-1", name: "Coerced", category: "coerce", price: 12 },
    });
    expect(created.status).toBe(201);
    expect(created.body.price).toBe(12);
    expect(
      (await t.rest("PUT", `/api/products/${created.body.id}`, { body: { price: 13 } })).body.price,
    ).toBe(13);
  });

  it("still refuses a string for a number over tRPC", async () => {
    const create = await t.trpc("mutation", "products.create", {
      sku: "COERCE-2",
      name: "String price",
      category: "coerce",
      price: "12",
    });
    expect([create.status, trpcCode(create)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(create.body.error.data.issues).toEqual([{ path: "price", message: expect.any(String) }]);

    const list = await t.trpc("query", "products.list", { limit: "5" });
    expect([list.status, trpcCode(list)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(list.body.error.data.issues[0].path).toBe("limit");

    for (const input of [{ offset: "0" }, { priceMin: "1" }, { limit: "5", offset: "0" }]) {
      const reply = await t.trpc("query", "products.list", input);
      expect([input, reply.status]).toEqual([input, 400]);
    }
    const stores = await t.trpc("query", "stores.list", { limit: "5" });
    expect(stores.status).toBe(400);
    const update = await t.trpc("mutation", "products.update", {
      id: "00000000-0000-4000-8000-000000000000",
      price: "13",
    });
    expect([update.status, trpcCode(update)]).toEqual([400, "VALIDATION_FAILED"]);
    const batch = await t.trpc("mutation", "products.upsertMany", {
      items: [{ sku: "COERCE-3", name: "n", category: "coerce", price: "1" }],
      onError: "skipFailed",
    });
    expect(batch.body.result.data).toMatchObject({
      created: 0,
      failed: [{ index: 0, code: "VALIDATION_FAILED" }],
    });
    expect((await t.rest("GET", "/api/products?category=coerce")).body.total).toBe(1);
  });

  it("refuses a string for a number in a REST JSON body too", async () => {
    const reply = await t.rest("POST", "/api/products", {
      body: { sku: "COERCE-4", name: "String price", category: "coerce", price: "12" },
    });
    expectProblem(reply, 400, "VALIDATION_FAILED");
    expect(reply.body.issues).toEqual([{ path: "price", message: expect.any(String) }]);
  });

  it("still takes ?limit=5 over REST after all that, and real numbers over tRPC", async () => {
    const rest = await t.rest("GET", "/api/products?limit=5", { key: t.keys.viewer });
    expect(rest.status).toBe(200);
    expect(rest.body.limit).toBe(5);
    const trpc = await t.trpc("query", "products.list", { limit: 5 });
    expect(trpc.status).toBe(200);
    expect(trpc.body.result.data.limit).toBe(5);
    const created = await t.trpc("mutation", "products.create", {
      sku: "COERCE-5",
      name: "Number price",
      category: "coerce",
      price: 12,
    });
    expect(created.status).toBe(200);
  });

  it("reports a missing number plainly, not as NaN", async () => {
    const reply = await t.rest("POST", "/api/products", {
      body: { sku: "COERCE-6", name: "No price", category: "coerce" },
    });
    expectProblem(reply, 400, "VALIDATION_FAILED");
    expect(reply.body.issues).toEqual([{ path: "price", message: expect.stringMatching(/required/i) }]);
    expect(reply.text).not.toMatch(/NaN/);
    const query = await t.rest("GET", "/api/products?limit=");
    expectProblem(query, 400, "VALIDATION_FAILED");
    expect(query.text).not.toMatch(/NaN/);
  });
});
