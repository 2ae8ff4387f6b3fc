import { operations } from "@stockroom/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createStockroomClient,
  type FetchLike,
  PROCEDURES,
  type StockroomClient,
  StockroomError,
} from "../src/index";
import { startTestServer, type TestServer } from "./server";

let server: TestServer;
let client: StockroomClient;

beforeAll(async () => {
  server = await startTestServer();
  client = createStockroomClient({ url: server.url, apiKey: server.apiKey });
});
afterAll(() => server?.close());

const caught = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a StockroomError");
    },
    (e: unknown) => e as StockroomError,
  );

describe("the procedure table", () => {
  it("names every procedure of the router with its kind, and nothing else", () => {
    // The server builds its tRPC router from this table of operations: reads are queries.
    const fromRouter = Object.fromEntries(
      operations.map((op) => [op.name, op.kind === "read" ? "query" : "mutation"]),
    );
    const fromTable: Record<string, string> = {};
    for (const [ns, procs] of Object.entries(PROCEDURES))
      for (const [name, kind] of Object.entries(procs)) fromTable[`${ns}.${name}`] = kind;
    expect(fromTable).toEqual(fromRouter);
  });
});

describe("against a live server", () => {
  it("lists the demo catalogue and stores", async () => {
    const page = await client.products.list({ limit: 3, sort: "sku" });
    expect(page.items).toHaveLength(3);
    expect(page.total).toBeGreaterThan(3);
    // nextCursor is typed string | null; cursor takes it back for the next page.
    const next = await client.products.list({ limit: 3, sort: "sku", cursor: page.nextCursor ?? undefined });
    expect(next.offset).toBe(3);
    expect(next.items[0]!.sku > page.items[2]!.sku).toBe(true);
    const stores = await client.stores.list();
    expect(stores.items.map((s) => s.id)).toContain("store1");
  });

  it("creates, reads, updates and deletes a product", async () => {
    const created = await client.products.create({
      sku: "SDK-1",
      name: "SDK widget",
      category: "tests",
      price: 9.5,
    });
    expect(created).toMatchObject({ sku: "SDK-1", price: 9.5, description: null, totalQuantity: 0 });
    expect(await client.products.get({ id: created.id })).toEqual(created);
    const updated = await client.products.update({ id: created.id, price: 10 });
    expect(updated.price).toBe(10);
    await expect(client.products.delete({ id: created.id })).resolves.toBeUndefined();
    const gone = await caught(client.products.get({ id: created.id }));
    expect(gone).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("reports a domain error with its code, status, detail and request id", async () => {
    const err = await caught(
      client.products.create({ sku: "ham-16", name: "Dup", category: "tools", price: 1 }),
    );
    expect(err).toBeInstanceOf(StockroomError);
    expect(err.code).toBe("SKU_TAKEN");
    expect(err.status).toBe(409);
    expect(err.detail).toMatch(/ham-16/i);
    expect(err.requestId).toMatch(/.+/);
  });

  it("reports validation failures with issues", async () => {
    const err = await caught(client.products.create({ sku: "bad sku!", name: "", category: "x", price: -1 }));
    expect(err.code).toBe("VALIDATION_FAILED");
    expect(err.status).toBe(400);
    expect(err.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["sku", "name", "price"]));
  });

  it("batches the reads of one tick into one request, answering each as one by one would", async () => {
    const urls: string[] = [];
    const counting: FetchLike = (url, init) => {
      urls.push(url);
      return fetch(url, init);
    };
    const batched = createStockroomClient({ url: server.url, apiKey: server.apiKey, fetch: counting });
    const single = createStockroomClient({ url: server.url, apiKey: server.apiKey, batch: false });
    const missing = "00000000-0000-4000-8000-00000000dead";
    const page = (c: StockroomClient) =>
      Promise.allSettled([
        c.products.list({ limit: 3, sort: "sku" }),
        c.stores.list(),
        c.inventory.alerts({ storeId: "store1" }),
        c.movements.list({ limit: 2 }),
        c.products.get({ id: missing }),
      ]);
    const [together, apart] = [await page(batched), await page(single)];
    expect(urls).toHaveLength(1);
    expect(new URL(urls[0]!).searchParams.get("batch")).toBe("1");
    expect(together.slice(0, 4)).toEqual(apart.slice(0, 4));
    expect(together.slice(0, 4).every((r) => r.status === "fulfilled")).toBe(true);
    expect((together[4] as PromiseRejectedResult).reason).toMatchObject({
      code: "NOT_FOUND",
      status: 404,
      procedure: "products.get",
    });
  });

  it("reports a wrong key as UNAUTHORIZED without retrying", async () => {
    let attempts = 0;
    const counting: FetchLike = (url, init) => {
      attempts++;
      return fetch(url, init);
    };
    const bad = createStockroomClient({
      url: server.url,
      apiKey: "nope-nope-nope",
      fetch: counting,
      maxRetries: 3,
    });
    const err = await caught(bad.products.list());
    expect(err).toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    expect(attempts).toBe(1);
  });

  it("reports an unreachable server as NETWORK_ERROR", async () => {
    const off = createStockroomClient({
      url: "http://127.0.0.1:9",
      apiKey: "k",
      maxRetries: 1,
      initialRetryDelayMs: 1,
    });
    const err = await caught(off.products.list());
    expect(err).toMatchObject({ code: "NETWORK_ERROR", status: null, attempts: 2 });
  });

  it("adjusts and transfers stock and reads the ledger", async () => {
    const product = await client.products.create({
      sku: "SDK-STOCK",
      name: "Stocked",
      category: "tests",
      price: 2,
    });
    const adjusted = await client.inventory.adjust({
      productId: product.id,
      storeId: "store1",
      delta: 10,
      reason: "received",
    });
    expect(adjusted.level.quantity).toBe(10);
    const moved = await client.inventory.transfer({
      productId: product.id,
      sourceStoreId: "store1",
      targetStoreId: "store2",
      quantity: 4,
    });
    expect([moved.source.quantity, moved.target.quantity]).toEqual([6, 4]);
    const short = await caught(
      client.inventory.transfer({
        productId: product.id,
        sourceStoreId: "store1",
        targetStoreId: "store2",
        quantity: 99,
      }),
    );
    expect(short).toMatchObject({ code: "INSUFFICIENT_STOCK", status: 409 });
    const ledger = await client.movements.list({ productId: product.id });
    expect(ledger.items.map((m) => m.kind).sort()).toEqual(["adjustment", "transfer_in", "transfer_out"]);
    expect(await client.movements.get({ id: ledger.items[0]!.id })).toEqual(ledger.items[0]);
  });

  it("applies a mutation once when the answer is lost and the call is retried", async () => {
    const product = await client.products.create({
      sku: "SDK-RETRY",
      name: "Retried",
      category: "tests",
      price: 1,
    });
    let posts = 0;
    // The first POST reaches the server and commits, then its answer is "lost".
    const lossy: FetchLike = async (url, init) => {
      const res = await fetch(url, init);
      if (init.method === "POST" && posts++ === 0) {
        await res.text();
        throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
      }
      return res;
    };
    const flaky = createStockroomClient({
      url: server.url,
      apiKey: server.apiKey,
      fetch: lossy,
      initialRetryDelayMs: 1,
    });
    const out = await flaky.inventory.adjust({
      productId: product.id,
      storeId: "store3",
      delta: 5,
      reason: "received",
    });
    expect(posts).toBe(2);
    expect(out.level.quantity).toBe(5);
    const level = await client.inventory.listByStore({ storeId: "store3", q: "SDK-RETRY" });
    expect(level.items[0]?.quantity).toBe(5);
    const ledger = await client.movements.list({ productId: product.id });
    expect(ledger.items).toHaveLength(1);
  });

  it("refuses to reuse a caller's idempotency key for a different request", async () => {
    const key = `sdk-${Date.now()}`;
    await client.stores.create({ id: "sdk-a", name: "A" }, { idempotencyKey: key });
    const again = await client.stores.create({ id: "sdk-a", name: "A" }, { idempotencyKey: key });
    expect(again.id).toBe("sdk-a");
    const err = await caught(client.stores.create({ id: "sdk-b", name: "B" }, { idempotencyKey: key }));
    expect(err).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", status: 422 });
  });
});
