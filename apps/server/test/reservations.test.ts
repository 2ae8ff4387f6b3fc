import { expireDueReservations } from "@stockroom/api";
import { checkInvariants, invariantProblems, queryOf } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends)("reservations on %s", (backend) => {
  let t: TestApp;
  let hammer: string;
  let wire: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    for (const id of ["a", "b"]) await t.rest("POST", "/api/stores", { body: { id, name: `Store ${id}` } });
    const product = async (sku: string) =>
      (await t.rest("POST", "/api/products", { body: { sku, name: sku, category: "tools", price: 5 } })).body
        .id as string;
    hammer = await product("HAM");
    wire = await product("WIRE");
    for (const productId of [hammer, wire])
      await t.rest("POST", "/api/inventory/adjustments", {
        body: { productId, storeId: "a", delta: 10, reason: "received" },
      });
    await t.rest("PUT", `/api/stores/a/inventory/${hammer}`, { body: { minStock: 5 } });
  });
  afterAll(() => t?.close());

  const level = async (productId: string, storeId = "a") =>
    (await t.rest("GET", `/api/stores/${storeId}/inventory?limit=100`)).body.items.find(
      (l: { productId: string }) => l.productId === productId,
    );
  const reserve = (
    lines: Array<{ productId: string; quantity: number }>,
    extra: Record<string, unknown> = {},
  ) => t.rest("POST", "/api/reservations", { body: { storeId: "a", lines, ...extra }, key: t.keys.clerk });
  const audit = async () => invariantProblems(await checkInvariants(queryOf(t.database.db)));

  it("holds units: on hand stays, reserved grows, available and belowMin follow", async () => {
    const r = await reserve([{ productId: hammer, quantity: 6 }], { reference: "cart 1" });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      storeId: "a",
      status: "active",
      reference: "cart 1",
      lines: [{ productId: hammer, quantity: 6, committed: null }],
    });
    expect(Date.parse(r.body.expiresAt) - Date.parse(r.body.createdAt)).toBeGreaterThan(899_000);
    expect(await level(hammer)).toMatchObject({ quantity: 10, reserved: 6, available: 4, belowMin: true });
    const alerts = await t.rest("GET", "/api/inventory/alerts?storeId=a");
    expect(alerts.body.total).toBe(1);
    expect(alerts.body.items[0]).toMatchObject({ productId: hammer, available: 4, shortfall: 1 });
    const release = await t.rest("POST", `/api/reservations/${r.body.id}/release`, { key: t.keys.clerk });
    expect(release.status).toBe(200);
    expect(release.body.status).toBe("released");
    expect(await level(hammer)).toMatchObject({ quantity: 10, reserved: 0, available: 10, belowMin: false });
    expect((await t.rest("GET", "/api/inventory/alerts?storeId=a")).body.total).toBe(0);
  });

  it("holds all lines or none, summing lines of one product, and names the short product", async () => {
    const short = await reserve([
      { productId: wire, quantity: 3 },
      { productId: hammer, quantity: 6 },
      { productId: hammer, quantity: 5 },
    ]);
    expectProblem(short, 409, "INSUFFICIENT_STOCK");
    expect(short.body.detail).toBe(
      `Insufficient stock in store a. Available: 10, Required: 11 (product ${hammer})`,
    );
    expect(await level(wire)).toMatchObject({ reserved: 0, available: 10 });
    const summed = await reserve([
      { productId: hammer, quantity: 2 },
      { productId: hammer, quantity: 3 },
    ]);
    expect(summed.body.lines).toEqual([{ productId: hammer, quantity: 5, committed: null }]);
    expect(await level(hammer)).toMatchObject({ reserved: 5, available: 5 });
    await t.rest("POST", `/api/reservations/${summed.body.id}/release`);
  });

  it("sales, transfers and counts draw only on available units", async () => {
    const r = await reserve([{ productId: wire, quantity: 8 }]);
    const sale = await t.rest("POST", "/api/inventory/adjustments", {
      body: { productId: wire, storeId: "a", delta: -3, reason: "sold" },
    });
    expectProblem(sale, 409, "INSUFFICIENT_STOCK");
    expect(sale.body.detail).toBe("Insufficient stock in store a. Available: 2, Required: 3");
    const transfer = await t.rest("POST", "/api/inventory/transfer", {
      body: { productId: wire, sourceStoreId: "a", targetStoreId: "b", quantity: 3 },
    });
    expectProblem(transfer, 409, "INSUFFICIENT_STOCK");
    const count = await t.rest("PUT", `/api/stores/a/inventory/${wire}`, { body: { quantity: 7 } });
    expectProblem(count, 409, "BELOW_RESERVED");
    expect(count.body.detail).toContain("8 are reserved");
    const fine = await t.rest("PUT", `/api/stores/a/inventory/${wire}`, { body: { quantity: 8 } });
    expect(fine.status).toBe(200);
    expect(fine.body).toMatchObject({ quantity: 8, reserved: 8, available: 0 });
    await t.rest("POST", `/api/reservations/${r.body.id}/release`);
    expect(await audit()).toEqual([]);
  });

  it("commit sells what is held (or less) with ledger rows carrying the reservation, once", async () => {
    const before = (await level(hammer)).quantity as number;
    const r = await reserve([
      { productId: hammer, quantity: 3 },
      { productId: wire, quantity: 2 },
    ]);
    const over = await t.rest("POST", `/api/reservations/${r.body.id}/commit`, {
      body: { lines: [{ productId: hammer, quantity: 4 }] },
    });
    expectProblem(over, 422, "OVER_COMMIT");
    const commit = await t.rest("POST", `/api/reservations/${r.body.id}/commit`, {
      body: { lines: [{ productId: hammer, quantity: 2 }] },
      key: t.keys.clerk,
    });
    expect(commit.status).toBe(200);
    expect(commit.body.status).toBe("committed");
    expect(commit.body.lines).toEqual(
      expect.arrayContaining([
        { productId: hammer, quantity: 3, committed: 2 },
        { productId: wire, quantity: 2, committed: 0 },
      ]),
    );
    expect(await level(hammer)).toMatchObject({ quantity: before - 2, reserved: 0 });
    expect(await level(wire)).toMatchObject({ reserved: 0, available: 8 });
    const ledger = await t.rest("GET", `/api/movements?reservationId=${r.body.id}`);
    expect(ledger.body.items).toHaveLength(1);
    expect(ledger.body.items[0]).toMatchObject({
      productId: hammer,
      kind: "adjustment",
      reason: "sold",
      delta: -2,
      reservationId: r.body.id,
    });
    const again = await t.rest("POST", `/api/reservations/${r.body.id}/commit`);
    expectProblem(again, 409, "RESERVATION_NOT_ACTIVE");
    expect(again.body.detail).toBe(`Reservation ${r.body.id} is committed`);
    expectProblem(
      await t.rest("POST", `/api/reservations/${r.body.id}/release`),
      409,
      "RESERVATION_NOT_ACTIVE",
    );
    expect(await audit()).toEqual([]);
  });

  it("an Idempotency-Key replays the same reservation; a retried commit sells once", async () => {
    const headers = { "idempotency-key": `cart-${backend}-7` };
    const lines = [{ productId: wire, quantity: 1 }];
    const first = await reserve(lines, {});
    const a = await t.rest("POST", "/api/reservations", { body: { storeId: "a", lines }, headers });
    const b = await t.rest("POST", "/api/reservations", { body: { storeId: "a", lines }, headers });
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(b.body.id).toBe(a.body.id);
    const commitHeaders = { "idempotency-key": `commit-${backend}-7` };
    const c1 = await t.rest("POST", `/api/reservations/${a.body.id}/commit`, { headers: commitHeaders });
    const c2 = await t.rest("POST", `/api/reservations/${a.body.id}/commit`, { headers: commitHeaders });
    expect(c1.status).toBe(200);
    expect(c2.status).toBe(200);
    const sold = await t.rest("GET", `/api/movements?reservationId=${a.body.id}`);
    expect(sold.body.items).toHaveLength(1);
    await t.rest("POST", `/api/reservations/${first.body.id}/release`);
  });

  it("from expiresAt on a reservation holds nothing, before any sweep; the sweep expires it once", async () => {
    const r = await reserve([{ productId: wire, quantity: 5 }], { ttlSeconds: 1 });
    expect(await level(wire)).toMatchObject({ reserved: 5 });
    await sleep(1100);
    const got = await t.rest("GET", `/api/reservations/${r.body.id}`);
    expect(got.body.status).toBe("expired");
    const listed = await t.rest("GET", "/api/reservations?status=expired");
    expect(listed.body.items.map((x: { id: string }) => x.id)).toContain(r.body.id);
    const lv = await level(wire);
    expect(lv).toMatchObject({ reserved: 0, available: lv.quantity });
    for (const action of ["commit", "release", "extend"]) {
      const refused = await t.rest("POST", `/api/reservations/${r.body.id}/${action}`, {
        body: action === "extend" ? { ttlSeconds: 60 } : undefined,
      });
      expectProblem(refused, 409, "RESERVATION_NOT_ACTIVE");
      expect(refused.body.detail).toContain("expired");
    }
    // A write on the level closes the lapsed hold itself.
    const sale = await t.rest("POST", "/api/inventory/adjustments", {
      body: { productId: wire, storeId: "a", delta: -lv.quantity, reason: "sold" },
    });
    expect(sale.status).toBe(201);
    expect(sale.body.level).toMatchObject({ quantity: 0, reserved: 0 });
    expect(await audit()).toEqual([]);
    expect(await expireDueReservations(t.database.db)).toBeGreaterThanOrEqual(1);
    expect(await expireDueReservations(t.database.db)).toBe(0);
    expect((await t.rest("GET", `/api/reservations/${r.body.id}`)).body.status).toBe("expired");
    expect(await audit()).toEqual([]);
    await t.rest("POST", "/api/inventory/adjustments", {
      body: { productId: wire, storeId: "a", delta: 10, reason: "received" },
    });
  });

  it("reads count a lapsed hold as gone in alerts and their totals too", async () => {
    const r = await reserve([{ productId: hammer, quantity: (await level(hammer)).available }], {
      ttlSeconds: 1,
    });
    expect((await t.rest("GET", "/api/inventory/alerts?storeId=a")).body.total).toBe(1);
    expect((await t.rest("GET", "/api/stores/a/inventory?belowMin=true")).body.total).toBe(1);
    await sleep(1100);
    const alerts = await t.rest("GET", "/api/inventory/alerts?storeId=a");
    expect(alerts.body).toMatchObject({ total: 0, items: [] });
    const below = await t.rest("GET", "/api/stores/a/inventory?belowMin=true");
    expect(below.body).toMatchObject({ total: 0, items: [] });
    const above = await t.rest("GET", "/api/stores/a/inventory?belowMin=false");
    expect(above.body.total).toBe(2);
    expect(above.body.items).toHaveLength(2);
    await expireDueReservations(t.database.db);
    expect((await t.rest("GET", `/api/reservations/${r.body.id}`)).body.status).toBe("expired");
    expect(await audit()).toEqual([]);
  });

  it("every change without a hold still needs a live product and store (a minimum alone too)", async () => {
    const unknown = crypto.randomUUID();
    expectProblem(
      await t.rest("PUT", `/api/stores/a/inventory/${unknown}`, { body: { minStock: 0 } }),
      404,
      "NOT_FOUND",
    );
    expectProblem(
      await t.rest("PUT", `/api/stores/zz/inventory/${wire}`, { body: { minStock: 1 } }),
      404,
      "NOT_FOUND",
    );
  });

  it("extends an active reservation; filters the list; serves tRPC from the same operations", async () => {
    const r = await t.trpc(
      "mutation",
      "reservations.create",
      { storeId: "a", lines: [{ productId: wire, quantity: 1 }], ttlSeconds: 60, reference: "order 9" },
      { key: t.keys.clerk },
    );
    expect(r.status).toBe(200);
    const id = r.body.result.data.id as string;
    const extended = await t.rest("POST", `/api/reservations/${id}/extend`, { body: { ttlSeconds: 3600 } });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.expiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    const byRef = await t.rest("GET", "/api/reservations?reference=order%209&status=active");
    expect(byRef.body).toMatchObject({ total: 1, items: [{ id, status: "active" }] });
    const viewer = await t.rest("POST", `/api/reservations/${id}/release`, { key: t.keys.viewer });
    expectProblem(viewer, 403, "FORBIDDEN");
    const gone = await t.trpc("mutation", "reservations.release", { id: crypto.randomUUID() });
    expect(trpcCode(gone)).toBe("NOT_FOUND");
    const badStore = await t.rest("POST", "/api/reservations", {
      body: { storeId: "nope", lines: [{ productId: wire, quantity: 1 }] },
    });
    expectProblem(badStore, 404, "NOT_FOUND");
    const badProduct = await reserve([{ productId: crypto.randomUUID(), quantity: 1 }]);
    expectProblem(badProduct, 404, "NOT_FOUND");
    expectProblem(await reserve([]), 400, "VALIDATION_FAILED");
    expectProblem(
      await reserve([{ productId: wire, quantity: 1 }], { ttlSeconds: 86_401 }),
      400,
      "VALIDATION_FAILED",
    );
    await t.rest("POST", `/api/reservations/${id}/release`);
    expect(await audit()).toEqual([]);
  });
});
