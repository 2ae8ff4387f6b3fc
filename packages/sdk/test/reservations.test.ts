import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  createStockroomClient,
  type RouterInputs,
  type RouterOutputs,
  type StockroomClient,
  StockroomError,
  type StockroomErrorCode,
} from "../src/index";
import { caught, startTestServer, type TestServer, testBackends } from "./server";

type Reservation = RouterOutputs["reservations"]["get"];

// Compile-time: the reservation methods carry the API's own types (`pnpm typecheck` checks this file).
expectTypeOf<Reservation["status"]>().toEqualTypeOf<"active" | "committed" | "released" | "expired">();
expectTypeOf<Reservation["lines"][number]>().toEqualTypeOf<{
  productId: string;
  quantity: number;
  committed: number | null;
}>();
expectTypeOf<RouterOutputs["reservations"]["list"]["items"][number]>().toEqualTypeOf<Reservation>();
expectTypeOf<RouterInputs["reservations"]["create"]["ttlSeconds"]>().toEqualTypeOf<number | undefined>();
expectTypeOf<RouterOutputs["inventory"]["setLevel"]["available"]>().toEqualTypeOf<number>();
expectTypeOf<"RESERVATION_NOT_ACTIVE" | "OVER_COMMIT">().toExtend<StockroomErrorCode>();
function typeProbes(client: StockroomClient) {
  // @ts-expect-error a line's quantity is a number
  void client.reservations.create({ storeId: "s", lines: [{ productId: "p", quantity: "2" }] });
  // @ts-expect-error a reservation needs lines
  void client.reservations.create({ storeId: "s" });
  // @ts-expect-error status is one of a fixed set
  void client.reservations.list({ status: "open" });
  // @ts-expect-error extend needs ttlSeconds
  void client.reservations.extend({ id: "r" });
  // @ts-expect-error a query takes no idempotency key
  void client.reservations.get({ id: "r" }, { idempotencyKey: "k" });
  void client.reservations.commit({ id: "r" }, { idempotencyKey: "k" });
}
void typeProbes;

const backends = await testBackends();

