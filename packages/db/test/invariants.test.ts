import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "../src/index";
import { checkInvariants, invariantProblems, queryOf } from "../src/invariants";
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
