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

type Shipment = RouterOutputs["shipments"]["get"];

// Compile-time: the shipment methods carry the API's own types (`pnpm typecheck` checks this file).
expectTypeOf<Shipment["status"]>().toEqualTypeOf<
  "draft" | "in_transit" | "partially_received" | "received" | "cancelled" | "closed"
>();
expectTypeOf<Shipment["lines"][number]>().toEqualTypeOf<{
  productId: string;
  quantity: number;
  received: number;
  rejected: number;
  lost: number;
  inTransit: number;
}>();
expectTypeOf<RouterOutputs["shipments"]["list"]["items"][number]>().toEqualTypeOf<Shipment>();
expectTypeOf<RouterInputs["shipments"]["receive"]["lines"][number]["rejected"]>().toEqualTypeOf<
  number | undefined
>();
expectTypeOf<RouterOutputs["inventory"]["setLevel"]["incoming"]>().toEqualTypeOf<number>();
expectTypeOf<"INVALID_STATE" | "OVER_RECEIPT">().toExtend<StockroomErrorCode>();
function typeProbes(client: StockroomClient) {
  // @ts-expect-error a receipt needs its receiptId
  void client.shipments.receive({ id: "s", lines: [{ productId: "p", accepted: 1 }] });
  // @ts-expect-error accepted is a number
  void client.shipments.receive({ id: "s", receiptId: "r", lines: [{ productId: "p", accepted: "1" }] });
  // @ts-expect-error close needs a reason
  void client.shipments.close({ id: "s" });
  // @ts-expect-error status is one of a fixed set
  void client.shipments.list({ status: "shipped" });
  // @ts-expect-error a query takes no idempotency key
  void client.shipments.get({ id: "s" }, { idempotencyKey: "k" });
  void client.shipments.ship({ id: "s" }, { idempotencyKey: "k" });
}
void typeProbes;

const backends = await testBackends();

