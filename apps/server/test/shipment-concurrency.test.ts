import { postgresUnavailableReason } from "@stockroom/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwoServers, type TwoServers, tally } from "./two-servers";

// Shipments raced through two real servers on one real PostgreSQL database.
const skipReason = await postgresUnavailableReason();
if (skipReason)
  console.warn(`[stockroom tests] SKIPPING shipment concurrency tests (PostgreSQL only): ${skipReason}`);

const ADMIN = "sk_test_shipments_admin_0123456789";
const figures: Record<string, unknown> = {};

describe.skipIf(skipReason !== null)("shipments under concurrency on PostgreSQL, through HTTP", () => {
  let two: TwoServers;
  let call: TwoServers["call"];

  beforeAll(async () => {
    two = await startTwoServers(ADMIN);
    call = two.call;
    for (const id of ["wh", "t1", "t2", "t3"])
      expect((await call(0, "POST", "/api/stores", { id, name: id })).status).toBe(201);
  });
  afterAll(async () => {
    if (two) figures.deadlocks = await two.close();
    console.log(`[shipment concurrency figures] ${JSON.stringify(figures)}`);
    expect(figures.deadlocks).toBe(0);
  });

  const product = async (sku: string, units: number) => {
    const id = (await call(0, "POST", "/api/products", { sku, name: sku, category: "test", price: 1 })).body
      .id as string;
    await call(0, "POST", "/api/inventory/adjustments", {
      productId: id,
      storeId: "wh",
      delta: units,
      reason: "received",
    });
    return id;
  };
  const levels = async (productId: string) => {
    const all: Array<{ storeId: string; quantity: number; incoming: number }> = [];
    for (const store of ["wh", "t1", "t2", "t3"]) {
      const l = (await call(0, "GET", `/api/stores/${store}/inventory?limit=100`)).body.items.find(
        (x: { productId: string }) => x.productId === productId,
      );
      if (l) all.push(l);
    }
    return all;
  };
  /** On hand plus in transit, over every store. */
  const owned = async (productId: string) =>
    (await levels(productId)).reduce((n, l) => n + l.quantity + l.incoming, 0);
  const shipped = async (productId: string, quantity: number, target = "t1") => {
    const d = await call(0, "POST", "/api/shipments", {
      sourceStoreId: "wh",
      targetStoreId: target,
      lines: [{ productId, quantity }],
    });
    expect((await call(1, "POST", `/api/shipments/${d.body.id}/ship`)).status).toBe(200);
    return d.body.id as string;
  };

  it("60 receipts with different ids race for 100 units in transit: exactly the outstanding units are booked", async () => {
    const p = await product("DOCK-100", 100);
    const id = await shipped(p, 100);
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(i, "POST", `/api/shipments/${id}/receive`, {
          receiptId: `scan-${i}`,
          lines: [
            { productId: p, accepted: i % 4 === 0 ? 1 : 2, rejected: i % 4 === 0 ? 1 : 0, reason: "crushed" },
          ],
        }),
      ),
    );
    figures.receipts = tally(replies);
    expect(replies.every((r) => r.status < 500)).toBe(true);
    const booked = replies.filter((r) => r.status === 200);
    expect(booked).toHaveLength(50);
    expect(replies.filter((r) => r.status === 422 && r.body.code === "OVER_RECEIPT")).toHaveLength(10);
    const final = (await call(0, "GET", `/api/shipments/${id}`)).body;
    expect(final.status).toBe("received");
    const line = final.lines[0];
    expect(line.received + line.rejected).toBe(100);
    expect(final.receipts).toHaveLength(50);
    const t1 = (await levels(p)).find((l) => l.storeId === "t1")!;
    expect(t1).toMatchObject({ quantity: line.received, incoming: 0 });
    expect(await owned(p)).toBe(100 - line.rejected);
    expect(await two.invariants()).toEqual([]);
  });

  it("one receipt sent 20 times at once books once; every answer is the first one", async () => {
    const p = await product("DOCK-REPLAY", 10);
    const id = await shipped(p, 10);
    const receipt = { receiptId: "truck-4-door-2", lines: [{ productId: p, accepted: 7 }] };
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(i, "POST", `/api/shipments/${id}/receive`, receipt)),
    );
    expect(tally(replies)).toEqual({ 200: 20 });
    for (const r of replies) expect(r.body).toEqual(replies[0]!.body);
    expect(replies[0]!.body.lines[0]).toMatchObject({ received: 7, inTransit: 3 });
    expect((await levels(p)).find((l) => l.storeId === "t1")).toMatchObject({ quantity: 7, incoming: 3 });
  });

  it("ships, transfers, sales, receipts and closes at once: never oversold, conserved, every invariant holds", async () => {
    const p = await product("MIXED", 300);
    // Ship 40 drafts of 10 from 300 units while sales and instant transfers take from the same shelf.
    const drafts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(i, "POST", "/api/shipments", {
          sourceStoreId: "wh",
          targetStoreId: ["t1", "t2", "t3"][i % 3],
          lines: [{ productId: p, quantity: 10 }],
        }),
      ),
    );
    const ids = drafts.map((d) => d.body.id as string);
    const sales = 40;
    const wave = await Promise.all([
      ...ids.map((id, i) => call(i, "POST", `/api/shipments/${id}/ship`)),
      ...Array.from({ length: sales }, (_, i) =>
        i % 2 === 0
          ? call(i, "POST", "/api/inventory/adjustments", {
              productId: p,
              storeId: "wh",
              delta: -1,
              reason: "sold",
            })
          : call(i, "POST", "/api/inventory/transfer", {
              productId: p,
              sourceStoreId: "wh",
              targetStoreId: "t2",
              quantity: 1,
            }),
      ),
    ]);
    figures.mixedShip = tally(wave);
    expect(wave.every((r) => r.status < 500)).toBe(true);
    const sold = wave.slice(ids.length).filter((r, i) => i % 2 === 0 && r.status === 201).length;
    const onTheirWay = ids.filter((_, i) => wave[i]!.status === 200);
    expect(
      wave.slice(0, ids.length).every((r) => r.status === 200 || r.body.code === "INSUFFICIENT_STOCK"),
    ).toBe(true);
    const wh = (await levels(p)).find((l) => l.storeId === "wh")!;
    expect(wh.quantity).toBeGreaterThanOrEqual(0);

    // Every shipment on its way gets a receipt and a close racing each other (and a second receipt).
    const endings = await Promise.all(
      onTheirWay.flatMap((id, i) => [
        call(i, "POST", `/api/shipments/${id}/receive`, {
          receiptId: "a",
          lines: [{ productId: p, accepted: 4, rejected: 1, reason: "wet" }],
        }),
        call(i + 1, "POST", `/api/shipments/${id}/close`, { reason: "driver gone" }),
        call(i, "POST", `/api/shipments/${id}/receive`, {
          receiptId: "b",
          lines: [{ productId: p, accepted: 5 }],
        }),
      ]),
    );
    figures.mixedEnd = tally(endings);
    expect(
      endings.every((r) => r.status === 200 || ["INVALID_STATE", "OVER_RECEIPT"].includes(r.body.code)),
    ).toBe(true);
    let rejectedOrLost = 0;
    for (const id of onTheirWay) {
      const s = (await call(0, "GET", `/api/shipments/${id}`)).body;
      expect(["received", "closed"]).toContain(s.status);
      const l = s.lines[0];
      expect(l.received + l.rejected + l.lost).toBe(10);
      rejectedOrLost += l.rejected + l.lost;
    }
    for (const l of await levels(p)) expect(l.incoming).toBe(0);
    // Conservation: what the chain owns changed only by the sales, rejections and write-offs.
    expect(await owned(p)).toBe(300 - sold - rejectedOrLost);
    expect(await two.invariants()).toEqual([]);
  });
});
