import { movements, rowsOf, stockLevels } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();

describe.each(backends)("stores on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  const createStore = async (id: string, name = `Store ${id}`) => {
    const reply = await t.rest("POST", "/api/stores", { body: { id, name }, key: t.keys.manager });
    if (reply.status !== 201) throw new Error(`create store ${id}: ${reply.status} ${reply.text}`);
    return reply.body as { id: string; name: string; createdAt: string; updatedAt: string };
  };
  const createProduct = async (sku: string) => {
    const reply = await t.rest("POST", "/api/products", {
      body: { sku, name: sku, category: "stores-test", price: 1 },
      key: t.keys.manager,
    });
    if (reply.status !== 201) throw new Error(`create product ${sku}: ${reply.status} ${reply.text}`);
    return reply.body as { id: string };
  };
  const storeRowCount = async (id: string) =>
    rowsOf<{ n: number }>(
      await t.database.db.execute(`select count(*)::int as n from stores where id = '${id}'`),
    )[0]!.n;

  it("creates with 201, reads, lists and renames over REST", async () => {
    const created = await t.rest("POST", "/api/stores", {
      body: { id: "mx-gdl-centro", name: "Guadalajara Centro" },
      key: t.keys.manager,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: "mx-gdl-centro",
      name: "Guadalajara Centro",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);

    const got = await t.rest("GET", "/api/stores/mx-gdl-centro", { key: t.keys.viewer });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const listed = await t.rest("GET", "/api/stores", { key: t.keys.viewer });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ total: 1, limit: 20, offset: 0 });
    expect(listed.body.items).toEqual([created.body]);

    const renamed = await t.rest("PUT", "/api/stores/mx-gdl-centro", {
      body: { name: "GDL Centro" },
      key: t.keys.manager,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      id: "mx-gdl-centro",
      name: "GDL Centro",
      createdAt: created.body.createdAt,
    });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));
    expect((await t.rest("GET", "/api/stores/mx-gdl-centro")).body.name).toBe("GDL Centro");
  });

  it("does the same over tRPC", async () => {
    const created = await t.trpc("mutation", "stores.create", { id: "trpc-store", name: "Via tRPC" });
    expect(created.status).toBe(200);
    expect(created.body.result.data).toMatchObject({ id: "trpc-store", name: "Via tRPC" });
    const got = await t.trpc("query", "stores.get", { id: "trpc-store" }, { key: t.keys.viewer });
    expect(got.body.result.data).toEqual(created.body.result.data);
    const renamed = await t.trpc("mutation", "stores.update", { id: "trpc-store", name: "Renamed" });
    expect(renamed.body.result.data.name).toBe("Renamed");
    const listed = await t.trpc("query", "stores.list", undefined, { key: t.keys.viewer });
    expect(listed.body.result.data.items.map((s: { id: string }) => s.id)).toContain("trpc-store");
    const deleted = await t.trpc("mutation", "stores.delete", { id: "trpc-store" });
    expect(deleted.status).toBe(200);
    const gone = await t.trpc("query", "stores.get", { id: "trpc-store" });
    expect([gone.status, trpcCode(gone)]).toEqual([404, "NOT_FOUND"]);
  });

  it("accepts ids matching ^[a-z0-9][a-z0-9_-]{0,39}$ and refuses others", async () => {
    for (const id of ["a", "0", "store1", "a_b-c", "x".repeat(40)]) await createStore(id);
    for (const id of ["", "Store1", "-abc", "_abc", "x".repeat(41), "a b", "a.b", "tienda-ñ", "a/b", "ABC"]) {
      const reply = await t.rest("POST", "/api/stores", { body: { id, name: "Bad" } });
      try {
        expectProblem(reply, 400, "VALIDATION_FAILED");
      } catch (err) {
        throw new Error(`id ${JSON.stringify(id)}: ${(err as Error).message}`);
      }
    }
    expectProblem(await t.rest("GET", "/api/stores/Store1"), 400, "VALIDATION_FAILED");
    expectProblem(await t.rest("GET", `/api/stores/${"x".repeat(41)}`), 400, "VALIDATION_FAILED");
    expectProblem(await t.rest("DELETE", "/api/stores/-abc"), 400, "VALIDATION_FAILED");
    const trpc = await t.trpc("mutation", "stores.create", { id: "UPPER", name: "Bad" });
    expect([trpc.status, trpcCode(trpc)]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("validates the name and refuses unknown fields", async () => {
    for (const body of [
      { id: "named", name: "" },
      { id: "named", name: "n".repeat(256) },
      { id: "named" },
      { id: "named", name: 5 },
      { id: "named", name: "ok", city: "Lyon" },
    ])
      expectProblem(await t.rest("POST", "/api/stores", { body }), 400, "VALIDATION_FAILED");
    expectProblem(await t.rest("GET", "/api/stores/named"), 404, "NOT_FOUND");
    await createStore("named");
    for (const body of [{ name: "" }, { name: null }, { city: "Lyon" }])
      expectProblem(await t.rest("PUT", "/api/stores/named", { body }), 400, "VALIDATION_FAILED");
    expect((await t.rest("GET", "/api/stores/named")).body.name).toBe("Store named");
  });

  it("refuses a taken id with STORE_EXISTS", async () => {
    await createStore("taken", "First");
    const again = await t.rest("POST", "/api/stores", { body: { id: "taken", name: "Second" } });
    expectProblem(again, 409, "STORE_EXISTS");
    expect(again.body.detail).toContain("taken");
    const trpc = await t.trpc("mutation", "stores.create", { id: "taken", name: "Third" });
    expect([trpc.status, trpcCode(trpc)]).toEqual([409, "STORE_EXISTS"]);
    expect((await t.rest("GET", "/api/stores/taken")).body.name).toBe("First");
  });

  it("answers 404 NOT_FOUND naming the store for an unknown id", async () => {
    const get = await t.rest("GET", "/api/stores/nowhere");
    expectProblem(get, 404, "NOT_FOUND");
    expect(get.body.detail).toContain("nowhere");
    expectProblem(await t.rest("PUT", "/api/stores/nowhere", { body: { name: "x" } }), 404, "NOT_FOUND");
    expectProblem(await t.rest("DELETE", "/api/stores/nowhere"), 404, "NOT_FOUND");
  });

  it("lists in id order with paging and total", async () => {
    const all = await t.rest("GET", "/api/stores?limit=100");
    const ids = (all.body.items as Array<{ id: string }>).map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(all.body.total).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(3);
    const page = await t.rest("GET", "/api/stores?limit=2&offset=1");
    expect(page.body).toMatchObject({ total: ids.length, limit: 2, offset: 1 });
    expect((page.body.items as Array<{ id: string }>).map((s) => s.id)).toEqual(ids.slice(1, 3));
    for (const q of ["limit=0", "limit=101", "offset=-1", "limit=x", "colour=red"])
      expectProblem(await t.rest("GET", `/api/stores?${q}`), 400, "VALIDATION_FAILED");
  });

  it("deletes an empty store: 204, then 404, not listed, and its id is free", async () => {
    await createStore("empty-one");
    const del = await t.rest("DELETE", "/api/stores/empty-one", { key: t.keys.manager });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expectProblem(await t.rest("GET", "/api/stores/empty-one"), 404, "NOT_FOUND");
    expectProblem(await t.rest("PUT", "/api/stores/empty-one", { body: { name: "x" } }), 404, "NOT_FOUND");
    expectProblem(await t.rest("DELETE", "/api/stores/empty-one"), 404, "NOT_FOUND");
    const listed = await t.rest("GET", "/api/stores?limit=100");
    expect((listed.body.items as Array<{ id: string }>).map((s) => s.id)).not.toContain("empty-one");
    await createStore("empty-one", "Again");
    expect((await t.rest("GET", "/api/stores/empty-one")).body.name).toBe("Again");
  });

  it("refuses to delete a store holding stock with STORE_NOT_EMPTY", async () => {
    await createStore("stocked");
    const product = await createProduct("STOCKED-1");
    await t.database.db
      .insert(stockLevels)
      .values({ productId: product.id, storeId: "stocked", quantity: 7 });

    const reply = await t.rest("DELETE", "/api/stores/stocked", { key: t.keys.manager });
    expectProblem(reply, 409, "STORE_NOT_EMPTY");
    expect(reply.body.detail).toContain("stocked");
    expect(reply.body.detail).toContain("7");
    const trpc = await t.trpc("mutation", "stores.delete", { id: "stocked" });
    expect([trpc.status, trpcCode(trpc)]).toEqual([409, "STORE_NOT_EMPTY"]);
    expect((await t.rest("GET", "/api/stores/stocked")).status).toBe(200);
    const levels = await t.database.db.select().from(stockLevels);
    expect(levels.filter((l) => l.storeId === "stocked")).toHaveLength(1);

    // Emptied (quantity 0, level still there) it may go.
    await t.database.db.update(stockLevels).set({ quantity: 0 });
    expect((await t.rest("DELETE", "/api/stores/stocked")).status).toBe(204);
    expectProblem(await t.rest("GET", "/api/stores/stocked"), 404, "NOT_FOUND");
  });

  it("keeps a deleted store with ledger history out of sight and its id reserved", async () => {
    await createStore("historic");
    const product = await createProduct("HIST-1");
    const [key] = rowsOf<{ id: string }>(await t.database.db.execute("select id from api_keys limit 1"));
    await t.database.db
      .insert(stockLevels)
      .values({ productId: product.id, storeId: "historic", quantity: 0 });
    await t.database.db.insert(movements).values([
      {
        productId: product.id,
        storeId: "historic",
        kind: "adjustment",
        delta: 3,
        quantityAfter: 3,
        actor: key!.id,
      },
      {
        productId: product.id,
        storeId: "historic",
        kind: "adjustment",
        delta: -3,
        quantityAfter: 0,
        actor: key!.id,
      },
    ]);
    expect((await t.rest("DELETE", "/api/stores/historic")).status).toBe(204);
    expectProblem(await t.rest("GET", "/api/stores/historic"), 404, "NOT_FOUND");
    expectProblem(await t.rest("PUT", "/api/stores/historic", { body: { name: "x" } }), 404, "NOT_FOUND");
    expectProblem(await t.rest("DELETE", "/api/stores/historic"), 404, "NOT_FOUND");
    const listed = await t.rest("GET", "/api/stores?limit=100");
    expect((listed.body.items as Array<{ id: string }>).map((s) => s.id)).not.toContain("historic");
    expect(listed.body.total).toBe(listed.body.items.length);
    // The ledger still points at it.
    expect(await storeRowCount("historic")).toBe(1);
    const again = await t.rest("POST", "/api/stores", { body: { id: "historic", name: "New" } });
    expectProblem(again, 409, "STORE_EXISTS");
  });
});
