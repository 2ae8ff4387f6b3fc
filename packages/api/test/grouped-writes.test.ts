import { rowsOf } from "@stockroom/db";
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
import {
  adjustmentQueue,
  adjustStock,
  rolledBack,
  transferQueue,
  transferStock,
} from "../src/services/stock";

// Key-less transfers and adjustments that queue behind a running one are applied together,
// by one statement (stockroom_transfer_batch, stockroom_adjust_batch). These tests queue
// them deterministically: with one statement allowed at a time, the first change is sent
// at once and every change submitted in the same tick waits, then goes in one batch.

const backends = await testBackends();
const createCaller = createCallerFactory(appRouter);
const ADMIN = "sk_live_transfer_batch_tests_admin_01";

describe.each(backends)("transfers applied together on %s", (backend) => {
  let scratch: ScratchDatabase;
  let admin: ReturnType<typeof createCaller>;
  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    const runtime: Runtime = {
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
  const queueOf = (sizes: number[]) =>
    transferQueue(scratch.database.db, { maxBatch: 64, concurrency: 1 }, (n) => sizes.push(n));
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
          scratch.database.db,
          { productId, sourceStoreId: from, targetStoreId: to, quantity, reference },
          null,
          { inTransaction: false, queue },
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
          scratch.database.db,
          { productId: p, sourceStoreId: "b-a", targetStoreId: "b-b", quantity, reference },
          null,
          { inTransaction: false, queue },
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
    const queue = adjustmentQueue(scratch.database.db, { maxBatch: 64, concurrency: 1 }, (n) =>
      sizes.push(n),
    );
    const adjust = (
      productId: string,
      storeId: string,
      delta: number,
      more: { expectedQuantity?: number; reference?: string } = {},
    ) =>
      settle(
        adjustStock(
          scratch.database.db,
          { productId, storeId, delta, reason: delta > 0 ? "received" : "sold", ...more },
          null,
          { inTransaction: false, queue },
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
    const queue = transferQueue(scratch.database.db, { maxBatch: 1, concurrency: 1 }, (n) => sizes.push(n));
    const results = await Promise.all(
      [1, 1, 1].map(() =>
        transferStock(
          scratch.database.db,
          { productId: p, sourceStoreId: "b-a", targetStoreId: "b-b", quantity: 1 },
          null,
          { inTransaction: false, queue },
        ),
      ),
    );
    expect(sizes).toEqual([]);
    expect(queue.depth).toBe(0);
    expect(results.map((r) => r.source.quantity).sort()).toEqual([0, 1, 2]);
  });
});

describe("which failed batch statements were surely rolled back", () => {
  const server = (code: string, severity = "ERROR") => Object.assign(new Error(code), { code, severity });
  it("an error PostgreSQL reported for the statement: yes", () => {
    for (const code of ["40P01", "40001", "57014", "23514", "P0001", "22003"])
      expect(rolledBack(server(code))).toBe(true);
    // drizzle wraps the driver's error
    expect(rolledBack(new Error("wrapped", { cause: server("40P01") }))).toBe(true);
  });
  it("a lost connection or a terminated backend: not known, so not retried", () => {
    expect(rolledBack(new Error("Connection terminated unexpectedly"))).toBe(false);
    // Socket errors carry a code too, but no severity: PostgreSQL did not send them.
    expect(rolledBack(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(false);
    expect(rolledBack(Object.assign(new Error("pipe"), { code: "EPIPE" }))).toBe(false);
    for (const code of ["08006", "08003"]) expect(rolledBack(server(code))).toBe(false);
    for (const code of ["57P01", "57P02", "57P03"]) expect(rolledBack(server(code, "FATAL"))).toBe(false);
  });
});
