import { postgresUnavailableReason } from "@stockroom/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwoServers, type TwoServers } from "./two-servers";

// Real servers on a real PostgreSQL database, hit with real concurrent HTTP requests.
const skipReason = await postgresUnavailableReason();
if (skipReason) console.warn(`[stockroom tests] SKIPPING concurrency tests (PostgreSQL only): ${skipReason}`);

const ADMIN = "sk_test_concurrency_admin_0123456789";
const figures: Record<string, unknown> = {};

describe.skipIf(skipReason !== null)("concurrency on PostgreSQL, through HTTP", () => {
  let two: TwoServers;
  let servers: TwoServers["servers"] = [];
  let call: TwoServers["call"];

  beforeAll(async () => {
    two = await startTwoServers(ADMIN);
    ({ servers, call } = two);
    for (const id of ["s-a", "s-b", "s-c", "s-d"])
      expect((await call(0, "POST", "/api/stores", { id, name: id })).status).toBe(201);
  });
  afterAll(async () => {
    // Every claim of a fixed lock order above ends here: PostgreSQL counted no deadlock in
    // this database during all of these tests (a deadlock would have been retried and
    // passed unnoticed).
    if (two) figures.deadlocks = await two.close();
    console.log(`[concurrency figures] ${JSON.stringify(figures)}`);
    expect(figures.deadlocks).toBe(0);
  });

  const product = async (sku: string) =>
    (await call(0, "POST", "/api/products", { sku, name: sku, category: "test", price: 1 })).body
      .id as string;
  const level = async (productId: string, storeId: string) => {
    const r = await call(0, "GET", `/api/stores/${storeId}/inventory?limit=100`);
    return r.body.items.find((l: { productId: string }) => l.productId === productId)?.quantity ?? 0;
  };
  const audit = async () => (await call(0, "GET", "/api/inventory/audit")).body;
  /** Key-less stock statements both servers sent so far, and the operations they carried. */
  const statementFigures = async () => {
    const figures = { count: 0, operations: 0 };
    for (const server of servers) {
      const text = await (
        await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })
      ).text();
      figures.count += Number(/^stockroom_stock_statement_operations_count (\d+)$/m.exec(text)?.[1]);
      figures.operations += Number(/^stockroom_stock_statement_operations_sum (\d+)$/m.exec(text)?.[1]);
    }
    return figures;
  };

  it("500 concurrent transfers of 1 from 100 units: exactly 100 succeed, the rest INSUFFICIENT_STOCK", async () => {
    const p = await product("HOT-1");
    await call(0, "POST", "/api/inventory/adjustments", {
      productId: p,
      storeId: "s-a",
      delta: 100,
      reason: "received",
    });
    // The target level exists before the burst: two statements that both create a missing
    // level fail one of them with 40001, which is retried and carries its operations twice.
    expect((await call(0, "PUT", `/api/stores/s-b/inventory/${p}`, { minStock: 0 })).status).toBe(200);
    const before = await statementFigures();

    const started = performance.now();
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        call(i, "POST", "/api/inventory/transfer", {
          productId: p,
          sourceStoreId: "s-a",
          targetStoreId: "s-b",
          quantity: 1,
        }),
      ),
    );
    const elapsedMs = Math.round(performance.now() - started);
    const ok = replies.filter((r) => r.status === 201).length;
    const insufficient = replies.filter(
      (r) => r.status === 409 && r.body.code === "INSUFFICIENT_STOCK",
    ).length;
    figures.hotTransfers = {
      requests: 500,
      servers: 2,
      succeeded: ok,
      insufficientStock: insufficient,
      other: 500 - ok - insufficient,
      elapsedMs,
    };
    expect(ok).toBe(100);
    expect(insufficient).toBe(400);
    // 250 transfers per server against 2 statements at a time: some had to wait and go together.
    const after = await statementFigures();
    const statements = { count: after.count - before.count, transfers: after.operations - before.operations };
    figures.hotTransfers = { ...(figures.hotTransfers as object), statements: statements.count };
    expect(statements.transfers).toBe(500);
    expect(statements.count).toBeLessThan(500);
    expect(await level(p, "s-a")).toBe(0);
    expect(await level(p, "s-b")).toBe(100);
    expect((await audit()).discrepancies).toEqual([]);
  });

  it("hundreds of transfers in all directions plus sales, through two servers: invariants hold", async () => {
    const stores = ["s-a", "s-b", "s-c", "s-d"];
    const products = await Promise.all(["MIX-1", "MIX-2", "MIX-3"].map(product));
    for (const p of products)
      for (const s of stores) {
        const r = await call(0, "POST", "/api/inventory/adjustments", {
          productId: p,
          storeId: s,
          delta: 50,
          reason: "received",
        });
        expect(r.status).toBe(201);
      }
    const totalBefore = 3 * 4 * 50;

    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 16) % n;
    };
    const ops = Array.from({ length: 600 }, (_, i) => {
      const productId = products[rnd(products.length)]!;
      if (i % 5 === 0)
        return {
          kind: "sale" as const,
          body: { productId, storeId: stores[rnd(4)], delta: -(1 + rnd(5)), reason: "sold" },
        };
      const from = rnd(4);
      const to = (from + 1 + rnd(3)) % 4;
      return {
        kind: "transfer" as const,
        body: { productId, sourceStoreId: stores[from], targetStoreId: stores[to], quantity: 1 + rnd(20) },
      };
    });
    const started = performance.now();
    const replies = await Promise.all(
      ops.map((op, i) =>
        call(
          i,
          "POST",
          op.kind === "sale" ? "/api/inventory/adjustments" : "/api/inventory/transfer",
          op.body,
        ),
      ),
    );
    const elapsedMs = Math.round(performance.now() - started);
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set(statuses.filter((s) => s === 201 || s === 409)));
    for (const r of replies) if (r.status === 409) expect(r.body.code).toBe("INSUFFICIENT_STOCK");

    let sold = 0;
    ops.forEach((op, i) => {
      if (op.kind === "sale" && replies[i]!.status === 201) sold += -(op.body.delta as number);
    });
    const transfersOk = replies.filter((r, i) => ops[i]!.kind === "transfer" && r.status === 201);
    for (const r of transfersOk) {
      const legs = await call(0, "GET", `/api/movements?transferId=${r.body.transferId}`);
      expect(
        legs.body.items.map((m: { delta: number }) => m.delta).sort((a: number, b: number) => a - b),
      ).toEqual([-r.body.quantity, r.body.quantity]);
    }
    let totalAfter = 0;
    for (const s of stores) {
      const inv = await call(0, "GET", `/api/stores/${s}/inventory?limit=100`);
      for (const l of inv.body.items) {
        expect(l.quantity).toBeGreaterThanOrEqual(0);
        if (products.includes(l.productId)) totalAfter += l.quantity;
      }
    }
    expect(totalAfter).toBe(totalBefore - sold);
    const sums = await Promise.all(products.map((p) => call(0, "GET", `/api/products/${p}`)));
    expect(sums.reduce((n, r) => n + r.body.totalQuantity, 0)).toBe(totalAfter);
    expect((await audit()).discrepancies).toEqual([]);
    figures.mixed = {
      requests: ops.length,
      servers: 2,
      transfers: ops.filter((o) => o.kind === "transfer").length,
      transfersSucceeded: transfersOk.length,
      sales: ops.filter((o) => o.kind === "sale").length,
      salesSucceeded: replies.filter((r, i) => ops[i]!.kind === "sale" && r.status === 201).length,
      rejectedInsufficientStock: statuses.filter((s) => s === 409).length,
      fiveHundreds: 0,
      unitsSold: sold,
      elapsedMs,
    };
  });

  it("sales, receipts and transfers that keep crossing the minimum: the kept counts stay exact", async () => {
    // Every level sits at its minimum, so most writes flip it under or over, and the
    // triggers lock store_counts and store_category_counts rows. Singles and batches, of
    // transfers and of adjustments, from two servers, all take those locks: the deadlock
    // check in afterAll covers them.
    const stores = ["s-a", "s-b", "s-c", "s-d"];
    const products: string[] = [];
    for (const sku of ["MIN-1", "MIN-2", "MIN-3"]) {
      const p = await product(sku);
      products.push(p);
      for (const s of stores) {
        const r = await call(0, "PUT", `/api/stores/${s}/inventory/${p}`, { quantity: 10, minStock: 10 });
        expect(r.status).toBe(200);
      }
    }
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n); // the high bits: an LCG's low bits cycle
    };
    const ops = Array.from({ length: 600 }, () => {
      const p = products[rand(products.length)]!;
      const a = stores[rand(stores.length)]!;
      if (rand(2) === 0) {
        const delta = (rand(3) + 1) * (rand(2) === 0 ? -1 : 1);
        return [
          "/api/inventory/adjustments",
          { productId: p, storeId: a, delta, reason: delta > 0 ? "received" : "sold" },
        ] as const;
      }
      const b = stores.filter((x) => x !== a)[rand(stores.length - 1)]!;
      return [
        "/api/inventory/transfer",
        { productId: p, sourceStoreId: a, targetStoreId: b, quantity: rand(3) + 1 },
      ] as const;
    });
    const replies = await Promise.all(ops.map(([path, body], i) => call(i, "POST", path, body)));
    const unexpected = replies.filter((r) => r.status !== 201 && r.body?.code !== "INSUFFICIENT_STOCK");
    expect(unexpected.map((r) => r.body)).toEqual([]);
    expect((await audit()).discrepancies).toEqual([]);
    // The kept counts equal a recount of the levels under their minimum (and every other invariant holds).
    expect(await two.invariants()).toEqual([]);
    figures.thresholds = {
      requests: ops.length,
      succeeded: replies.filter((r) => r.status === 201).length,
      insufficientStock: replies.filter((r) => r.status === 409).length,
    };
  });

  it("20 concurrent requests with one Idempotency-Key make one movement", async () => {
    const p = await product("IDEM-1");
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(
          i,
          "POST",
          "/api/inventory/adjustments",
          { productId: p, storeId: "s-c", delta: 7, reason: "received" },
          {
            "idempotency-key": "same-key-20",
          },
        ),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    const ids = new Set(replies.map((r) => r.body.movement.id));
    expect(ids.size).toBe(1);
    const moves = await call(0, "GET", `/api/movements?productId=${p}`);
    expect(moves.body.items).toHaveLength(1);
    expect(await level(p, "s-c")).toBe(7);
    figures.idempotency = {
      requests: 20,
      movements: moves.body.items.length,
      replayed: replies.filter((r) => r.headers.get("idempotent-replayed") === "true").length,
    };
  });

  it("opposite transfers on the same pair never deadlock into an error", async () => {
    const p = await product("PINGPONG");
    for (const s of ["s-a", "s-b"])
      await call(0, "POST", "/api/inventory/adjustments", {
        productId: p,
        storeId: s,
        delta: 1000,
        reason: "received",
      });
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        call(i, "POST", "/api/inventory/transfer", {
          productId: p,
          sourceStoreId: i % 2 ? "s-a" : "s-b",
          targetStoreId: i % 2 ? "s-b" : "s-a",
          quantity: 1,
        }),
      ),
    );
    expect(replies.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([]);
    expect((await level(p, "s-a")) + (await level(p, "s-b"))).toBe(2000);
    figures.opposite = { requests: 300, succeeded: replies.filter((r) => r.status === 201).length };
  });
});
