import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type Reply, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();

type Page = {
  items: Array<Record<string, unknown>>;
  total: number;
  limit: number;
  offset: number;
  nextCursor: string | null;
};

const SORTS = ["name", "-name", "price", "-price", "sku", "-sku", "createdAt", "-createdAt"];

describe.each(backends)("keyset paging on %s", (backend) => {
  let t: TestApp;
  const productIds: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(backend);
    // Ties on purpose: names and prices repeat, so every sort needs its id tie-break.
    const items = Array.from({ length: 23 }, (_, i) => ({
      sku: `KS-${String(22 - i).padStart(2, "0")}`,
      name: `Keyset ${i % 4}`,
      category: "keyset",
      price: (i % 5) + 0.5,
    }));
    const batch = await t.rest("POST", "/api/products/batch", { body: { items }, key: t.keys.manager });
    expect(batch.body).toMatchObject({ created: 23 });
    const all = await get("/api/products?category=keyset&sort=sku&limit=100");
    productIds.push(...all.items.map((p) => p.id as string));
    for (const id of ["ks-a", "ks-b"]) await t.rest("POST", "/api/stores", { body: { id, name: id } });
    // Store ks-a holds every product, most of them under their minimum by varied amounts;
    // ks-b a few, so the alerts across stores interleave.
    for (const [i, id] of productIds.entries()) {
      const set = await t.rest("PUT", `/api/stores/ks-a/inventory/${id}`, {
        body: { quantity: i % 6, minStock: i % 3 === 0 ? 0 : 4 },
      });
      expect(set.status, set.text).toBe(200);
      if (i % 4 === 0)
        await t.rest("PUT", `/api/stores/ks-b/inventory/${id}`, { body: { quantity: 1, minStock: 3 } });
    }
  });
  afterAll(() => t?.close());

  async function get(path: string): Promise<Page> {
    const reply = await t.rest("GET", path, { key: t.keys.viewer });
    expect(reply.status, `${path}: ${reply.text}`).toBe(200);
    return reply.body;
  }

  const idOf = (item: Record<string, unknown>) => `${item.storeId ?? ""}/${item.productId ?? item.id}`;

  /** Follows nextCursor from the first page to the end; checks offset and total on the way. */
  async function walk(path: string, limit: number) {
    const sep = path.includes("?") ? "&" : "?";
    let page = await get(`${path}${sep}limit=${limit}`);
    const total = page.total;
    const seen = page.items.map(idOf);
    let pages = 1;
    while (page.nextCursor) {
      page = await get(`${path}${sep}limit=${limit}&cursor=${page.nextCursor}`);
      expect(page.offset).toBe(seen.length);
      expect(page.total).toBe(total);
      expect(page.limit).toBe(limit);
      seen.push(...page.items.map(idOf));
      pages++;
    }
    return { seen, total, pages };
  }

  it.each(SORTS)("walks every product with cursor in the order of one big page (sort=%s)", async (sort) => {
    const whole = (await get(`/api/products?category=keyset&sort=${sort}&limit=100`)).items.map(idOf);
    expect(whole).toHaveLength(23);
    const { seen, total, pages } = await walk(`/api/products?category=keyset&sort=${sort}`, 5);
    expect(seen).toEqual(whole);
    expect(total).toBe(23);
    expect(pages).toBe(5);
  });

  it("answers nextCursor on offset pages too, and null on the last page", async () => {
    const middle = await get("/api/products?category=keyset&sort=sku&limit=5&offset=5");
    expect(middle.nextCursor).toEqual(expect.any(String));
    const next = await get(`/api/products?category=keyset&sort=sku&limit=5&cursor=${middle.nextCursor}`);
    expect(next.offset).toBe(10);
    expect(next.items.map(idOf)).toEqual(
      (await get("/api/products?category=keyset&sort=sku&limit=5&offset=10")).items.map(idOf),
    );
    expect((await get("/api/products?category=keyset&sort=sku&limit=100")).nextCursor).toBeNull();
    expect((await get("/api/products?category=keyset&sort=sku&limit=3&offset=20")).nextCursor).toBeNull();
    expect((await get("/api/products?category=nothing-here")).nextCursor).toBeNull();
  });

  it("filters keep applying on cursor pages (price range, stockMin)", async () => {
    for (const path of [
      "/api/products?category=keyset&priceMin=1&priceMax=3&sort=-price",
      "/api/products?category=keyset&stockMin=2&sort=name",
    ]) {
      const whole = (await get(`${path}&limit=100`)).items.map(idOf);
      expect(whole.length).toBeGreaterThan(3);
      expect((await walk(path, 2)).seen).toEqual(whole);
    }
  });

  it("neither skips nor repeats an item when products are added before the cursor meanwhile", async () => {
    const first = await get("/api/products?category=keyset&sort=sku&limit=10");
    // KS-00 sorts before everything on the first page.
    const added = await t.rest("POST", "/api/products", {
      body: { sku: "KS-00a", name: "Late", category: "keyset", price: 1 },
      key: t.keys.manager,
    });
    expect(added.status).toBe(201);
    try {
      const next = await get(`/api/products?category=keyset&sort=sku&limit=10&cursor=${first.nextCursor}`);
      const byOffset = await get("/api/products?category=keyset&sort=sku&limit=10&offset=10");
      expect(next.items[0]!.sku).toBe("KS-10");
      // Offset paging shows the last item of the first page again; the cursor does not.
      expect(byOffset.items[0]!.sku).toBe("KS-09");
    } finally {
      await t.rest("DELETE", `/api/products/${added.body.id}`, { key: t.keys.manager });
    }
  });

  it("walks a store's inventory with cursor, with and without filters", async () => {
    for (const path of [
      "/api/stores/ks-a/inventory",
      "/api/stores/ks-a/inventory?belowMin=true",
      "/api/stores/ks-a/inventory?belowMin=false",
      "/api/stores/ks-a/inventory?category=keyset&q=keyset%201",
    ]) {
      const whole = await get(`${path}${path.includes("?") ? "&" : "?"}limit=100`);
      expect(whole.items.length).toBeGreaterThan(2);
      const { seen, total } = await walk(path, 2);
      expect(seen).toEqual(whole.items.map(idOf));
      expect(total).toBe(whole.total);
    }
  });

  it("walks the alerts with cursor, across stores, in one store and in one category", async () => {
    for (const path of [
      "/api/inventory/alerts",
      "/api/inventory/alerts?storeId=ks-a",
      "/api/inventory/alerts?category=keyset",
      "/api/inventory/alerts?category=keyset&storeId=ks-b",
    ]) {
      const whole = await get(`${path}${path.includes("?") ? "&" : "?"}limit=100`);
      expect(whole.items.length).toBeGreaterThan(2);
      const shortfalls = whole.items.map((a) => a.shortfall as number);
      expect(shortfalls).toEqual([...shortfalls].sort((a, b) => b - a));
      const { seen, total } = await walk(path, 3);
      expect(seen).toEqual(whole.items.map(idOf));
      expect(total).toBe(whole.total);
    }
  });

  it("pages with cursor over tRPC too", async () => {
    const first = await t.trpc("query", "products.list", { category: "keyset", sort: "-price", limit: 20 });
    const page = first.body.result.data as Page;
    const second = await t.trpc("query", "products.list", {
      category: "keyset",
      sort: "-price",
      limit: 20,
      cursor: page.nextCursor,
    });
    expect(second.body.result.data).toMatchObject({ offset: 20, total: 23, nextCursor: null });
    expect(second.body.result.data.items).toHaveLength(3);
  });

  describe("refusals", () => {
    let cursor: string;
    beforeAll(async () => {
      cursor = (await get("/api/products?category=keyset&sort=name&limit=2")).nextCursor!;
    });

    const expectCursorProblem = (reply: Reply, path = "cursor") => {
      expectProblem(reply, 400, "VALIDATION_FAILED");
      expect(reply.body.issues.map((i: { path: string }) => i.path)).toEqual([path]);
    };
    const list = (query: string) => t.rest("GET", `/api/products?${query}`, { key: t.keys.viewer });
    const forge = (body: unknown) => Buffer.from(JSON.stringify(body)).toString("base64url");

    it("a cursor that is not one the API returned is a 400 naming cursor", async () => {
      const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString());
      for (const bad of [
        "nonsense",
        "a.b",
        cursor.slice(0, -3),
        "x".repeat(2049),
        forge({ ...decoded, k: ["Keyset 1"] }),
        forge({ ...decoded, k: [42, decoded.k[1]] }),
        forge({ ...decoded, k: [decoded.k[0], "not-a-uuid"] }),
        forge({ ...decoded, n: -1 }),
        forge({ ...decoded, extra: true }),
      ])
        expectCursorProblem(await list(`category=keyset&sort=name&cursor=${encodeURIComponent(bad)}`));
      const trpc = await t.trpc("query", "products.list", {
        category: "keyset",
        sort: "name",
        cursor: "nonsense",
      });
      expect([trpc.status, trpcCode(trpc)]).toEqual([400, "VALIDATION_FAILED"]);
    });

    it("forged key values of the right shape but impossible value are refused, not sent to the database", async () => {
      const createdAt = (await get("/api/products?category=keyset&sort=createdAt&limit=1")).nextCursor!;
      const decoded = JSON.parse(Buffer.from(createdAt, "base64url").toString());
      for (const day of [
        "2026-02-30T10:00:00.000000Z",
        "2026-13-01T10:00:00.000000Z",
        "2026-01-01T25:00:00.000000Z",
      ])
        expectCursorProblem(
          await list(
            `category=keyset&sort=createdAt&cursor=${forge({ ...decoded, k: [day, decoded.k[1]] })}`,
          ),
        );
      const price = JSON.parse(
        Buffer.from(
          (await get("/api/products?category=keyset&sort=price&limit=1")).nextCursor!,
          "base64url",
        ).toString(),
      );
      for (const bad of ["1e5", "NaN", "12345678901.00", "-1.00"])
        expectCursorProblem(
          await list(`category=keyset&sort=price&cursor=${forge({ ...price, k: [bad, price.k[1]] })}`),
        );
    });

    it("a cursor is bound to the list, filters and sort it was issued for", async () => {
      for (const query of [
        `category=keyset&sort=-name&cursor=${cursor}`,
        `category=keyset&sort=sku&cursor=${cursor}`,
        `category=other&sort=name&cursor=${cursor}`,
        `sort=name&cursor=${cursor}`,
        `category=keyset&sort=name&priceMin=1&cursor=${cursor}`,
      ]) {
        const reply = await list(query);
        expectCursorProblem(reply);
        expect(reply.body.detail).toContain("other filters or another sort");
      }
      // The same filters with another limit are fine.
      expect((await list(`category=keyset&sort=name&limit=7&cursor=${cursor}`)).status).toBe(200);
      // Another list's cursor.
      expectCursorProblem(await t.rest("GET", `/api/inventory/alerts?cursor=${cursor}`));
      const inventory = (await get("/api/stores/ks-a/inventory?limit=2")).nextCursor!;
      expectCursorProblem(await t.rest("GET", `/api/stores/ks-b/inventory?cursor=${inventory}`));
      expectCursorProblem(
        await t.rest("GET", `/api/stores/ks-a/inventory?belowMin=true&cursor=${inventory}`),
      );
    });

    it("offset is bounded (10000) and the refusal points to cursor; offset and cursor do not mix", async () => {
      expect((await list("offset=10000")).status).toBe(200);
      for (const path of [
        "/api/products?offset=10001",
        "/api/stores/ks-a/inventory?offset=10001",
        "/api/inventory/alerts?offset=50000",
      ]) {
        const reply = await t.rest("GET", path, { key: t.keys.viewer });
        expectCursorProblem(reply, "offset");
        expect(reply.body.issues[0].message).toContain("cursor");
      }
      const both = await list(`category=keyset&sort=name&offset=5&cursor=${cursor}`);
      expectCursorProblem(both, "offset");
    });
  });
});

