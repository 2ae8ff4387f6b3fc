import {
  invariantProblems,
  queryOf,
  rowsOf,
  sql,
  checkInvariants as wholeDatabaseInvariants,
} from "@stockroom/db";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers";

// Random operation sequences against a model of the stock, on PGlite, checking the
// ledger invariants after every single step. Adjustments and transfers are sent with or
// without an Idempotency-Key: with one they run in a transaction (lock, check, apply),
// without one as a single statement; both must give the model's answers.
const STORES = ["m1", "m2", "m3"];

const op = fc.oneof(
  fc.record({
    type: fc.constant("adjust" as const),
    p: fc.nat(1),
    s: fc.nat(2),
    delta: fc.integer({ min: -30, max: 30 }).filter((d) => d !== 0),
    keyed: fc.boolean(),
    // expectedQuantity: not sent, the level's real quantity, or another one.
    expect: fc.constantFrom("none" as const, "right" as const, "wrong" as const),
  }),
  fc.record({
    type: fc.constant("transfer" as const),
    p: fc.nat(1),
    from: fc.nat(2),
    to: fc.nat(2),
    qty: fc.integer({ min: 1, max: 25 }),
    keyed: fc.boolean(),
  }),
  fc.record({ type: fc.constant("count" as const), p: fc.nat(1), s: fc.nat(2), qty: fc.nat(40) }),
);

describe("stock against a model (fast-check, PGlite)", () => {
  let t: TestApp;
  let products: string[];
  beforeAll(async () => {
    t = await createTestApp("pglite");
    for (const id of STORES) await t.rest("POST", "/api/stores", { body: { id, name: id } });
    products = [];
    for (const sku of ["M-1", "M-2"])
      products.push(
        (await t.rest("POST", "/api/products", { body: { sku, name: sku, category: "m", price: 1 } })).body
          .id,
      );
  });
  afterAll(() => t?.close());

  async function checkInvariants(model: Map<string, number>) {
    const levels = rowsOf<{ product_id: string; store_id: string; quantity: number }>(
      await t.database.db.execute(sql`select product_id, store_id, quantity from stock_levels`),
    );
    for (const l of levels) {
      expect(l.quantity).toBeGreaterThanOrEqual(0);
      expect(l.quantity).toBe(model.get(`${l.product_id}/${l.store_id}`) ?? 0);
    }
    // Every invariant the audit, the backup verifier and the bench check, written once.
    expect(invariantProblems(await wholeDatabaseInvariants(queryOf(t.database.db)))).toEqual([]);
  }

  it("holds every invariant after every step of random sequences", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        // A fresh ledger, and with it a fresh outbox (one stock.changed per ledger row).
        await t.database.db.execute(sql`delete from events`);
        await t.database.db.execute(sql`delete from movements`);
        await t.database.db.execute(sql`delete from stock_levels`);
        await t.database.db.execute(sql`update products set total_quantity = 0`);
        const model = new Map<string, number>();
        const key = (p: number, s: number) => `${products[p]}/${STORES[s]}`;
        const keyFor = (keyed: boolean): Record<string, string> =>
          keyed ? { "idempotency-key": crypto.randomUUID() } : {};
        for (const o of ops) {
          if (o.type === "adjust") {
            const have = model.get(key(o.p, o.s)) ?? 0;
            const r = await t.rest("POST", "/api/inventory/adjustments", {
              body: {
                productId: products[o.p],
                storeId: STORES[o.s],
                delta: o.delta,
                reason: o.delta > 0 ? "received" : "sold",
                ...(o.expect === "none" ? {} : { expectedQuantity: o.expect === "right" ? have : have + 1 }),
              },
              headers: keyFor(o.keyed),
            });
            if (o.expect === "wrong") {
              expect(r.body.code).toBe("STALE_QUANTITY");
              expect(r.body.detail).toContain(`is ${have}, not the expected ${have + 1}`);
            } else if (have + o.delta >= 0) {
              expect(r.status).toBe(201);
              expect(r.body.level.quantity).toBe(have + o.delta);
              model.set(key(o.p, o.s), have + o.delta);
            } else {
              expect(r.body.code).toBe("INSUFFICIENT_STOCK");
              expect(r.body.detail).toContain(`Available: ${have}, Required: ${-o.delta}`);
            }
          } else if (o.type === "transfer") {
            const have = model.get(key(o.p, o.from)) ?? 0;
            const r = await t.rest("POST", "/api/inventory/transfer", {
              body: {
                productId: products[o.p],
                sourceStoreId: STORES[o.from],
                targetStoreId: STORES[o.to],
                quantity: o.qty,
              },
              headers: keyFor(o.keyed),
            });
            if (o.from === o.to) expect(r.status).toBe(400);
            else if (have >= o.qty) {
              expect(r.status).toBe(201);
              model.set(key(o.p, o.from), have - o.qty);
              model.set(key(o.p, o.to), (model.get(key(o.p, o.to)) ?? 0) + o.qty);
            } else {
              expect(r.body.code).toBe("INSUFFICIENT_STOCK");
              expect(r.body.detail).toContain(`Available: ${have}, Required: ${o.qty}`);
            }
          } else {
            const r = await t.rest("PUT", `/api/stores/${STORES[o.s]}/inventory/${products[o.p]}`, {
              body: { quantity: o.qty },
            });
            expect(r.status).toBe(200);
            model.set(key(o.p, o.s), o.qty);
          }
          await checkInvariants(model);
        }
      }),
      { numRuns: 30, seed: 20261127 },
    );
  });
});
