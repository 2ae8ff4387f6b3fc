import { rowsOf } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type Reply, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();

interface ProductInput {
  sku: string;
  name: string;
  category: string;
  price: number;
  description?: string | null;
}

describe.each(backends)("products on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  const hammer = { sku: "HAM-1", name: "Claw hammer", category: "tools", price: 18.99 };

  const create = async (body: ProductInput) => {
    const reply = await t.rest("POST", "/api/products", { body, key: t.keys.manager });
    if (reply.status !== 201) throw new Error(`create ${body.sku}: ${reply.status} ${reply.text}`);
    return reply.body as { id: string } & ProductInput;
  };
  const list = (params: Record<string, string | number>) =>
    t.rest(
      "GET",
      `/api/products?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`,
      { key: t.keys.viewer },
    );
  const skus = (reply: Reply) => (reply.body.items as Array<{ sku: string }>).map((p) => p.sku);

  it("creates over REST with 201 and reads it back", async () => {
    const created = await t.rest("POST", "/api/products", { body: hammer, key: t.keys.manager });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...hammer, description: null });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
    const got = await t.rest("GET", `/api/products/${created.body.id}`, { key: t.keys.viewer });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
  });

  it("creates and reads over tRPC", async () => {
    const created = await t.trpc("mutation", "products.create", {
      sku: "TRPC-1",
      name: "Made over tRPC",
      description: "with a description",
      category: "trpc",
      price: 1.5,
    });
    expect(created.status).toBe(200);
    const product = created.body.result.data;
    expect(product).toMatchObject({ sku: "TRPC-1", description: "with a description", price: 1.5 });
    const got = await t.trpc("query", "products.get", { id: product.id }, { key: t.keys.viewer });
    expect(got.body.result.data).toEqual(product);
  });

  it("refuses a taken sku case-insensitively with SKU_TAKEN", async () => {
    const again = await t.rest("POST", "/api/products", { body: { ...hammer, sku: "ham-1" } });
    expectProblem(again, 409, "SKU_TAKEN");
    expect(again.body.detail).toContain("ham-1");
    const viaTrpc = await t.trpc("mutation", "products.create", { ...hammer, sku: "Ham-1" });
    expect(viaTrpc.status).toBe(409);
    expect(trpcCode(viaTrpc)).toBe("SKU_TAKEN");
  });

  it("validates the create fields", async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ["three decimals", { price: 1.234 }],
      ["a tenth of a cent", { price: 0.001 }],
      ["negative price", { price: -1 }],
      ["price over the maximum", { price: 100_000_000 }],
      ["price just over the maximum", { price: 99_999_999.991 }],
      ["price as a string", { price: "12.00" }],
      ["empty sku", { sku: "" }],
      ["sku with a space", { sku: "HAM 2" }],
      ["sku of 65 characters", { sku: "A".repeat(65) }],
      ["empty name", { name: "" }],
      ["name of 256 characters", { name: "n".repeat(256) }],
      ["category of 101 characters", { category: "c".repeat(101) }],
      ["missing category", { category: undefined }],
    ];
    for (const [label, patch] of bad) {
      const body = { sku: "VAL-1", name: "Validation", category: "val", price: 1, ...patch };
      const rest = await t.rest("POST", "/api/products", { body });
      try {
        expectProblem(rest, 400, "VALIDATION_FAILED");
        expect(rest.body.issues?.length).toBeGreaterThan(0);
      } catch (err) {
        throw new Error(`${label}: ${(err as Error).message}`);
      }
      const trpc = await t.trpc("mutation", "products.create", body);
      expect([label, trpc.status, trpcCode(trpc)]).toEqual([label, 400, "VALIDATION_FAILED"]);
    }
    expect((await list({ category: "val" })).body.total).toBe(0);
  });

  it("accepts the boundary values of the create fields", async () => {
    const max = await create({
      sku: "A".repeat(64),
      name: "n".repeat(255),
      category: "bound",
      price: 99_999_999.99,
    });
    expect(max.price).toBe(99_999_999.99);
    const zero = await create({ sku: "a.b_c/d-1", name: "Free sample", category: "bound", price: 0 });
    expect(zero.price).toBe(0);
    const cents = await create({ sku: "CENTS-1", name: "Cents", category: "bound", price: 0.29 });
    expect(cents.price).toBe(0.29);
  });

  it("answers 400 VALIDATION_FAILED for an id that is not a uuid", async () => {
    expectProblem(
      await t.rest("GET", "/api/products/not-a-uuid", { key: t.keys.viewer }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(
      await t.rest("PUT", "/api/products/123", { body: { name: "x" }, key: t.keys.manager }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(
      await t.rest("DELETE", "/api/products/123", { key: t.keys.manager }),
      400,
      "VALIDATION_FAILED",
    );
    const trpc = await t.trpc("query", "products.get", { id: "nope" });
    expect([trpc.status, trpcCode(trpc)]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("answers 404 NOT_FOUND naming the product for an unknown id", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const reply = await t.rest("GET", `/api/products/${id}`, { key: t.keys.viewer });
    expectProblem(reply, 404, "NOT_FOUND");
    expect(reply.body.detail).toContain(id);
    const trpc = await t.trpc("query", "products.get", { id });
    expect([trpc.status, trpcCode(trpc)]).toEqual([404, "NOT_FOUND"]);
  });

  describe("list", () => {
    // One category per concern keeps these tests independent of each other's rows.
    beforeAll(async () => {
      await create({ sku: "F-BOLT", name: "Bolt", category: "filters", price: 1 });
      await create({ sku: "F-NUT", name: "Nut", category: "filters", price: 2.5 });
      await create({ sku: "F-WASHER", name: "Washer", category: "filters", price: 5 });
      await create({ sku: "F-SCREW", name: "Screw", category: "filters", price: 10 });
      await create({ sku: "F-OTHER", name: "Other", category: "Filters", price: 2.5 });
      await create({ sku: "F-OTHER2", name: "Other", category: "filters2", price: 2.5 });
    });

    it("refuses NUL and other control characters in text filters, naming the filter", async () => {
      for (const [path, param] of [
        ["/api/products?q=ham%00mer", "q"],
        ["/api/products?category=to%00ols", "category"],
        ["/api/stores/store1/inventory?q=%07", "q"],
        ["/api/inventory/alerts?category=%00", "category"],
      ] as const) {
        const reply = await t.rest("GET", path);
        expectProblem(reply, 400, "VALIDATION_FAILED");
        expect([path, reply.body.issues]).toEqual([
          path,
          [{ path: param, message: "Must not contain control characters" }],
        ]);
      }
    });

    it("filters by exact category", async () => {
      const reply = await list({ category: "filters", sort: "sku" });
      expect(reply.status).toBe(200);
      expect(skus(reply)).toEqual(["F-BOLT", "F-NUT", "F-SCREW", "F-WASHER"]);
      expect(reply.body.total).toBe(4);
      expect(skus(await list({ category: "filter" }))).toEqual([]);
      expect(skus(await list({ category: "Filters" }))).toEqual(["F-OTHER"]);
    });

    it("filters by price range, inclusively", async () => {
      expect(skus(await list({ category: "filters", priceMin: 2.5, sort: "price" }))).toEqual([
        "F-NUT",
        "F-WASHER",
        "F-SCREW",
      ]);
      expect(skus(await list({ category: "filters", priceMax: 5, sort: "price" }))).toEqual([
        "F-BOLT",
        "F-NUT",
        "F-WASHER",
      ]);
      expect(skus(await list({ category: "filters", priceMin: 2.5, priceMax: 5, sort: "price" }))).toEqual([
        "F-NUT",
        "F-WASHER",
      ]);
      expect(skus(await list({ category: "filters", priceMin: 6, priceMax: 5 }))).toEqual([]);
      // Bounds finer than a cent are exact, not rounded to the nearest cent.
      expect(skus(await list({ category: "filters", priceMin: 2.501, sort: "price" }))).toEqual([
        "F-WASHER",
        "F-SCREW",
      ]);
      expect(skus(await list({ category: "filters", priceMax: 2.499 }))).toEqual(["F-BOLT"]);
      expect(skus(await list({ category: "filters", priceMin: 2.495, priceMax: 2.505 }))).toEqual(["F-NUT"]);
      expect(skus(await list({ category: "filters", priceMin: 0.0000001, priceMax: 1 }))).toEqual(["F-BOLT"]);
      const trpc = await t.trpc("query", "products.list", { category: "filters", priceMin: 3, priceMax: 10 });
      expect(trpc.body.result.data.total).toBe(2);
    });

    it("refuses a bad filter value", async () => {
      expectProblem(await list({ priceMin: "cheap" }), 400, "VALIDATION_FAILED");
      expectProblem(await list({ priceMin: -1 }), 400, "VALIDATION_FAILED");
      expectProblem(await list({ sort: "colour" }), 400, "VALIDATION_FAILED");
      expectProblem(await list({ sort: "price,name" }), 400, "VALIDATION_FAILED");
    });

    it("searches name and sku case-insensitively with q", async () => {
      await create({ sku: "Q-ANGLE-1", name: "Angle Grinder", category: "q", price: 60 });
      await create({ sku: "Q-SANDER", name: "Orbital sander", category: "q", price: 45 });
      await create({ sku: "Q-BELT", name: "Belt for GRINDERS", category: "q", price: 9 });
      expect(skus(await list({ category: "q", q: "grinder", sort: "sku" }))).toEqual(["Q-ANGLE-1", "Q-BELT"]);
      expect(skus(await list({ category: "q", q: "GRINDER", sort: "sku" }))).toEqual(["Q-ANGLE-1", "Q-BELT"]);
      expect(skus(await list({ category: "q", q: "q-sand" }))).toEqual(["Q-SANDER"]);
      expect(skus(await list({ category: "q", q: "angle-1" }))).toEqual(["Q-ANGLE-1"]);
      expect(skus(await list({ category: "q", q: "drill" }))).toEqual([]);
      const trpc = await t.trpc("query", "products.list", { category: "q", q: "SANDER" });
      expect(trpc.body.result.data.items.map((p: { sku: string }) => p.sku)).toEqual(["Q-SANDER"]);
    });

    it("treats % and _ in q as literal characters", async () => {
      await create({ sku: "LIT-1", name: "100% cotton rag", category: "lit", price: 3 });
      await create({ sku: "LIT_2", name: "Plain rag", category: "lit", price: 3 });
      await create({ sku: "LIT-3", name: "Rag \\ backslash", category: "lit", price: 3 });
      await create({ sku: "LIT-4", name: "Rag", category: "lit", price: 3 });
      expect(skus(await list({ category: "lit", q: "%" }))).toEqual(["LIT-1"]);
      expect(skus(await list({ category: "lit", q: "_" }))).toEqual(["LIT_2"]);
      expect(skus(await list({ category: "lit", q: "0%" }))).toEqual(["LIT-1"]);
      expect(skus(await list({ category: "lit", q: "LIT_" }))).toEqual(["LIT_2"]);
      expect(skus(await list({ category: "lit", q: "\\" }))).toEqual(["LIT-3"]);
      expect(skus(await list({ category: "lit", q: "%rag%" }))).toEqual([]);
    });

    it("sorts by every field, ascending and descending", async () => {
      // Names and skus that sort the same under any collation.
      await create({ sku: "S-B", name: "srt charlie", category: "srt", price: 3 });
      await create({ sku: "S-C", name: "srt alpha", category: "srt", price: 1 });
      await create({ sku: "S-A", name: "srt bravo", category: "srt", price: 2 });
      const order = async (sort: string) => skus(await list({ category: "srt", sort }));
      expect(await order("name")).toEqual(["S-C", "S-A", "S-B"]);
      expect(await order("-name")).toEqual(["S-B", "S-A", "S-C"]);
      expect(await order("price")).toEqual(["S-C", "S-A", "S-B"]);
      expect(await order("-price")).toEqual(["S-B", "S-A", "S-C"]);
      expect(await order("sku")).toEqual(["S-A", "S-B", "S-C"]);
      expect(await order("-sku")).toEqual(["S-C", "S-B", "S-A"]);
      expect(await order("createdAt")).toEqual(["S-B", "S-C", "S-A"]);
      expect(await order("-createdAt")).toEqual(["S-A", "S-C", "S-B"]);
      // Default: oldest first.
      expect(skus(await list({ category: "srt" }))).toEqual(["S-B", "S-C", "S-A"]);
    });

    it("has a stable default order: createdAt, then id", async () => {
      // One batch is one statement: every row gets the same createdAt, so id decides.
      const items = Array.from({ length: 12 }, (_, i) => ({
        sku: `STB-${i}`,
        name: `Stable ${i}`,
        category: "stable",
        price: 1,
      }));
      const batch = await t.rest("POST", "/api/products/batch", { body: { items }, key: t.keys.manager });
      expect(batch.body).toMatchObject({ created: 12 });
      const all = await list({ category: "stable", limit: 100 });
      const ids = (all.body.items as Array<{ id: string }>).map((p) => p.id);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toHaveLength(12);
      const pages: string[] = [];
      for (let offset = 0; offset < 12; offset += 5)
        pages.push(
          ...((await list({ category: "stable", limit: 5, offset })).body.items as Array<{ id: string }>).map(
            (p) => p.id,
          ),
        );
      expect(pages).toEqual(ids);
      const desc = await list({ category: "stable", sort: "-createdAt", limit: 100 });
      expect((desc.body.items as Array<{ id: string }>).map((p) => p.id)).toEqual([...ids].reverse());
    });

    it("pages with limit (default 20, 1..100), offset and total", async () => {
      const items = Array.from({ length: 25 }, (_, i) => ({
        sku: `PG-${String(i).padStart(2, "0")}`,
        name: `Page ${i}`,
        category: "paging",
        price: i,
      }));
      await t.rest("POST", "/api/products/batch", { body: { items }, key: t.keys.manager });

      const first = await list({ category: "paging", sort: "sku" });
      expect(first.body).toMatchObject({ total: 25, limit: 20, offset: 0 });
      expect(first.body.items).toHaveLength(20);
      const rest = await list({ category: "paging", sort: "sku", offset: 20 });
      expect(rest.body).toMatchObject({ total: 25, limit: 20, offset: 20 });
      expect(skus(rest)).toEqual(["PG-20", "PG-21", "PG-22", "PG-23", "PG-24"]);
      const page = await list({ category: "paging", sort: "sku", limit: 3, offset: 4 });
      expect(skus(page)).toEqual(["PG-04", "PG-05", "PG-06"]);
      expect(page.body).toMatchObject({ total: 25, limit: 3, offset: 4 });
      const past = await list({ category: "paging", offset: 500 });
      expect(past.body).toMatchObject({ items: [], total: 25, offset: 500 });
      expect((await list({ category: "paging", limit: 1 })).body.items).toHaveLength(1);
      expect((await list({ category: "paging", limit: 100 })).body.items).toHaveLength(25);

      const bad: Array<Record<string, string | number>> = [
        { limit: 0 },
        { limit: 101 },
        { limit: 1.5 },
        { offset: -1 },
        { limit: "ten" },
      ];
      for (const params of bad) expectProblem(await list(params), 400, "VALIDATION_FAILED");
      const trpc = await t.trpc("query", "products.list", { limit: 101 });
      expect([trpc.status, trpcCode(trpc)]).toEqual([400, "VALIDATION_FAILED"]);
    });

    it("lists over tRPC without any input", async () => {
      const reply = await t.trpc("query", "products.list", undefined, { key: t.keys.viewer });
      expect(reply.status).toBe(200);
      expect(reply.body.result.data).toMatchObject({ limit: 20, offset: 0 });
      expect(reply.body.result.data.total).toBeGreaterThan(20);
    });
  });

  describe("update", () => {
    it("changes any subset of fields and keeps the rest", async () => {
      const p = await create({ sku: "UPD-1", name: "Before", category: "upd", price: 5, description: "old" });
      const renamed = await t.rest("PUT", `/api/products/${p.id}`, {
        body: { name: "After" },
        key: t.keys.manager,
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({
        sku: "UPD-1",
        name: "After",
        category: "upd",
        price: 5,
        description: "old",
      });
      expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(renamed.body.createdAt));

      const priced = await t.rest("PUT", `/api/products/${p.id}`, {
        body: { price: 7.25, category: "upd2" },
        key: t.keys.manager,
      });
      expect(priced.body).toMatchObject({ name: "After", price: 7.25, category: "upd2", description: "old" });

      const nulled = await t.rest("PUT", `/api/products/${p.id}`, { body: { description: null } });
      expect(nulled.status).toBe(200);
      expect(nulled.body.description).toBeNull();

      const trpc = await t.trpc("mutation", "products.update", {
        id: p.id,
        sku: "upd-1b",
        description: "new",
      });
      expect(trpc.body.result.data).toMatchObject({ sku: "upd-1b", description: "new", price: 7.25 });

      const nothing = await t.rest("PUT", `/api/products/${p.id}`, { body: {} });
      expect(nothing.status).toBe(200);
      expect(nothing.body).toMatchObject({ sku: "upd-1b", name: "After", description: "new" });

      const got = await t.rest("GET", `/api/products/${p.id}`);
      expect(got.body).toMatchObject({ sku: "upd-1b", name: "After", category: "upd2", price: 7.25 });
    });

    it("refuses a sku another live product has, case-insensitively", async () => {
      await create({ sku: "UPD-TAKEN", name: "First", category: "upd", price: 1 });
      const second = await create({ sku: "UPD-FREE", name: "Second", category: "upd", price: 1 });
      const reply = await t.rest("PUT", `/api/products/${second.id}`, { body: { sku: "upd-taken" } });
      expectProblem(reply, 409, "SKU_TAKEN");
      const trpc = await t.trpc("mutation", "products.update", { id: second.id, sku: "UPD-TAKEN" });
      expect([trpc.status, trpcCode(trpc)]).toEqual([409, "SKU_TAKEN"]);
      expect((await t.rest("GET", `/api/products/${second.id}`)).body.sku).toBe("UPD-FREE");
      // Its own sku in another case is fine.
      const own = await t.rest("PUT", `/api/products/${second.id}`, { body: { sku: "upd-free" } });
      expect(own.status).toBe(200);
      expect(own.body.sku).toBe("upd-free");
    });

    it("validates the patch and answers 404 for an unknown product", async () => {
      const p = await create({ sku: "UPD-VAL", name: "Valid", category: "upd", price: 1 });
      for (const body of [
        { price: 1.999 },
        { price: -0.01 },
        { name: "" },
        { sku: "bad sku" },
        { colour: "red" },
      ])
        expectProblem(await t.rest("PUT", `/api/products/${p.id}`, { body }), 400, "VALIDATION_FAILED");
      expect((await t.rest("GET", `/api/products/${p.id}`)).body).toMatchObject({ name: "Valid", price: 1 });
      const missing = await t.rest("PUT", "/api/products/00000000-0000-4000-8000-000000000001", {
        body: { name: "x" },
      });
      expectProblem(missing, 404, "NOT_FOUND");
    });
  });

  describe("delete", () => {
    it("soft deletes: 204, then 404 everywhere, and frees the sku", async () => {
      const p = await create({ sku: "DEL-1", name: "Doomed", category: "del", price: 1 });
      const del = await t.rest("DELETE", `/api/products/${p.id}`, { key: t.keys.manager });
      expect(del.status).toBe(204);
      expect(del.text).toBe("");

      expectProblem(await t.rest("GET", `/api/products/${p.id}`), 404, "NOT_FOUND");
      expectProblem(
        await t.rest("PUT", `/api/products/${p.id}`, { body: { name: "Zombie" } }),
        404,
        "NOT_FOUND",
      );
      expectProblem(await t.rest("DELETE", `/api/products/${p.id}`), 404, "NOT_FOUND");
      const trpc = await t.trpc("mutation", "products.delete", { id: p.id });
      expect([trpc.status, trpcCode(trpc)]).toEqual([404, "NOT_FOUND"]);
      expect((await list({ category: "del" })).body).toMatchObject({ items: [], total: 0 });
      expect((await list({ q: "DEL-1" })).body.total).toBe(0);

      const reborn = await create({ sku: "del-1", name: "Reborn", category: "del", price: 2 });
      expect(reborn.id).not.toBe(p.id);
      const other = await create({ sku: "DEL-2", name: "Other", category: "del", price: 2 });
      const renamed = await t.rest("PUT", `/api/products/${other.id}`, { body: { sku: "DEL-3" } });
      expect(renamed.status).toBe(200);
      expect(skus(await list({ category: "del" }))).toEqual(["del-1", "DEL-3"]);

      // The deleted row is kept (its ledger would point at it).
      const kept = await t.database.db.execute(
        `select count(*)::int as n from products where id = '${p.id}' and deleted_at is not null`,
      );
      expect(rowsOf<{ n: number }>(kept)[0]?.n).toBe(1);
    });

    it("deletes over tRPC", async () => {
      const p = await create({ sku: "DEL-TRPC", name: "Doomed", category: "del", price: 1 });
      const reply = await t.trpc("mutation", "products.delete", { id: p.id });
      expect(reply.status).toBe(200);
      expectProblem(await t.rest("GET", `/api/products/${p.id}`), 404, "NOT_FOUND");
    });
  });

  describe("upsertMany (POST /api/products/batch)", () => {
    const batch = (body: unknown, key = t.keys.manager) =>
      t.rest("POST", "/api/products/batch", { body, key });

    it("creates and updates by sku, case-insensitively, and counts each", async () => {
      await create({ sku: "BAT-OLD", name: "Old name", category: "batch", price: 1 });
      const reply = await batch({
        items: [
          { sku: "bat-old", name: "New name", category: "batch", price: 2, description: "updated" },
          { sku: "BAT-NEW-1", name: "New one", category: "batch", price: 3 },
          { sku: "BAT-NEW-2", name: "New two", category: "batch", price: 4.5 },
        ],
        onError: "rejectAll",
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ created: 2, updated: 1, failed: [] });
      const all = await list({ category: "batch", sort: "price" });
      expect(all.body.items).toMatchObject([
        { sku: "bat-old", name: "New name", price: 2, description: "updated" },
        { sku: "BAT-NEW-1", name: "New one", price: 3, description: null },
        { sku: "BAT-NEW-2", name: "New two", price: 4.5 },
      ]);
      expect(all.body.total).toBe(3);

      const again = await t.trpc("mutation", "products.upsertMany", {
        items: [{ sku: "BAT-NEW-1", name: "Renamed", category: "batch", price: 3 }],
      });
      expect(again.body.result.data).toEqual({ created: 0, updated: 1, failed: [] });
    });

    it("does not resurrect a deleted product: a deleted sku is created afresh", async () => {
      const p = await create({ sku: "BAT-GONE", name: "Gone", category: "batch-del", price: 1 });
      await t.rest("DELETE", `/api/products/${p.id}`);
      const reply = await batch({
        items: [{ sku: "BAT-GONE", name: "Back", category: "batch-del", price: 1 }],
      });
      expect(reply.body).toEqual({ created: 1, updated: 0, failed: [] });
      expectProblem(await t.rest("GET", `/api/products/${p.id}`), 404, "NOT_FOUND");
    });

    it("with rejectAll writes nothing when one row is bad", async () => {
      const reply = await batch({
        items: [
          { sku: "REJ-1", name: "Good", category: "reject", price: 1 },
          { sku: "REJ-2", name: "Bad price", category: "reject", price: -5 },
          { sku: "REJ-3", name: "Good", category: "reject", price: 1 },
        ],
        onError: "rejectAll",
      });
      expect(reply.status).toBe(200);
      expect(reply.body.created).toBe(0);
      expect(reply.body.updated).toBe(0);
      expect(reply.body.failed).toEqual([
        { index: 1, sku: "REJ-2", code: "VALIDATION_FAILED", detail: expect.stringContaining("price") },
      ]);
      expect((await list({ category: "reject" })).body.total).toBe(0);
    });

    it("rejectAll is the default", async () => {
      const reply = await batch({
        items: [
          { sku: "DEF-1", name: "Good", category: "default", price: 1 },
          { sku: "DEF-2", category: "default", price: 1 },
        ],
      });
      expect(reply.body).toMatchObject({ created: 0, updated: 0 });
      expect(reply.body.failed).toHaveLength(1);
      expect((await list({ category: "default" })).body.total).toBe(0);
    });

    it("with skipFailed writes the good rows and reports each bad one", async () => {
      const reply = await batch({
        items: [
          { sku: "SKP-1", name: "Good", category: "skip", price: 1 },
          { sku: "SKP 2", name: "Bad sku", category: "skip", price: 1 },
          { sku: "SKP-3", name: "Good", category: "skip", price: 1.5 },
          { name: "No sku", category: "skip", price: 1 },
          { sku: "SKP-5", name: "", category: "skip", price: 1 },
          { sku: "SKP-6", name: "Three decimals", category: "skip", price: 1.005 },
          { sku: "SKP-7", name: "Unknown field", category: "skip", price: 1, colour: "red" },
        ],
        onError: "skipFailed",
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ created: 2, updated: 0 });
      const failed = reply.body.failed as Array<{
        index: number;
        sku: string | null;
        code: string;
        detail: string;
      }>;
      expect(failed.map((f) => [f.index, f.sku, f.code])).toEqual([
        [1, "SKP 2", "VALIDATION_FAILED"],
        [3, null, "VALIDATION_FAILED"],
        [4, "SKP-5", "VALIDATION_FAILED"],
        [5, "SKP-6", "VALIDATION_FAILED"],
        [6, "SKP-7", "VALIDATION_FAILED"],
      ]);
      for (const f of failed) expect(f.detail.length).toBeGreaterThan(0);
      expect(failed[0]!.detail).toContain("sku");
      expect(skus(await list({ category: "skip", sort: "sku" }))).toEqual(["SKP-1", "SKP-3"]);
    });

    it("with an Idempotency-Key behaves as without one when a refused row holds U+0000, and replays", async () => {
      const items = (prefix: string) => [
        { sku: `${prefix}-1`, name: "Good", category: `nul-${prefix}`, price: 1 },
        { sku: `${prefix}\u00002`, name: "Bad\u0000name", category: `nul-${prefix}`, price: 1 },
        { sku: `${prefix}-3`, name: "Good too", category: `nul-${prefix}`, price: 2 },
      ];
      const plain = await batch({ items: items("NULA"), onError: "skipFailed" });
      const send = () =>
        t.rest("POST", "/api/products/batch", {
          body: { items: items("NULB"), onError: "skipFailed" },
          key: t.keys.manager,
          headers: { "idempotency-key": `nul-batch-${backend}` },
        });
      const keyed = await send();
      for (const reply of [plain, keyed]) {
        expect(reply.status).toBe(200);
        expect(reply.body.created).toBe(2);
        expect(reply.body.failed).toHaveLength(1);
        expect(reply.body.failed[0].index).toBe(1);
        expect(reply.body.failed[0].code).toBe("VALIDATION_FAILED");
      }
      expect(keyed.body.failed[0].sku).toBe("NULB\u00002");
      expect(skus(await list({ category: "nul-NULB", sort: "sku" }))).toEqual(["NULB-1", "NULB-3"]);
      const replay = await send();
      expect(replay.status).toBe(200);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
      expect(replay.body).toEqual(keyed.body);
      // The replay changed nothing.
      expect((await list({ category: "nul-NULB" })).body.total).toBe(2);
    });

    it("validates the body before the Idempotency-Key: a reused key with a bad body is a 400", async () => {
      const headers = { "idempotency-key": `order-${backend}` };
      const good = { items: [{ sku: "ORD-1", name: "Order", category: "order", price: 1 }] };
      expect(
        (await t.rest("POST", "/api/products/batch", { body: good, key: t.keys.manager, headers })).status,
      ).toBe(200);
      const bad = await t.rest("POST", "/api/products/batch", {
        body: { items: "x" },
        key: t.keys.manager,
        headers,
      });
      expectProblem(bad, 400, "VALIDATION_FAILED");
      expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(["items"]);
    });

    it("reports a sku repeated inside one batch, case-insensitively", async () => {
      const reply = await batch({
        items: [
          { sku: "DUP-1", name: "First", category: "dup", price: 1 },
          { sku: "dup-1", name: "Second", category: "dup", price: 2 },
        ],
        onError: "skipFailed",
      });
      expect(reply.status).toBe(200);
      expect(reply.body.created).toBe(1);
      expect(reply.body.failed).toEqual([
        { index: 1, sku: "dup-1", code: "VALIDATION_FAILED", detail: expect.stringMatching(/duplicate/i) },
      ]);
      const rows = await list({ category: "dup" });
      expect(rows.body.items).toMatchObject([{ sku: "DUP-1", name: "First" }]);
      const rejected = await batch({
        items: [
          { sku: "DUP-2", name: "First", category: "dup", price: 1 },
          { sku: "DUP-2", name: "Second", category: "dup", price: 2 },
        ],
      });
      expect(rejected.body).toMatchObject({ created: 0, updated: 0 });
      expect((await list({ category: "dup" })).body.total).toBe(1);
    });

    it("stores text with quotes, commas, braces and backslashes exactly", async () => {
      const names = ['Say "hi", {please}', "back\\slash \\\\ twice", "NULL", "ünïcödé ✓", " padded "];
      const reply = await batch({
        items: names.map((name, i) => ({
          sku: `TXT-${i}`,
          name,
          category: "text",
          price: 1,
          description: name,
        })),
      });
      expect(reply.body).toMatchObject({ created: names.length, failed: [] });
      const rows = await list({ category: "text", sort: "sku" });
      expect((rows.body.items as Array<{ name: string; description: string }>).map((p) => p.name)).toEqual(
        names,
      );
      expect(
        (rows.body.items as Array<{ name: string; description: string }>).map((p) => p.description),
      ).toEqual(names);
    });

    it("takes 1 to 1000 items", async () => {
      expectProblem(await batch({ items: [] }), 400, "VALIDATION_FAILED");
      const tooMany = Array.from({ length: 1001 }, (_, i) => ({
        sku: `MANY-${i}`,
        name: "n",
        category: "many",
        price: 1,
      }));
      expectProblem(await batch({ items: tooMany }), 400, "VALIDATION_FAILED");
      expect((await list({ category: "many" })).body.total).toBe(0);
      const reply = await batch({ items: tooMany.slice(0, 1000) });
      expect(reply.body).toEqual({ created: 1000, updated: 0, failed: [] });
      expect((await list({ category: "many" })).body.total).toBe(1000);
      const again = await batch({ items: tooMany.slice(0, 1000).map((p) => ({ ...p, price: 2 })) });
      expect(again.body).toEqual({ created: 0, updated: 1000, failed: [] });
    });

    it("validates the envelope", async () => {
      for (const body of [
        {},
        { items: "x" },
        { items: {} },
        { items: ["not an object"] },
        { items: [[{ sku: "ENV-1", name: "n", category: "env", price: 1 }]] },
        { items: [{ sku: "ENV-1", name: "n", category: "env", price: 1 }], onError: "ignore" },
        { items: [{ sku: "ENV-1", name: "n", category: "env", price: 1 }], extra: true },
      ])
        expectProblem(await batch(body), 400, "VALIDATION_FAILED");
      expect((await list({ category: "env" })).body.total).toBe(0);
    });
  });
});
