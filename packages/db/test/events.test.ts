import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../src/client";
import { EVENT_FEED_SQL, LAST_SEQ_SQL, publishEvents, purgeEvents, writeEvents } from "../src/events";
import { APPLY_STOCK_SQL, applyStockOperations, changesJson, type StockOperation, sql } from "../src/index";
import { checkInvariants, invariantProblems, queryOf } from "../src/invariants";
import { connectPostgres, createTestDatabase, type ScratchDatabase, testBackends } from "../src/testing";

/**
 * The outbox as stockroom_apply writes it: one stock.changed per ledger row, a crossing of the
 * minimum reported once by the change that made it, nothing for a refused operation.
 */
const backends = await testBackends();
const P = "00000000-0000-4000-8000-000000000001";
const Q = "00000000-0000-4000-8000-000000000002";

interface EventRow {
  seq: number;
  type: string;
  product_id: string | null;
  store_id: string | null;
  data: Record<string, unknown>;
}

describe.each(backends)("the outbox (%s)", (backend) => {
  let scratch: ScratchDatabase;
  let seen = 0;
  const db = () => scratch.database.db;

  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    await db().execute(sql`insert into stores (id, name) values ('a', 'A'), ('b', 'B')`);
    await db().execute(sql`insert into products (id, sku, name, category, price) values
      (${P}, 'P1', 'one', 'tools', 1), (${Q}, 'P2', 'two', 'tools', 1)`);
  });
  afterAll(() => scratch?.drop());

  /** The events written since the last call, in the order they were written. */
  async function fresh(): Promise<EventRow[]> {
    const rows = rowsOf<EventRow>(
      await db().execute(
        sql.raw(`select e.seq, e.type, e.product_id, e.store_id, e.data
                   from ${EVENT_FEED_SQL} where e.seq > ${Number(seen)} order by e.seq`),
      ),
    );
    if (rows.length) seen = Number(rows.at(-1)!.seq);
    return rows.map((r) => ({ ...r, data: typeof r.data === "string" ? JSON.parse(r.data) : r.data }));
  }
  const apply = (...ops: StockOperation[]) => applyStockOperations(db(), ops);
  const types = (rows: EventRow[]) => rows.map((r) => `${r.type} ${r.store_id}`);

  it("writes one stock.changed per ledger row, with the level as the row left it", async () => {
    const [out] = await apply([
      { productId: P, storeId: "a", kind: "adjustment", delta: 10, reason: "received" },
    ]);
    expect(out!.applied).toBe(true);
    const rows = await fresh();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "stock.changed", product_id: P, store_id: "a" });
    expect(rows[0]!.data).toEqual({
      movementId: out!.applied ? out!.rows[0]!.movement_id : null,
      productId: P,
      storeId: "a",
      kind: "adjustment",
      delta: 10,
      reason: "received",
      quantity: 10,
      reserved: 0,
      available: 10,
      reservationId: null,
      shipmentId: null,
      transferId: null,
    });
  });

  it("reports crossing the minimum once per crossing, after the change that made it", async () => {
    await apply([{ productId: P, storeId: "a", kind: "count", minStock: 5 }]);
    expect(await fresh()).toEqual([]);
    await apply([{ productId: P, storeId: "a", kind: "adjustment", delta: -6, reason: "sold" }]);
    const low = await fresh();
    expect(types(low)).toEqual(["stock.changed a", "stock.low a"]);
    expect(low[1]!.data).toEqual({
      productId: P,
      storeId: "a",
      quantity: 4,
      reserved: 0,
      available: 4,
      minStock: 5,
      movementId: low[0]!.data.movementId,
    });
    await apply([{ productId: P, storeId: "a", kind: "adjustment", delta: -1, reason: "sold" }]);
    expect(types(await fresh())).toEqual(["stock.changed a"]);
    // Down and up again within one statement (two operations grouped): both crossings.
    await apply(
      [{ productId: P, storeId: "a", kind: "adjustment", delta: 3, reason: "returned" }],
      [{ productId: P, storeId: "a", kind: "adjustment", delta: -2, reason: "sold" }],
      [{ productId: P, storeId: "a", kind: "count", minStock: 1 }],
    );
    expect(types(await fresh())).toEqual([
      "stock.changed a",
      "stock.restored a",
      "stock.changed a",
      "stock.low a",
      "stock.restored a",
    ]);
  });

  it("writes nothing for a refused operation, also when an earlier change of it applied", async () => {
    const refused = await apply(
      [{ productId: P, storeId: "a", kind: "adjustment", delta: -100, reason: "sold" }],
      [
        { productId: P, storeId: "a", kind: "transfer_out", delta: -1 },
        { productId: P, storeId: "nowhere", kind: "transfer_in", delta: 1 },
      ],
      [{ productId: Q, storeId: "b", kind: "adjustment", delta: 1, expected: 7, reason: "correction" }],
    );
    expect(refused.map((o) => o.applied)).toEqual([false, false, false]);
    expect(await fresh()).toEqual([]);
  });

  it("reports what a hold takes from available, and a lapse that gives it back", async () => {
    const reservationId = "00000000-0000-4000-8000-0000000000aa";
    await db().execute(
      sql`insert into reservations (id, store_id, expires_at) values (${reservationId}, 'a', now() + interval '1 hour')`,
    );
    await apply([{ productId: P, storeId: "a", kind: "count", minStock: 3 }]);
    await fresh();
    await apply([
      {
        productId: P,
        storeId: "a",
        kind: "adjustment",
        hold: "take",
        units: 4,
        reservationId,
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      },
    ]);
    const took = await fresh();
    expect(types(took)).toEqual(["stock.low a"]);
    expect(took[0]!.data).toMatchObject({ quantity: 4, reserved: 4, available: 0, movementId: null });
    // The line lapses; the next write on the level closes it before it judges anything.
    await db().execute(sql`update reservation_lines set expires_at = now() - interval '1 second'`);
    await apply([{ productId: P, storeId: "a", kind: "adjustment", delta: -4, reason: "sold" }]);
    // Available went 0 → 4 (the lapse) → 0 (the sale): no crossing reported, it stayed low.
    expect(types(await fresh())).toEqual(["stock.changed a"]);
    await apply([{ productId: P, storeId: "a", kind: "adjustment", delta: 5, reason: "received" }]);
    expect(types(await fresh())).toEqual(["stock.changed a", "stock.restored a"]);
  });

  it("writes other events in order, and publishes up to the last one", async () => {
    await writeEvents(db(), [
      { type: "reservation.created", data: { n: 1 }, storeId: "a" },
      { type: "webhook.test", data: { n: 2 } },
    ]);
    const rows = await fresh();
    expect(rows.map((r) => [r.type, r.data.n, r.store_id])).toEqual([
      ["reservation.created", 1, "a"],
      ["webhook.test", 2, null],
    ]);
    const [last] = rowsOf<{ seq: number }>(await db().execute(sql.raw(`select ${LAST_SEQ_SQL} as seq`)));
    // Once the transactions running meanwhile (none but autovacuum's) are done, the frontier
    // reaches the last event; then there is nothing more to publish.
    let published = 0;
    while (published < Number(last!.seq)) {
      await publishEvents(db());
      const [w] = rowsOf<{ published: number }>(
        await db().execute(sql`select published from event_watermark`),
      );
      published = Number(w!.published);
    }
    expect(published).toBe(Number(last!.seq));
    expect(await publishEvents(db())).toBe(0);
    expect(invariantProblems(await checkInvariants(queryOf(db())))).toEqual([]);
  });
  it("keeps the ledger but drops events past retention from the feed; a cursor stays valid", async () => {
    await apply([{ productId: Q, storeId: "b", kind: "adjustment", delta: 2, reason: "received" }]);
    await writeEvents(db(), [{ type: "webhook.test", data: { n: 3 } }]);
    await apply([{ productId: Q, storeId: "b", kind: "adjustment", delta: 1, reason: "received" }]);
    await writeEvents(db(), [{ type: "webhook.test", data: { n: 4 } }]);
    const written = await fresh();
    expect(written.map((r) => r.type)).toEqual([
      "stock.changed",
      "webhook.test",
      "stock.changed",
      "webhook.test",
    ]);
    const feed = async (after: number) =>
      rowsOf<{ seq: number; type: string }>(
        await db().execute(
          sql.raw(`select e.seq, e.type from ${EVENT_FEED_SQL} where e.seq > ${after} order by e.seq`),
        ),
      ).map((r) => [Number(r.seq), r.type]);
    const everything = await feed(0);
    // Everything up to the second ledger row is 40 days old.
    const cut = Number(written[2]!.seq);
    await db().execute(sql`update movements set created_at = now() - interval '40 days' where seq <= ${cut}`);
    await db().execute(sql`update events set created_at = now() - interval '40 days' where seq <= ${cut}`);
    const ledgerRows = async () =>
      Number(rowsOf<{ n: number }>(await db().execute(sql`select count(*)::int as n from movements`))[0]!.n);
    const ledgerBefore = await ledgerRows();
    // Not published yet: nothing is dropped past the frontier.
    await db().execute(sql`update event_watermark set published = ${cut - 1}`);
    expect(await purgeEvents(db(), 30)).toBeGreaterThan(0);
    expect(await feed(0)).toEqual(everything.filter(([seq]) => seq! >= cut));
    while ((await publishEvents(db())) > 0);
    await purgeEvents(db(), 30);
    expect(await feed(0)).toEqual(everything.filter(([seq]) => seq! > cut));
    // The outbox rows before it are gone, the ledger rows are not; an old cursor reads on.
    expect(
      rowsOf<{ n: number }>(
        await db().execute(sql`select count(*)::int as n from events where seq <= ${cut}`),
      )[0]!.n,
    ).toBe(0);
    expect(await ledgerRows()).toBe(ledgerBefore);
    expect(await feed(Number(written[0]!.seq))).toEqual([[Number(written[3]!.seq), "webhook.test"]]);
    expect(await purgeEvents(db(), 30)).toBe(0);
    expect(invariantProblems(await checkInvariants(queryOf(db())))).toEqual([]);
  });
  it.skipIf(backend !== "postgres")(
    "does not publish the event of the only open writer, whose id is the newest (no snapshot lists it)",
    async () => {
      const writer = await connectPostgres(scratch.url!);
      try {
        await writer.query("begin");
        const [{ seq }] = (
          await writer.query(`select seq from (${APPLY_STOCK_SQL}) o`, [
            changesJson([[{ productId: Q, storeId: "a", kind: "adjustment", delta: 1, reason: "received" }]]),
          ])
        ).rows as Array<{ seq: string }>;
        for (let i = 0; i < 3; i++) await publishEvents(db());
        const published = async () =>
          Number(
            rowsOf<{ p: number }>(await db().execute(sql`select published as p from event_watermark`))[0]!.p,
          );
        expect(await published()).toBeLessThan(Number(seq));
        await writer.query("commit");
        while ((await published()) < Number(seq)) await publishEvents(db());
        expect((await fresh()).map((r) => [r.type, r.data.delta])).toEqual([["stock.changed", 1]]);
      } finally {
        await writer.end();
      }
    },
  );
});