describe.each(backends)("reservations through the SDK (%s)", (backend) => {
  let server: TestServer;
  let client: StockroomClient;
  let productId: string;
  const storeId = "sdk-res";

  beforeAll(async () => {
    server = await startTestServer({}, { backend });
    client = createStockroomClient({ url: server.url, apiKey: server.apiKey });
    await client.stores.create({ id: storeId, name: "SDK reservations" });
    productId = (await client.products.create({ sku: "SDK-RES", name: "Held", category: "tests", price: 3 }))
      .id;
    await client.inventory.adjust({ productId, storeId, delta: 10, reason: "received" });
  });
  afterAll(() => server?.close());

  const level = async () => {
    const page = await client.inventory.listByStore({ storeId, q: "SDK-RES" });
    const { quantity, reserved, available } = page.items[0]!;
    return { quantity, reserved, available };
  };

  it("holds units, lists the reservation, and sells part of it on commit", async () => {
    const held = await client.reservations.create({
      storeId,
      lines: [
        { productId, quantity: 3 },
        { productId, quantity: 1 },
      ],
      ttlSeconds: 600,
      reference: "cart sdk-1",
    });
    expect(held).toMatchObject({
      storeId,
      status: "active",
      reference: "cart sdk-1",
      lines: [{ productId, quantity: 4, committed: null }],
    });
    const ttlMs = Date.parse(held.expiresAt) - Date.parse(held.createdAt);
    expect(ttlMs).toBeGreaterThan(599_000);
    expect(ttlMs).toBeLessThan(601_000);
    expect(await level()).toEqual({ quantity: 10, reserved: 4, available: 6 });
    expect(await client.reservations.get({ id: held.id })).toEqual(held);

    const byReference = await client.reservations.list({ reference: "cart sdk-1" });
    expect(byReference.items.map((r) => r.id)).toEqual([held.id]);
    const active = await client.reservations.list({ storeId, status: "active" });
    expect(active.items.map((r) => r.id)).toContain(held.id);
    expect((await client.reservations.list({ storeId, status: "committed" })).items).toEqual([]);

    const sold = await client.reservations.commit({ id: held.id, lines: [{ productId, quantity: 3 }] });
    expect(sold).toMatchObject({ id: held.id, status: "committed", lines: [{ quantity: 4, committed: 3 }] });
    // Three left the shelf; the fourth unit is free again.
    expect(await level()).toEqual({ quantity: 7, reserved: 0, available: 7 });
    const ledger = await client.movements.list({ reservationId: held.id });
    expect(ledger.items).toEqual([
      expect.objectContaining({ productId, storeId, kind: "adjustment", reason: "sold", delta: -3 }),
    ]);
  });

  it("refuses more than the available units with INSUFFICIENT_STOCK, holding nothing", async () => {
    const before = await level();
    const err = await caught(
      client.reservations.create({ storeId, lines: [{ productId, quantity: before.available + 1 }] }),
    );
    expect(err).toBeInstanceOf(StockroomError);
    expect(err).toMatchObject({ code: "INSUFFICIENT_STOCK", status: 409, procedure: "reservations.create" });
    expect(err.detail).toContain(
      `Insufficient stock in store ${storeId}. Available: ${before.available}, Required: ${before.available + 1}`,
    );
    expect(await level()).toEqual(before);
  });

  it("extends and releases; a finished reservation answers RESERVATION_NOT_ACTIVE", async () => {
    const held = await client.reservations.create({
      storeId,
      lines: [{ productId, quantity: 2 }],
      ttlSeconds: 60,
    });
    const extended = await client.reservations.extend({ id: held.id, ttlSeconds: 3600 });
    expect(Date.parse(extended.expiresAt)).toBeGreaterThan(Date.parse(held.expiresAt));
    expect((await level()).reserved).toBe(2);

    const released = await client.reservations.release({ id: held.id });
    expect(released).toMatchObject({
      id: held.id,
      status: "released",
      lines: [{ quantity: 2, committed: null }],
    });
    expect((await level()).reserved).toBe(0);

    // Each call's rejection is caught as it is made: awaited one after another, a later one
    // could reject while an earlier one was awaited, unhandled for that moment.
    const refusals = await Promise.all([
      caught(client.reservations.release({ id: held.id })),
      caught(client.reservations.commit({ id: held.id })),
      caught(client.reservations.extend({ id: held.id, ttlSeconds: 60 })),
    ]);
    for (const err of refusals) {
      expect(err).toBeInstanceOf(StockroomError);
      expect(err).toMatchObject({ code: "RESERVATION_NOT_ACTIVE", status: 409 });
      expect(err.detail).toMatch(/released/);
    }
  });

  it("refuses to commit more than is held (OVER_COMMIT) and keeps the hold", async () => {
    const held = await client.reservations.create({ storeId, lines: [{ productId, quantity: 2 }] });
    const err = await caught(
      client.reservations.commit({ id: held.id, lines: [{ productId, quantity: 3 }] }),
    );
    expect(err).toMatchObject({ code: "OVER_COMMIT", status: 422 });
    expect((await client.reservations.get({ id: held.id })).status).toBe("active");
    expect((await level()).reserved).toBe(2);
    await client.reservations.release({ id: held.id });
  });

  it("replays a create sent again with the same idempotency key, holding once", async () => {
    const input = { storeId, lines: [{ productId, quantity: 1 }], reference: "cart sdk-replay" };
    const key = `sdk-res-${backend}`;
    const first = await client.reservations.create(input, { idempotencyKey: key });
    const again = await client.reservations.create(input, { idempotencyKey: key });
    expect(again).toEqual(first);
    expect((await level()).reserved).toBe(1);
    await client.reservations.release({ id: first.id });
  });

  it("answers NOT_FOUND for an unknown reservation", async () => {
    const err = await caught(client.reservations.get({ id: "00000000-0000-4000-8000-00000000dead" }));
    expect(err).toMatchObject({ code: "NOT_FOUND", status: 404, procedure: "reservations.get" });
  });
});
