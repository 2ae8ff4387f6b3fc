import { createDatabase, pgErrorCode, rowsOf } from "@stockroom/db";
import { createTestDatabase, type ScratchDatabase, testBackends } from "@stockroom/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AppError,
  appRouter,
  createCallerFactory,
  ensureBootstrapKey,
  KeyAuthenticator,
  type Runtime,
  toHandle,
} from "../src";
import { adjustStock, setLevel, transferStock } from "../src/services/stock";
import { queueDoor, transactionDoor } from "../src/services/stock/door";

// Every stock change goes through one door, stockroom_apply. Key-less operations that queue
// behind a running one are applied together, by one call of it. These tests queue them
// deterministically: with one statement allowed at a time, the first operation is sent at
// once and every operation submitted in the same tick waits, then goes in one batch.

const backends = await testBackends();
const createCaller = createCallerFactory(appRouter);
const ADMIN = "sk_live_transfer_batch_tests_admin_01";

describe.each(backends)("stock operations applied together on %s", (backend) => {
  let scratch: ScratchDatabase;
  let admin: ReturnType<typeof createCaller>;
  let runtime: Runtime;
  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    runtime = {
      database: scratch.database,
      keys: new KeyAuthenticator(scratch.database.db),
      hooks: {},
    };
    await ensureBootstrapKey(scratch.database.db, ADMIN);
    admin = createCaller({
      requestId: "req-test",
      authorization: `Bearer ${ADMIN}`,
      idempotencyKey: null,
      responseHeaders: new Map(),
      runtime: toHandle(runtime),
      log: { keyId: null },
    });
    for (const id of ["b-a", "b-b", "b-c"]) await admin.stores.create({ id, name: id });
  });
  afterAll(() => scratch?.drop());

  const product = async (sku: string, levels: Record<string, number>) => {
    const p = await admin.products.create({ sku, name: `${sku} name`, category: "batch", price: 2.5 });
    for (const [storeId, delta] of Object.entries(levels))
      await admin.inventory.adjust({ productId: p.id, storeId, delta, reason: "received" });
    return p.id;
  };
  /** A door of its own (a runtime of its own, so a queue of its own) that records batch sizes. */
  const queueOf = (sizes: number[], maxBatch = 64) =>
    queueDoor({
      ...runtime,
      writeBatching: { maxBatch, concurrency: 1 },
      hooks: { writeStatement: (n) => sizes.push(n) },
    });
  const settle = <T>(p: Promise<T>) =>
    p.then(
      (value) => ({ value, error: null }),
      (error: unknown) => ({ value: null, error: error as AppError }),
    );
  const levelsOf = async (productId: string) =>
    Object.fromEntries(
      (await admin.inventory.listByStore({ storeId: "b-a", limit: 100 })).items
        .concat((await admin.inventory.listByStore({ storeId: "b-b", limit: 100 })).items)
        .concat((await admin.inventory.listByStore({ storeId: "b-c", limit: 100 })).items)
        .filter((l) => l.productId === productId)
        .map((l) => [l.storeId, l.quantity]),
    );
  /** Every movement of the product, in ledger order. */
  const ledgerOf = async (productId: string) =>
    rowsOf<{
      store_id: string;
      delta: number;
      quantity_after: number;
      transfer_id: string | null;
      at: string;
    }>(
      await scratch.database.db.execute(
        sql`select store_id, delta, quantity_after, transfer_id, created_at::text as at from movements
            where product_id = ${productId} order by seq`,
      ),
    );

  it("judges each transfer of a batch after the ones before it, and answers each on its own", async () => {
    const p = await product("BATCH-1", { "b-a": 10, "b-b": 2 });
    const sizes: number[] = [];
    const queue = queueOf(sizes);
    const move = (productId: string, from: string, to: string, quantity: number, reference?: string) =>
      settle(
        transferStock(
          queue,
          { productId, sourceStoreId: from, targetStoreId: to, quantity, reference },
          null,
        ),
      );
    // All submitted in this tick: the first is sent at once, the other six wait and go together.
    const [first, all, empty, back, fresh, noProduct, noStore] = await Promise.all([
      move(p, "b-a", "b-b", 1), // a 9, b 3
      move(p, "b-a", "b-b", 9, "all"), // a 0, b 12
      move(p, "b-a", "b-b", 1), // a has 0 now
      move(p, "b-b", "b-a", 4), // b 8, a 4
      move(p, "b-a", "b-c", 2), // no level in b-c yet: created, a 2, c 2
      move("00000000-0000-4000-8000-00000000beef", "b-a", "b-b", 1),
      move(p, "b-b", "b-nowhere", 1),
    ]);
    expect(sizes).toEqual([1, 6]);

    expect(first.value).toMatchObject({ source: { quantity: 9 }, target: { quantity: 3 } });
    expect(all.error).toBeNull();
    expect(all.value).toMatchObject({
      productId: p,
      sourceStoreId: "b-a",
      targetStoreId: "b-b",
      quantity: 9,
      reference: "all",
      source: {
        productId: p,
        sku: "BATCH-1",
        name: "BATCH-1 name",
        category: "batch",
        price: 2.5,
        storeId: "b-a",
        quantity: 0,
        minStock: 0,
        belowMin: false,
      },
      target: { storeId: "b-b", quantity: 12 },
      movements: [
        { storeId: "b-a", kind: "transfer_out", delta: -9, quantityAfter: 0, reference: "all", actor: null },
        { storeId: "b-b", kind: "transfer_in", delta: 9, quantityAfter: 12, reference: "all", actor: null },
      ],
    });
    expect(all.value!.movements.every((m) => m.transferId === all.value!.transferId)).toBe(true);
    expect(all.value!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(all.value!.source.updatedAt).toMatch(/Z$/);

    expect(empty.error).toBeInstanceOf(AppError);
    expect(empty.error!.appCode).toBe("INSUFFICIENT_STOCK");
    expect(empty.error!.message).toContain("Available: 0, Required: 1");
    // One statement, one transaction: the batch's transfers share their time.
    expect(back.value!.createdAt).toBe(all.value!.createdAt);
    expect(back.value).toMatchObject({
      source: { storeId: "b-b", quantity: 8 },
      target: { storeId: "b-a", quantity: 4 },
    });
    expect(fresh.value).toMatchObject({ source: { quantity: 2 }, target: { storeId: "b-c", quantity: 2 } });
    expect(noProduct.error!.appCode).toBe("NOT_FOUND");
    expect(noStore.error!.appCode).toBe("NOT_FOUND");
    expect(noStore.error!.message).toContain("b-nowhere");

    expect(await levelsOf(p)).toEqual({ "b-a": 2, "b-b": 8, "b-c": 2 });
    // The ledger holds two legs per applied transfer and nothing of the refused ones, and
    // every quantity_after is the running quantity of its level in ledger order.
    const ledger = await ledgerOf(p);
    const transfers = ledger.filter((m) => m.transfer_id !== null);
    expect(transfers).toHaveLength(8);
    const running: Record<string, number> = {};
    for (const m of ledger) {
      running[m.store_id] = (running[m.store_id] ?? 0) + Number(m.delta);
      expect(Number(m.quantity_after)).toBe(running[m.store_id]);
    }
    expect((await admin.inventory.audit()).discrepancies).toEqual([]);
    expect((await admin.products.get({ id: p })).totalQuantity).toBe(12);
  });

  it("a batch PostgreSQL rejects as a whole leaves nothing behind, and each transfer then runs on its own", async () => {
    const p = await product("BATCH-2", { "b-a": 10 });
    // Refuses any statement that writes more than one transfer's legs with this reference:
    // the batch, never a transfer on its own.
    await scratch.database.db.execute(
      sql.raw(`
      create function batch_test_refuse() returns trigger language plpgsql as $$
      begin
        if (select count(*) from added where reference = 'refuse-batch') > 0 and (select count(*) from added) > 2 then
          raise exception 'batch refused by the test' using errcode = '23514';
        end if;
        return null;
      end $$`),
    );
    await scratch.database.db.execute(
      sql.raw(`
      create trigger batch_test_refuse after insert on movements referencing new table as added
      for each statement execute function batch_test_refuse()`),
    );
    try {
      const sizes: number[] = [];
      const queue = queueOf(sizes);
      const move = (quantity: number, reference?: string) =>
        transferStock(
          queue,
          { productId: p, sourceStoreId: "b-a", targetStoreId: "b-b", quantity, reference },
          null,
        );
      const results = await Promise.all([move(1), move(2), move(3, "refuse-batch"), move(4)]);
      expect(sizes).toEqual([1, 3]);
      // The first went alone; the other three then ran on their own, in any order.
      const after = results.map((r) => r.target.quantity).sort((a, b) => a - b);
      expect(after[0]).toBe(1);
      expect(after[3]).toBe(10);
      const ledger = await ledgerOf(p);
      expect(ledger.filter((m) => m.transfer_id !== null)).toHaveLength(8);
      expect(new Set(ledger.map((m) => m.transfer_id).filter(Boolean)).size).toBe(4);
      // Had the batch committed, its three transfers would share one transaction time.
      const times = new Set(ledger.filter((m) => m.transfer_id !== null).map((m) => m.at));
      expect(times.size).toBe(4);
      expect(await levelsOf(p)).toEqual({ "b-a": 0, "b-b": 10 });
      expect((await admin.inventory.audit()).discrepancies).toEqual([]);
    } finally {
      await scratch.database.db.execute(sql.raw("drop trigger batch_test_refuse on movements"));
      await scratch.database.db.execute(sql.raw("drop function batch_test_refuse()"));
    }
  });

  it("judges each adjustment of a batch after the ones before it, and answers each on its own", async () => {
    const p = await product("BATCH-ADJ", { "b-a": 5 });
    // b-a goes from 6 (under this minimum) to 7 (not under) in the batch: its triggers
    // change the kept counts, whose rows the function locks first.
    await admin.inventory.setLevel({ productId: p, storeId: "b-a", minStock: 7 });
    const sizes: number[] = [];
    const queue = queueOf(sizes);
    const adjust = (
      productId: string,
      storeId: string,
      delta: number,
      more: { expectedQuantity?: number; reference?: string } = {},
    ) =>
      settle(
        adjustStock(
          queue,
          { productId, storeId, delta, reason: delta > 0 ? "received" : "sold", ...more },
          null,
        ),
      );
    const [first, all, empty, refill, stale, fresh, none, noProduct, last] = await Promise.all([
      adjust(p, "b-a", 1), // alone: a 6
      adjust(p, "b-a", -6), // a 0
      adjust(p, "b-a", -1), // a has 0 now
      adjust(p, "b-a", 4, { expectedQuantity: 0 }), // a 4
      adjust(p, "b-a", -1, { expectedQuantity: 5 }), // a holds 4, not 5
      adjust(p, "b-c", 2), // no level in b-c yet: created, c 2
      adjust(p, "b-b", -1), // no level in b-b: nothing to take
      adjust("00000000-0000-4000-8000-00000000beef", "b-a", 1),
      adjust(p, "b-a", 3, { reference: "R-1" }), // a 7
    ]);
    expect(sizes).toEqual([1, 8]);
    expect(first.value!.level.quantity).toBe(6);
    expect(all.value).toMatchObject({
      movement: {
        storeId: "b-a",
        kind: "adjustment",
        delta: -6,
        quantityAfter: 0,
        reason: "sold",
        actor: null,
      },
      level: { productId: p, sku: "BATCH-ADJ", category: "batch", price: 2.5, storeId: "b-a", quantity: 0 },
    });
    expect(empty.error!.appCode).toBe("INSUFFICIENT_STOCK");
    expect(empty.error!.message).toContain("Available: 0, Required: 1");
    expect(refill.value!.level.quantity).toBe(4);
    expect(stale.error!.appCode).toBe("STALE_QUANTITY");
    expect(stale.error!.message).toContain("is 4, not the expected 5");
    expect(fresh.value).toMatchObject({
      level: { storeId: "b-c", quantity: 2 },
      movement: { quantityAfter: 2 },
    });
    expect(none.error!.appCode).toBe("INSUFFICIENT_STOCK");
    expect(none.error!.message).toContain("Available: 0, Required: 1");
    expect(noProduct.error!.appCode).toBe("NOT_FOUND");
    expect(last.value).toMatchObject({
      movement: { delta: 3, quantityAfter: 7, reason: "received", reference: "R-1" },
      level: { quantity: 7 },
    });
    // One statement, one transaction: the batch's adjustments share their time.
    expect(last.value!.movement.createdAt).toBe(all.value!.movement.createdAt);

    expect(await levelsOf(p)).toEqual({ "b-a": 7, "b-c": 2 });
    expect((await admin.products.get({ id: p })).totalQuantity).toBe(9);
    const ledger = await ledgerOf(p);
    const running: Record<string, number> = {};
    for (const m of ledger) {
      running[m.store_id] = (running[m.store_id] ?? 0) + Number(m.delta);
      expect(Number(m.quantity_after)).toBe(running[m.store_id]);
    }
    // The received 5, then the five applied adjustments; nothing of the refused ones.
    expect(ledger).toHaveLength(6);
    expect((await admin.inventory.audit()).discrepancies).toEqual([]);
    const [miscounted] = rowsOf<{ n: number }>(
      await scratch.database.db.execute(sql`
        select count(*)::int as n from store_counts c where c.below_min <> (
          select count(*) from stock_levels l join products p on p.id = l.product_id and p.deleted_at is null
          where l.store_id = c.store_id and l.quantity < l.min_stock)`),
    );
    expect(miscounted?.n).toBe(0);
  });

  it("with maxBatch 1 every transfer is its own statement, with no queue", async () => {
    const p = await product("BATCH-3", { "b-a": 3 });
    const sizes: number[] = [];
    const queue = queueOf(sizes, 1);
    const results = await Promise.all(
      [1, 1, 1].map(() =>
        transferStock(queue, { productId: p, sourceStoreId: "b-a", targetStoreId: "b-b", quantity: 1 }, null),
      ),
    );
    expect(sizes).toEqual([1, 1, 1]);
    expect(results.map((r) => r.source.quantity).sort()).toEqual([0, 1, 2]);
  });
  it("transfers, adjustments and counts of the same levels share one statement, judged in order", async () => {
    const p = await product("BATCH-MIX", { "b-a": 4 });
    const sizes: number[] = [];
    const door = queueOf(sizes);
    const [first, sale, count, move, tooMany, fresh] = await Promise.all([
      settle(adjustStock(door, { productId: p, storeId: "b-a", delta: 1, reason: "received" }, null)), // a 5
      settle(adjustStock(door, { productId: p, storeId: "b-a", delta: -2, reason: "sold" }, null)), // a 3
      settle(setLevel(door, { productId: p, storeId: "b-a", quantity: 10, expectedQuantity: 3 }, null)), // a 10
      settle(
        transferStock(door, { productId: p, sourceStoreId: "b-a", targetStoreId: "b-b", quantity: 6 }, null),
      ), // a 4, b 6
      settle(adjustStock(door, { productId: p, storeId: "b-b", delta: -7, reason: "sold" }, null)), // b holds 6
      settle(setLevel(door, { productId: p, storeId: "b-c", quantity: 3, minStock: 5 }, null)), // new level, under min
    ]);
    expect(sizes).toEqual([1, 5]);
    expect(first.value!.level.quantity).toBe(5);
    expect(sale.value!.level.quantity).toBe(3);
    expect(count.value).toMatchObject({
      level: { quantity: 10 },
      movement: { kind: "count", delta: 7, quantityAfter: 10, reason: "correction" },
    });
    expect(move.value).toMatchObject({ source: { quantity: 4 }, target: { quantity: 6 } });
    expect(tooMany.error!.message).toBe("Insufficient stock in store b-b. Available: 6, Required: 7");
    expect(fresh.value).toMatchObject({
      level: { storeId: "b-c", quantity: 3, minStock: 5, belowMin: true },
      movement: { kind: "count", delta: 3 },
    });
    expect(await levelsOf(p)).toEqual({ "b-a": 4, "b-b": 6, "b-c": 3 });
    expect((await admin.products.get({ id: p })).totalQuantity).toBe(13);
    expect((await admin.inventory.audit()).discrepancies).toEqual([]);
    expect((await admin.inventory.alerts({ storeId: "b-c" })).items.map((a) => a.productId)).toContain(p);
  });

  it("a count that finds what the level holds, or a new minimum alone, writes no ledger row", async () => {
    const p = await product("COUNT-SAME", { "b-a": 5 });
    const door = transactionDoor(scratch.database.db);
    const same = await setLevel(door, { productId: p, storeId: "b-a", quantity: 5 }, null);
    expect(same).toMatchObject({ level: { quantity: 5 }, movement: null });
    const threshold = await setLevel(door, { productId: p, storeId: "b-a", minStock: 9 }, null);
    expect(threshold).toMatchObject({ level: { quantity: 5, minStock: 9, belowMin: true }, movement: null });
    // A minimum on a level that does not exist yet creates it, empty.
    const created = await setLevel(door, { productId: p, storeId: "b-b", minStock: 2 }, null);
    expect(created).toMatchObject({ level: { storeId: "b-b", quantity: 0, minStock: 2 }, movement: null });
    expect(await ledgerOf(p)).toHaveLength(1);
  });

  it("the first receipt of a product at a store is one statement, like any other", async () => {
    const p = await product("FIRST-IN", {});
    const sizes: number[] = [];
    const door = queueOf(sizes);
    const first = await adjustStock(
      door,
      { productId: p, storeId: "b-b", delta: 3, reason: "received" },
      null,
    );
    expect(sizes).toEqual([1]);
    expect(first).toMatchObject({ level: { storeId: "b-b", quantity: 3 }, movement: { quantityAfter: 3 } });
    // Taking from a level that does not exist takes from 0 units, and creates nothing.
    await expect(
      adjustStock(door, { productId: p, storeId: "b-c", delta: -1, reason: "sold" }, null),
    ).rejects.toMatchObject({ appCode: "INSUFFICIENT_STOCK" });
    expect(await levelsOf(p)).toEqual({ "b-b": 3 });
  });

  it.runIf(backend === "postgres")(
    "a level another transaction creates meanwhile fails the statement as a serialization failure, which the API retries",
    async () => {
      const p = await product("RACE-IN", {});
      const other = await createDatabase({ url: scratch.url!, poolSize: 1 });
      let commit!: () => void;
      let inserted!: () => void;
      const insertedOnce = new Promise<void>((r) => {
        inserted = r;
      });
      const holding = other.db.transaction(async (tx) => {
        await tx.execute(
          sql`insert into stock_levels (product_id, store_id, quantity) values (${p}, 'b-c', 0)`,
        );
        inserted();
        await new Promise<void>((r) => {
          commit = r;
        });
      });
      try {
        await insertedOnce;
        // Each waits on the uncommitted level, and finds it there once it commits.
        const racing = settle(
          transactionDoor(scratch.database.db)([
            { productId: p, storeId: "b-c", kind: "adjustment", delta: 2, reason: "received" },
          ]),
        );
        const viaApi = settle(
          admin.inventory.adjust({ productId: p, storeId: "b-c", delta: 5, reason: "received" }),
        );
        await new Promise((r) => setTimeout(r, 300));
        commit();
        await holding;
        const raw = await racing;
        expect(pgErrorCode(raw.error)).toBe("40001");
        expect((await viaApi).value).toMatchObject({
          level: { quantity: 5 },
          movement: { quantityAfter: 5 },
        });
      } finally {
        commit?.();
        await other.close();
      }
      expect(await levelsOf(p)).toEqual({ "b-c": 5 });
    },
  );
});
