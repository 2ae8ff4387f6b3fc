import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "../src/index";
import { checkInvariants, invariantProblems, ledgerAudit, ledgerSumsSql, queryOf } from "../src/invariants";
import { createTestDatabase, type ScratchDatabase, testBackends } from "../src/testing";
import { seedLedger } from "./backup-helpers";

/**
 * The shipment invariants catch what they are for: a level whose incoming drifts from what is
 * in transit towards it, and a shipment line whose counts drift from its ledger rows. (That
 * the service never breaks them is what the server's shipment tests show.)
 */
const backends = await testBackends();

describe.each(backends)("shipment invariants (%s)", (backend) => {
  let scratch: ScratchDatabase;
  const run = (q: ReturnType<typeof sql>) => scratch.database.db.execute(q);
  const report = () => checkInvariants(queryOf(scratch.database.db));

  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    await seedLedger(scratch.database.db);
  });
  afterAll(() => scratch?.drop());

  it("hold on a database with a shipment partly received", async () => {
    const r = await report();
    expect(invariantProblems(r)).toEqual([]);
    expect(r.shipmentErrors).toBe(0);
  });

  it("name a level whose incoming is not what is in transit towards it", async () => {
    await run(sql`update stock_levels set incoming = incoming + 2 where incoming > 0`);
    const r = await report();
    expect(r.incomingDiscrepancies).toEqual([
      expect.objectContaining({ storeId: "store2", incoming: 3, inTransit: 1 }),
    ]);
    expect(invariantProblems(r)).toEqual([
      expect.stringMatching(
        /^shipments: product .* in store store2 has 3 incoming but 1 in transit towards it$/,
      ),
    ]);
    await run(sql`update stock_levels set incoming = incoming - 2 where incoming > 0`);
  });

  it("count a line whose received units are not its ledger's", async () => {
    await run(sql`update shipment_lines set received = received - 1, lost = 1`);
    const r = await report();
    // The line disagrees with its transfer_in rows and a partly received shipment lost units.
    expect(r.shipmentErrors).toBe(1);
    await run(sql`update shipment_lines set received = received + 1, lost = 0`);
    expect(invariantProblems(await report())).toEqual([]);
  });
});

describe.each(backends)("ledger sums over a seq range (%s)", (backend) => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    await seedLedger(scratch.database.db);
  });
  afterAll(() => scratch?.drop());

  it("a few new rows (summed level by level) and most of the ledger (aggregated) find the same broken levels", async () => {
    const query = queryOf(scratch.database.db);
    const [{ max }] = (await query<{ max: string }>("select max(seq)::text as max from movements")) as [
      { max: string },
    ];
    const levels = await query<{ product_id: string; store_id: string }>(
      `select product_id::text as product_id, store_id from movements
        group by product_id, store_id order by 1, 2 limit 2`,
    );
    const [a, b] = levels as [(typeof levels)[0], (typeof levels)[0]];
    const level = (l: typeof a) => `product_id = '${l.product_id}' and store_id = '${l.store_id}'`;
    // Both levels one unit off their ledger; only `a` moves after the current end of the ledger.
    await query(`update stock_levels set quantity = quantity + 1 where (${level(a)}) or (${level(b)})`);
    await query(
      `insert into movements (product_id, store_id, kind, delta, quantity_after, reason)
       select product_id, store_id, 'adjustment', 2, quantity + 2, 'received' from stock_levels where ${level(a)}`,
    );
    await query(`update stock_levels set quantity = quantity + 2 where ${level(a)}`);
    const upTo = Number(max) + 1;
    const broken = async (text: string) =>
      (await query<{ product_id: string; store_id: string }>(text)).map(
        (r) => `${r.product_id} ${r.store_id}`,
      );
    const narrow = ledgerSumsSql({ after: Number(max), upTo });
    expect(narrow).toContain("touched");
    const wide = ledgerSumsSql({ after: 0, upTo });
    expect(wide).not.toContain("touched");
    expect(await broken(narrow)).toEqual([`${a.product_id} ${a.store_id}`]);
    const both = [`${a.product_id} ${a.store_id}`, `${b.product_id} ${b.store_id}`].sort();
    expect(await broken(wide)).toEqual(both);
    expect(await broken(ledgerSumsSql())).toEqual(both);
  });
});

describe.each(backends)("the audit's reserved check (%s)", (backend) => {
  let scratch: ScratchDatabase;
  const run = (q: ReturnType<typeof sql>) => scratch.database.db.execute(q);
  const reserved = async () =>
    (await ledgerAudit(queryOf(scratch.database.db), { after: 0, upTo: 0 })).reservedDiscrepancies.map(
      (d) => ({ storeId: d.storeId, reserved: d.reserved, held: d.held }),
    );
  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    await seedLedger(scratch.database.db);
  });
  afterAll(() => scratch?.drop());

  // It reads only the levels that hold units and the open lines (two partial indexes): each way
  // a level can disagree with its lines must still be found from one side or the other.
  it("finds a level that lost its hold, one that holds too much, and one that holds with no line", async () => {
    expect(await reserved()).toEqual([]);
    await run(sql`update stock_levels set reserved = 0 where reserved = 3`);
    expect(await reserved()).toEqual([{ storeId: "store1", reserved: 0, held: 3 }]);
    await run(sql`update stock_levels set reserved = 4 where store_id = 'store1' and reserved = 0 and quantity >= 4
                   and product_id in (select product_id from reservation_lines where open)`);
    expect(await reserved()).toEqual([{ storeId: "store1", reserved: 4, held: 3 }]);
    await run(sql`update stock_levels set reserved = 3 where reserved = 4`);
    const [free] = (await queryOf(scratch.database.db)<{ product_id: string; store_id: string }>(
      `select product_id::text as product_id, store_id from stock_levels
        where reserved = 0 and quantity >= 2 order by product_id, store_id limit 1`,
    )) as [{ product_id: string; store_id: string }];
    await run(sql`update stock_levels set reserved = 2
                   where product_id = ${free.product_id} and store_id = ${free.store_id}`);
    expect(await reserved()).toEqual([{ storeId: free.store_id, reserved: 2, held: 0 }]);
    await run(sql`update stock_levels set reserved = 0
                   where product_id = ${free.product_id} and store_id = ${free.store_id}`);
    expect(await reserved()).toEqual([]);
  });
});
