import { checkInvariants, invariantProblems, queryOf, rowsOf, sql } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, publishAll, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();

describe.each(backends)("shipments on %s", (backend) => {
  let t: TestApp;
  let hammer: string;
  let wire: string;
  let tape: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    for (const id of ["wh", "s1", "s2"])
      await t.rest("POST", "/api/stores", { body: { id, name: `Store ${id}` } });
    const product = async (sku: string) =>
      (await t.rest("POST", "/api/products", { body: { sku, name: sku, category: "tools", price: 5 } })).body
        .id as string;
    hammer = await product("HAM");
    wire = await product("WIRE");
    tape = await product("TAPE");
    for (const productId of [hammer, wire])
      await t.rest("POST", "/api/inventory/adjustments", {
        body: { productId, storeId: "wh", delta: 100, reason: "received" },
      });
  });
  afterAll(() => t?.close());

  const level = async (productId: string, storeId: string) =>
    (await t.rest("GET", `/api/stores/${storeId}/inventory?limit=100`)).body.items.find(
      (l: { productId: string }) => l.productId === productId,
    );
  const total = async (productId: string) =>
    (await t.rest("GET", `/api/products/${productId}`)).body.totalQuantity;
  const draft = (lines: Array<{ productId: string; quantity: number }>, targetStoreId = "s1", extra = {}) =>
    t.rest("POST", "/api/shipments", {
      body: { sourceStoreId: "wh", targetStoreId, lines, ...extra },
      key: t.keys.clerk,
    });
  const act = (id: string, action: string, body?: unknown) =>
    t.rest("POST", `/api/shipments/${id}/${action}`, { body, key: t.keys.clerk });
  const audit = async () => invariantProblems(await checkInvariants(queryOf(t.database.db)));
  /** On hand plus in transit, over every store: what conservation is about. */
  const owned = async (productId: string) =>
    rowsOf<{ n: number }>(
      await t.database.db.execute(
        sql`select coalesce(sum(quantity + incoming), 0)::int as n from stock_levels where product_id = ${productId}`,
      ),
    )[0]!.n;

  it("a draft holds nothing; shipping moves available units into the target's incoming, with the ledger", async () => {
    const d = await draft(
      [
        { productId: hammer, quantity: 30 },
        { productId: wire, quantity: 10 },
      ],
      "s1",
      { reference: "truck 17" },
    );
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({
      sourceStoreId: "wh",
      targetStoreId: "s1",
      status: "draft",
      reference: "truck 17",
      shippedAt: null,
      receipts: [],
    });
    expect(d.body.lines).toContainEqual({
      productId: hammer,
      quantity: 30,
      received: 0,
      rejected: 0,
      lost: 0,
      inTransit: 0,
    });
    expect(await level(hammer, "wh")).toMatchObject({ quantity: 100, available: 100, incoming: 0 });

    const before = await owned(hammer);
    const shipped = await act(d.body.id, "ship");
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe("in_transit");
    expect(shipped.body.shippedAt).not.toBeNull();
    expect(shipped.body.lines).toContainEqual(expect.objectContaining({ productId: hammer, inTransit: 30 }));
    expect(await level(hammer, "wh")).toMatchObject({ quantity: 70, incoming: 0 });
    expect(await level(hammer, "s1")).toMatchObject({ quantity: 0, available: 0, incoming: 30 });
    expect(await level(wire, "s1")).toMatchObject({ quantity: 0, incoming: 10 });
    expect(await total(hammer)).toBe(70);
    expect(await owned(hammer)).toBe(before);

    const ledger = await t.rest("GET", `/api/movements?shipmentId=${d.body.id}`);
    expect(ledger.body.items).toHaveLength(2);
    for (const m of ledger.body.items)
      expect(m).toMatchObject({
        kind: "transfer_out",
        storeId: "wh",
        shipmentId: d.body.id,
        reference: "truck 17",
      });
    expect(await audit()).toEqual([]);
  });

  it("receives in parts: accepted joins on hand, rejected leaves with its reason, a replayed receipt changes nothing", async () => {
    const d = await draft([
      { productId: hammer, quantity: 10 },
      { productId: wire, quantity: 5 },
    ]);
    await act(d.body.id, "ship");
    const before = await level(hammer, "s1");
    const owns = await owned(hammer);

    const first = await act(d.body.id, "receive", {
      receiptId: "dock-1",
      lines: [{ productId: hammer, accepted: 6, rejected: 1, reason: "damaged" }],
    });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe("partially_received");
    expect(first.body.lines).toContainEqual({
      productId: hammer,
      quantity: 10,
      received: 6,
      rejected: 1,
      lost: 0,
      inTransit: 3,
    });
    expect(first.body.receipts).toEqual([
      {
        receiptId: "dock-1",
        lines: [{ productId: hammer, accepted: 6, rejected: 1, reason: "damaged" }],
        createdAt: expect.any(String),
      },
    ]);
    expect(await level(hammer, "s1")).toMatchObject({
      quantity: before.quantity + 6,
      incoming: before.incoming - 7,
    });
    // The rejected unit left the system, on the record.
    expect(await owned(hammer)).toBe(owns - 1);
    const arrived = await t.rest("GET", `/api/movements?shipmentId=${d.body.id}&kind=transfer_in`);
    expect(arrived.body.items).toEqual([
      expect.objectContaining({ storeId: "s1", productId: hammer, delta: 6, shipmentId: d.body.id }),
    ]);

    const replay = await act(d.body.id, "receive", {
      receiptId: "dock-1",
      lines: [{ productId: hammer, accepted: 6, rejected: 1, reason: "damaged" }],
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(await level(hammer, "s1")).toMatchObject({ quantity: before.quantity + 6 });
    const reused = await act(d.body.id, "receive", {
      receiptId: "dock-1",
      lines: [{ productId: hammer, accepted: 3 }],
    });
    expectProblem(reused, 422, "IDEMPOTENCY_KEY_REUSED");

    const over = await act(d.body.id, "receive", {
      receiptId: "dock-2",
      lines: [{ productId: hammer, accepted: 3, rejected: 1 }],
    });
    expectProblem(over, 422, "OVER_RECEIPT");
    expect(over.body.detail).toBe(
      `Shipment ${d.body.id} has 3 units of product ${hammer} in transit; cannot accept 3 and reject 1`,
    );
    const stranger = await act(d.body.id, "receive", {
      receiptId: "dock-2",
      lines: [{ productId: tape, accepted: 1 }],
    });
    expectProblem(stranger, 422, "OVER_RECEIPT");
    expect(stranger.body.detail).toBe(`Product ${tape} is not on shipment ${d.body.id}`);

    const rest = await act(d.body.id, "receive", {
      receiptId: "dock-2",
      lines: [
        { productId: hammer, accepted: 3 },
        { productId: wire, accepted: 4, rejected: 1, reason: "wrong item" },
      ],
    });
    expect(rest.body.status).toBe("received");
    expect(rest.body.lines.every((l: { inTransit: number }) => l.inTransit === 0)).toBe(true);
    expect(rest.body.receipts.map((r: { receiptId: string }) => r.receiptId)).toEqual(["dock-1", "dock-2"]);
    expect(await level(hammer, "s1")).toMatchObject({ incoming: before.incoming - 10 });

    // Received: nothing is left in transit, so more is too much.
    expectProblem(
      await act(d.body.id, "receive", { receiptId: "dock-3", lines: [{ productId: hammer, accepted: 1 }] }),
      422,
      "OVER_RECEIPT",
    );
    const close = await act(d.body.id, "close", { reason: "done" });
    expectProblem(close, 409, "INVALID_STATE");
    expect(close.body.detail).toBe(
      `Shipment ${d.body.id} is received; close needs a shipment that is in_transit or partially_received`,
    );
    expect(await audit()).toEqual([]);
  });

  it("ships all lines or none, from available units only, naming the short product", async () => {
    const reservation = await t.rest("POST", "/api/reservations", {
      body: { storeId: "wh", lines: [{ productId: wire, quantity: 80 }] },
    });
    expect(reservation.status).toBe(201);
    const wireAvailable = (await level(wire, "wh")).available;
    const d = await draft([
      { productId: hammer, quantity: 5 },
      { productId: wire, quantity: wireAvailable + 1 },
    ]);
    const hammerBefore = await level(hammer, "wh");
    const short = await act(d.body.id, "ship");
    expectProblem(short, 409, "INSUFFICIENT_STOCK");
    expect(short.body.detail).toBe(
      `Insufficient stock in store wh. Available: ${wireAvailable}, Required: ${wireAvailable + 1} (product ${wire})`,
    );
    expect(await level(hammer, "wh")).toEqual(hammerBefore);
    expect((await t.rest("GET", `/api/shipments/${d.body.id}`)).body.status).toBe("draft");
    await t.rest("POST", `/api/reservations/${reservation.body.id}/release`);

    const cancelled = await act(d.body.id, "cancel");
    expect(cancelled.body).toMatchObject({ status: "cancelled" });
    expect(cancelled.body.closedAt).not.toBeNull();
    expectProblem(await act(d.body.id, "ship"), 409, "INVALID_STATE");
    expectProblem(await act(d.body.id, "cancel"), 409, "INVALID_STATE");
    expect(await level(hammer, "wh")).toEqual(hammerBefore);
  });

  it("closing writes off what is still in transit, on the record", async () => {
    const d = await draft([{ productId: hammer, quantity: 8 }], "s2");
    await act(d.body.id, "ship");
    expectProblem(await act(d.body.id, "cancel"), 409, "INVALID_STATE");
    await act(d.body.id, "receive", { receiptId: "r1", lines: [{ productId: hammer, accepted: 5 }] });
    const owns = await owned(hammer);
    const closed = await act(d.body.id, "close", { reason: "lost in transit" });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: "closed", closeReason: "lost in transit" });
    expect(closed.body.lines).toEqual([
      { productId: hammer, quantity: 8, received: 5, rejected: 0, lost: 3, inTransit: 0 },
    ]);
    expect(await level(hammer, "s2")).toMatchObject({ quantity: 5, incoming: 0 });
    expect(await owned(hammer)).toBe(owns - 3);
    expectProblem(await act(d.body.id, "close", { reason: "again" }), 409, "INVALID_STATE");
    const late = await act(d.body.id, "receive", {
      receiptId: "r2",
      lines: [{ productId: hammer, accepted: 1 }],
    });
    expectProblem(late, 409, "INVALID_STATE");
    expect(late.body.detail).toBe(
      `Shipment ${d.body.id} is closed; receive needs a shipment that is in_transit, partially_received or received`,
    );
    expect(await audit()).toEqual([]);
  });

  it("refuses bad drafts clearly and nothing is written", async () => {
    const same = await t.rest("POST", "/api/shipments", {
      body: { sourceStoreId: "wh", targetStoreId: "wh", lines: [{ productId: hammer, quantity: 1 }] },
    });
    expectProblem(same, 400, "VALIDATION_FAILED");
    const twice = await draft([
      { productId: hammer, quantity: 1 },
      { productId: hammer, quantity: 2 },
    ]);
    expectProblem(twice, 400, "VALIDATION_FAILED");
    expect(twice.body.issues).toEqual([
      { path: "lines.1.productId", message: `Product ${hammer} is named twice; give each product one line` },
    ]);
    const nowhere = await draft([{ productId: hammer, quantity: 1 }], "nowhere");
    expectProblem(nowhere, 404, "NOT_FOUND");
    expect(nowhere.body.detail).toBe("Store nowhere not found");
    const ghost = "00000000-0000-4000-8000-000000000000";
    const noProduct = await draft([{ productId: ghost, quantity: 1 }]);
    expectProblem(noProduct, 404, "NOT_FOUND");
    expect(noProduct.body.detail).toBe(`Product ${ghost} not found`);
    expectProblem(await act(ghost, "ship"), 404, "NOT_FOUND");
    expectProblem(await draft([]), 400, "VALIDATION_FAILED");
    expectProblem(await draft([{ productId: hammer, quantity: 0 }]), 400, "VALIDATION_FAILED");
    const list = await t.rest("GET", "/api/shipments?limit=100");
    expect(list.body.items.every((s: { lines: unknown[] }) => s.lines.length > 0)).toBe(true);
  });

  it("a store with units on their way to it cannot be deleted", async () => {
    await t.rest("POST", "/api/stores", { body: { id: "s3", name: "Store s3" } });
    const d = await draft([{ productId: wire, quantity: 2 }], "s3");
    await act(d.body.id, "ship");
    const refused = await t.rest("DELETE", "/api/stores/s3");
    expectProblem(refused, 409, "STORE_NOT_EMPTY");
    expect(refused.body.detail).toContain("2 units in transit towards it");
    await act(d.body.id, "close", { reason: "store never opened" });
    expect((await t.rest("DELETE", "/api/stores/s3")).status).toBe(204);
  });

  it("reports every step in the event feed, once, in order; a replayed receipt reports nothing", async () => {
    const d = await draft([{ productId: wire, quantity: 4 }], "s2", { reference: "evt" });
    await act(d.body.id, "ship");
    const receipt = {
      receiptId: "evt-1",
      lines: [{ productId: wire, accepted: 2, rejected: 1, reason: "torn" }],
    };
    await act(d.body.id, "receive", receipt);
    await act(d.body.id, "receive", receipt);
    await act(d.body.id, "close", { reason: "short" });
    const other = await draft([{ productId: wire, quantity: 1 }], "s2");
    await act(other.body.id, "cancel");
    await publishAll(t.database);
    const feed = await t.rest(
      "GET",
      "/api/events?limit=100&types=shipment.shipped,shipment.received,shipment.cancelled,shipment.closed",
    );
    const mine = feed.body.items.filter((e: { data: { id: string } }) =>
      [d.body.id, other.body.id].includes(e.data.id),
    );
    expect(mine.map((e: { type: string }) => e.type)).toEqual([
      "shipment.shipped",
      "shipment.received",
      "shipment.closed",
      "shipment.cancelled",
    ]);
    const [shippedEvt, received, closed] = mine;
    expect(shippedEvt.data).toMatchObject({ id: d.body.id, status: "in_transit", receiptId: null });
    expect(received.data).toMatchObject({ status: "partially_received", receiptId: "evt-1" });
    expect(received.data.receipts).toEqual([
      expect.objectContaining({
        receiptId: "evt-1",
        lines: [{ productId: wire, accepted: 2, rejected: 1, reason: "torn" }],
      }),
    ]);
    expect(closed.data.lines).toEqual([
      { productId: wire, quantity: 4, received: 2, rejected: 1, lost: 1, inTransit: 0 },
    ]);
    // The ledger rows' stock.changed events carry the shipment.
    const changed = await t.rest("GET", `/api/events?limit=100&types=stock.changed&productId=${wire}`);
    const legs = changed.body.items.filter(
      (e: { data: { shipmentId: string | null } }) => e.data.shipmentId === d.body.id,
    );
    expect(legs.map((e: { data: { kind: string; delta: number } }) => [e.data.kind, e.data.delta])).toEqual([
      ["transfer_out", -4],
      ["transfer_in", 2],
    ]);
  });

  it("lists with filters, newest first, and works over tRPC", async () => {
    const d = await t.trpc("mutation", "shipments.create", {
      sourceStoreId: "wh",
      targetStoreId: "s2",
      lines: [{ productId: tape, quantity: 1 }],
      reference: "trpc",
    });
    expect(d.status).toBe(200);
    const id = d.body.result.data.id as string;
    const byTarget = await t.rest("GET", "/api/shipments?targetStoreId=s2&status=draft");
    expect(byTarget.body.items.map((s: { id: string }) => s.id)).toEqual([id]);
    const byProduct = await t.rest("GET", `/api/shipments?productId=${tape}`);
    expect(byProduct.body.total).toBe(1);
    const all = await t.rest("GET", "/api/shipments?limit=100");
    const created = all.body.items.map((s: { createdAt: string }) => s.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    // TAPE has no stock in wh: shipping it is refused over tRPC with the same code.
    const ship = await t.trpc("mutation", "shipments.ship", { id });
    expect(trpcCode(ship)).toBe("INSUFFICIENT_STOCK");
    const viewer = await t.rest("POST", `/api/shipments/${id}/cancel`, { key: t.keys.viewer });
    expectProblem(viewer, 403, "FORBIDDEN");
    expect((await t.rest("GET", `/api/shipments/${id}`, { key: t.keys.viewer })).status).toBe(200);
  });
});