describe.each(backends)("shipments through the SDK (%s)", (backend) => {
  let server: TestServer;
  let client: StockroomClient;
  let productId: string;
  const source = "sdk-ship-wh";
  const target = "sdk-ship-s1";

  beforeAll(async () => {
    server = await startTestServer({}, { backend });
    client = createStockroomClient({ url: server.url, apiKey: server.apiKey });
    await client.stores.create({ id: source, name: "SDK warehouse" });
    await client.stores.create({ id: target, name: "SDK shop" });
    productId = (
      await client.products.create({ sku: "SDK-SHIP", name: "Boxed", category: "tests", price: 3 })
    ).id;
    await client.inventory.adjust({ productId, storeId: source, delta: 20, reason: "received" });
  });
  afterAll(() => server?.close());

  const level = async (storeId: string) => {
    const item = (await client.inventory.listByStore({ storeId, q: "SDK-SHIP" })).items[0];
    return { quantity: item?.quantity ?? 0, incoming: item?.incoming ?? 0 };
  };
  const draft = (quantity: number, reference?: string) =>
    client.shipments.create({
      sourceStoreId: source,
      targetStoreId: target,
      lines: [{ productId, quantity }],
      reference,
    });

  it("drafts, ships, receives in parts (a replayed receiptId answers the same), and lists and gets it", async () => {
    const d = await draft(8, "truck sdk-1");
    expect(d).toMatchObject({ status: "draft", reference: "truck sdk-1", shippedAt: null, receipts: [] });
    expect(await level(source)).toEqual({ quantity: 20, incoming: 0 });

    const shipped = await client.shipments.ship({ id: d.id });
    expect(shipped.status).toBe("in_transit");
    expect(shipped.lines).toEqual([
      { productId, quantity: 8, received: 0, rejected: 0, lost: 0, inTransit: 8 },
    ]);
    expect(await level(source)).toEqual({ quantity: 12, incoming: 0 });
    expect(await level(target)).toEqual({ quantity: 0, incoming: 8 });

    const receipt = {
      id: d.id,
      receiptId: "dock-sdk-1",
      lines: [{ productId, accepted: 5, rejected: 1, reason: "dented" }],
    };
    const first = await client.shipments.receive(receipt);
    expect(first.status).toBe("partially_received");
    expect(first.lines[0]).toMatchObject({ received: 5, rejected: 1, inTransit: 2 });
    expect(first.receipts).toEqual([
      {
        receiptId: "dock-sdk-1",
        lines: [{ productId, accepted: 5, rejected: 1, reason: "dented" }],
        createdAt: expect.any(String),
      },
    ]);
    expect(await level(target)).toEqual({ quantity: 5, incoming: 2 });
    // A retry of the same delivery, with a fresh idempotency key: the receiptId alone makes it a replay.
    expect(await client.shipments.receive(receipt)).toEqual(first);
    expect(await level(target)).toEqual({ quantity: 5, incoming: 2 });
    const reused = await caught(
      client.shipments.receive({ ...receipt, lines: [{ productId, accepted: 1 }] }),
    );
    expect(reused).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", status: 422 });

    const ledger = await client.movements.list({ shipmentId: d.id });
    expect(ledger.items.map((m) => [m.kind, m.storeId, m.delta])).toEqual(
      expect.arrayContaining([
        ["transfer_out", source, -8],
        ["transfer_in", target, 5],
      ]),
    );

    const closed = await client.shipments.close({ id: d.id, reason: "two never came" });
    expect(closed).toMatchObject({ status: "closed", closeReason: "two never came" });
    expect(closed.lines[0]).toMatchObject({ received: 5, rejected: 1, lost: 2, inTransit: 0 });
    expect(await level(target)).toEqual({ quantity: 5, incoming: 0 });

    expect(await client.shipments.get({ id: d.id })).toEqual(closed);
    const list = await client.shipments.list({ sourceStoreId: source, status: "closed", productId });
    expect(list.items.map((s) => s.id)).toEqual([d.id]);
    expect((await client.shipments.list({ targetStoreId: source })).items).toEqual([]);
  });

  it("rejects with typed errors: OVER_RECEIPT beyond what is in transit, INVALID_STATE out of order", async () => {
    const d = await draft(3);
    const early = await caught(
      client.shipments.receive({ id: d.id, receiptId: "too-early", lines: [{ productId, accepted: 1 }] }),
    );
    expect(early).toBeInstanceOf(StockroomError);
    expect(early).toMatchObject({
      code: "INVALID_STATE",
      status: 409,
      procedure: "shipments.receive",
      attempts: 1,
    });
    expect(early.detail).toBe(
      `Shipment ${d.id} is draft; receive needs a shipment that is in_transit, partially_received or received`,
    );

    await client.shipments.ship({ id: d.id });
    const before = await level(target);
    const over = await caught(
      client.shipments.receive({
        id: d.id,
        receiptId: "too-many",
        lines: [{ productId, accepted: 3, rejected: 1 }],
      }),
    );
    expect(over).toBeInstanceOf(StockroomError);
    expect(over).toMatchObject({ code: "OVER_RECEIPT", status: 422, procedure: "shipments.receive" });
    expect(over.detail).toBe(
      `Shipment ${d.id} has 3 units of product ${productId} in transit; cannot accept 3 and reject 1`,
    );
    expect(await level(target)).toEqual(before);
    expect((await client.shipments.get({ id: d.id })).receipts).toEqual([]);

    const cancel = await caught(client.shipments.cancel({ id: d.id }));
    expect(cancel).toMatchObject({ code: "INVALID_STATE", status: 409 });
    const all = await client.shipments.receive({
      id: d.id,
      receiptId: "all",
      lines: [{ productId, accepted: 3 }],
    });
    expect(all.status).toBe("received");
    expect(await caught(client.shipments.close({ id: d.id, reason: "late" }))).toMatchObject({
      code: "INVALID_STATE",
    });

    const other = await draft(1);
    expect((await client.shipments.cancel({ id: other.id })).status).toBe("cancelled");
    expect(await caught(client.shipments.ship({ id: other.id }))).toMatchObject({ code: "INVALID_STATE" });
  });

  it("answers NOT_FOUND for an unknown shipment", async () => {
    const err = await caught(client.shipments.get({ id: "00000000-0000-4000-8000-00000000dead" }));
    expect(err).toMatchObject({ code: "NOT_FOUND", status: 404, procedure: "shipments.get" });
  });
});
