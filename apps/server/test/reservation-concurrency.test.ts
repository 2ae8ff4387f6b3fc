import { postgresUnavailableReason } from "@stockroom/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwoServers, type TwoServers, tally } from "./two-servers";

// Reservations raced through two real servers on one real PostgreSQL database.
const skipReason = await postgresUnavailableReason();
if (skipReason)
  console.warn(`[stockroom tests] SKIPPING reservation concurrency tests (PostgreSQL only): ${skipReason}`);

const ADMIN = "sk_test_reservations_admin_0123456789";
const figures: Record<string, unknown> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipReason !== null)("reservations under concurrency on PostgreSQL, through HTTP", () => {
  let two: TwoServers;
  let call: TwoServers["call"];

  beforeAll(async () => {
    // Both servers sweep often, so sweeps race commits, releases and each other.
    two = await startTwoServers(ADMIN, { STOCKROOM_RESERVATION_SWEEP_MS: "25" });
    call = two.call;
    for (const id of ["r-a", "r-b"])
      expect((await call(0, "POST", "/api/stores", { id, name: id })).status).toBe(201);
  });
  afterAll(async () => {
    await two?.close();
    console.log(`[reservation concurrency figures] ${JSON.stringify(figures)}`);
  });

  const product = async (sku: string, units: number) => {
    const id = (await call(0, "POST", "/api/products", { sku, name: sku, category: "test", price: 1 })).body
      .id as string;
    await call(0, "POST", "/api/inventory/adjustments", {
      productId: id,
      storeId: "r-a",
      delta: units,
      reason: "received",
    });
    return id;
  };
  const level = async (productId: string) =>
    (await call(0, "GET", "/api/stores/r-a/inventory?limit=100")).body.items.find(
      (l: { productId: string }) => l.productId === productId,
    );
  const invariants = () => two.invariants();

  it("300 carts race for the last 40 units while sales take some: never oversold, never a 5xx", async () => {
    const p = await product("LAST-40", 50);
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        i % 30 === 0
          ? call(i, "POST", "/api/inventory/adjustments", {
              productId: p,
              storeId: "r-a",
              delta: -1,
              reason: "sold",
            })
          : call(i, "POST", "/api/reservations", { storeId: "r-a", lines: [{ productId: p, quantity: 1 }] }),
      ),
    );
    const counts = tally(replies);
    figures.lastUnits = counts;
    expect(replies.every((r) => r.status < 500)).toBe(true);
    const held = replies.filter((r, i) => i % 30 !== 0 && r.status === 201).length;
    const sold = replies.filter((r, i) => i % 30 === 0 && r.status === 201).length;
    // Every unit went to exactly one cart or sale; the refused got INSUFFICIENT_STOCK.
    expect(held + sold).toBe(50);
    expect(replies.filter((r) => r.status === 409 && r.body.code === "INSUFFICIENT_STOCK").length).toBe(250);
    expect(await level(p)).toMatchObject({ quantity: 50 - sold, reserved: held, available: 0 });
    expect(await invariants()).toEqual([]);
  });

  it("commit, release and commit again on each of 40 reservations at once: exactly one transition each", async () => {
    const p = await product("RACE-40", 40);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++)
      ids.push(
        (
          await call(i, "POST", "/api/reservations", {
            storeId: "r-a",
            lines: [{ productId: p, quantity: 1 }],
          })
        ).body.id,
      );
    const replies = await Promise.all(
      ids.flatMap((id, i) => [
        call(i, "POST", `/api/reservations/${id}/commit`),
        call(i + 1, "POST", `/api/reservations/${id}/release`),
        call(i + 1, "POST", `/api/reservations/${id}/commit`),
      ]),
    );
    figures.transitions = tally(replies);
    expect(
      replies.every(
        (r) => r.status === 200 || (r.status === 409 && r.body.code === "RESERVATION_NOT_ACTIVE"),
      ),
    ).toBe(true);
    let committed = 0;
    for (let i = 0; i < ids.length; i++) {
      const mine = replies.slice(i * 3, i * 3 + 3);
      expect(mine.filter((r) => r.status === 200)).toHaveLength(1);
      const final = (await call(0, "GET", `/api/reservations/${ids[i]}`)).body.status;
      const winner = mine.find((r) => r.status === 200)!.body.status;
      expect(final).toBe(winner);
      if (final === "committed") committed++;
      const sales = (await call(0, "GET", `/api/movements?reservationId=${ids[i]}`)).body.items;
      expect(sales).toHaveLength(final === "committed" ? 1 : 0);
    }
    expect(await level(p)).toMatchObject({ quantity: 40 - committed, reserved: 0 });
    expect(await invariants()).toEqual([]);
  });

  it("commits racing expiry and two sweeping servers: each reservation ends committed or expired, sold iff committed", async () => {
    const p = await product("EXPIRY-60", 60);
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(i, "POST", "/api/reservations", {
          storeId: "r-a",
          lines: [{ productId: p, quantity: 1 }],
          ttlSeconds: 5,
        }),
      ),
    );
    const ids: string[] = created.map((r) => r.body.id);
    // Aim each commit at its reservation's expiry, from 400 ms before to 400 ms after, while
    // both servers sweep every 25 ms.
    const replies = await Promise.all(
      created.map(async (r, i) => {
        await sleep(Math.max(0, Date.parse(r.body.expiresAt) + ((i % 9) - 4) * 100 - Date.now()));
        return call(i, "POST", `/api/reservations/${r.body.id}/commit`);
      }),
    );
    figures.expiryRace = tally(replies);
    expect(tally(created)).toEqual({ 201: 60 });
    expect(
      replies.every(
        (r) => r.status === 200 || (r.status === 409 && r.body.code === "RESERVATION_NOT_ACTIVE"),
      ),
    ).toBe(true);
    // Let the sweepers finish, then every reservation is committed or expired, never both.
    await sleep(300);
    let committed = 0;
    for (let i = 0; i < ids.length; i++) {
      const r = (await call(0, "GET", `/api/reservations/${ids[i]}`)).body;
      const sales = (await call(0, "GET", `/api/movements?reservationId=${ids[i]}`)).body.items;
      expect(r.status).toBe(replies[i]!.status === 200 ? "committed" : "expired");
      expect(sales).toHaveLength(r.status === "committed" ? 1 : 0);
      if (r.status === "committed") committed++;
    }
    const lv = await level(p);
    expect(lv).toMatchObject({ quantity: 60 - committed, reserved: 0, available: 60 - committed });
    expect(await invariants()).toEqual([]);
  });

  it("carts, commits, releases, sales and transfers all at once: 0 ≤ reserved ≤ on hand and the audit finds nothing", async () => {
    const products = [await product("MIX-1", 30), await product("MIX-2", 30)];
    const work = Array.from({ length: 200 }, async (_, i) => {
      const p = products[i % 2]!;
      switch (i % 5) {
        case 0:
          return call(i, "POST", "/api/inventory/adjustments", {
            productId: p,
            storeId: "r-a",
            delta: -1,
            reason: "sold",
          });
        case 1:
          return call(i, "POST", "/api/inventory/transfer", {
            productId: p,
            sourceStoreId: "r-a",
            targetStoreId: "r-b",
            quantity: 1,
          });
        default: {
          const r = await call(i, "POST", "/api/reservations", {
            storeId: "r-a",
            lines: [{ productId: p, quantity: 1 + (i % 2) }],
            ttlSeconds: i % 3 === 0 ? 1 : 60,
          });
          if (r.status !== 201) return r;
          return call(i + 1, "POST", `/api/reservations/${r.body.id}/${i % 4 === 0 ? "release" : "commit"}`);
        }
      }
    });
    const replies = await Promise.all(work);
    figures.mixed = tally(replies);
    expect(replies.every((r) => r.status < 500)).toBe(true);
    const audit = (await call(0, "GET", "/api/inventory/audit")).body;
    expect(audit.discrepancies).toEqual([]);
    expect(audit.reservedDiscrepancies).toEqual([]);
    for (const p of products) {
      const lv = await level(p);
      expect(lv.reserved).toBeGreaterThanOrEqual(0);
      expect(lv.reserved).toBeLessThanOrEqual(lv.quantity);
    }
    expect(await invariants()).toEqual([]);
  });
});