describe.each(backends)("totals past the count bound on %s", (backend) => {
  let t: TestApp;
  const MATCHES = 2000;

  beforeAll(async () => {
    t = await createTestApp(backend);
    for (let start = 0; start < MATCHES; start += 1000) {
      const items = Array.from({ length: 1000 }, (_, i) => ({
        sku: `BD-${String(start + i).padStart(5, "0")}`,
        name: `Bound ${start + i}`,
        category: "bound",
        price: 1 + ((start + i) % 900) / 100,
      }));
      const batch = await t.rest("POST", "/api/products/batch", { body: { items }, key: t.keys.manager });
      expect(batch.status, batch.text).toBe(200);
    }
  });
  afterAll(() => t?.close());

  async function get(path: string): Promise<Page & { totalExact: boolean }> {
    const reply = await t.rest("GET", path, { key: t.keys.viewer });
    expect(reply.status, `${path}: ${reply.text}`).toBe(200);
    return reply.body;
  }

  it("a broad filter counts 1000 past the offset and says its total is a lower bound", async () => {
    const first = await get("/api/products?priceMin=1&priceMax=100&limit=20");
    expect(first).toMatchObject({ total: 1001, totalExact: false, offset: 0 });
    expect(first.items).toHaveLength(20);
    // Deeper offsets count further; near the end the count reaches every match.
    expect(await get("/api/products?priceMin=1&priceMax=100&offset=900")).toMatchObject({
      total: 1901,
      totalExact: false,
    });
    expect(await get("/api/products?priceMin=1&priceMax=100&offset=1500")).toMatchObject({
      total: MATCHES,
      totalExact: true,
    });
  });

  it("exactTotal=true counts every match; a kept count (category alone) and a narrow filter are exact", async () => {
    expect(await get("/api/products?priceMin=1&priceMax=100&exactTotal=true")).toMatchObject({
      total: MATCHES,
      totalExact: true,
    });
    expect(await get("/api/products?category=bound")).toMatchObject({ total: MATCHES, totalExact: true });
    // Prices 1.00..1.49 repeat every 900 products: 50 of each 900, so 50 + 50 + 50 (the last
    // 200 products are 1.00..2.99).
    expect(await get("/api/products?priceMax=1.49")).toMatchObject({ total: 150, totalExact: true });
    expect(await get("/api/products?stockMin=0&category=bound&exactTotal=false")).toMatchObject({
      total: 1001,
      totalExact: false,
    });
  });

  it("a cursor walk raises the lower bound as it goes and ends exact", async () => {
    let page = await get("/api/products?priceMin=1&sort=sku&limit=100");
    let seen = page.items.length;
    while (page.nextCursor) {
      page = await get(`/api/products?priceMin=1&sort=sku&limit=100&cursor=${page.nextCursor}`);
      seen += page.items.length;
      expect(page.total).toBeGreaterThanOrEqual(seen);
      if (page.nextCursor) {
        // "At least": more than the walk has seen, until the last page knows the count.
        expect(page.totalExact, `at ${seen}`).toBe(false);
        expect(page.total).toBe(Math.max(1001, seen + 1));
      }
    }
    expect(seen).toBe(MATCHES);
    expect(page).toMatchObject({ total: MATCHES, totalExact: true });
  });

  it("refuses an exactTotal that is not a boolean with VALIDATION_FAILED naming it", async () => {
    const reply = await t.rest("GET", "/api/products?priceMin=1&exactTotal=maybe", { key: t.keys.viewer });
    expectProblem(reply, 400, "VALIDATION_FAILED");
    expect(reply.body.issues[0].path).toBe("exactTotal");
  });

  it("the tRPC procedure answers the same bound", async () => {
    const reply = await t.trpc("query", "products.list", { priceMin: 1, limit: 5 });
    expect(reply.body.result.data).toMatchObject({ total: 1001, totalExact: false });
  });
});
