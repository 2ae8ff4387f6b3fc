import { createDatabase, rowsOf, sql } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends } from "./helpers";

const backends = await testBackends();

/**
 * The incremental audit checks only the levels with movements after its watermark; the full
 * audit checks every level. Odd states are written straight into the tables, as a bug or a
 * hand edit would leave them.
 */
describe.each(backends)("incremental ledger audit on %s", (backend) => {
  let t: TestApp;
  const products: string[] = [];

  beforeAll(async () => {
    t = await createTestApp(backend);
    await t.rest("POST", "/api/stores", { body: { id: "au", name: "Audit store" } });
    for (const sku of ["AU-1", "AU-2", "AU-3"]) {
      const p = await t.rest("POST", "/api/products", {
        body: { sku, name: sku, category: "audit", price: 1 },
      });
      products.push(p.body.id);
      const r = await adjust(p.body.id, 10);
      expect(r.status, r.text).toBe(201);
    }
  });
  afterAll(() => t?.close());

  const adjust = (productId: string, delta: number) =>
    t.rest("POST", "/api/inventory/adjustments", {
      body: { productId, storeId: "au", delta, reason: delta > 0 ? "received" : "sold" },
    });
  const audit = async (query = "") => {
    const reply = await t.rest("GET", `/api/inventory/audit${query}`);
    expect(reply.status, reply.text).toBe(200);
    return reply.body;
  };
  const exec = (text: string) => t.database.db.execute(sql.raw(text));

  it("first run checks every level with movements and sets the watermark at the ledger's end", async () => {
    const max = rowsOf<{ max: number }>(await exec("select max(seq)::int as max from movements"))[0]!.max;
    const first = await audit();
    expect(first).toMatchObject({
      mode: "incremental",
      checkedLevels: 3,
      discrepancies: [],
      checkedFromSeq: 0,
      checkedToSeq: max,
      watermark: max,
    });
    expect(new Date(first.verifiedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Nothing changed since: nothing to check, the watermark stays.
    expect(await audit()).toMatchObject({
      mode: "incremental",
      checkedLevels: 0,
      watermark: max,
      checkedFromSeq: max,
    });
  });

  it("after the watermark only the levels that moved are checked", async () => {
    const before = (await audit()).watermark as number;
    expect((await adjust(products[0]!, -3)).status).toBe(201);
    const run = await audit();
    expect(run).toMatchObject({ checkedLevels: 1, discrepancies: [], checkedFromSeq: before });
    expect(run.watermark).toBeGreaterThan(before);
  });

  it("a discrepancy before the watermark is found only by the full audit", async () => {
    const watermark = (await audit()).watermark as number;
    // A level edited without a movement: its ledger rows all lie before the watermark.
    await exec(`update stock_levels set quantity = quantity + 5 where product_id = '${products[1]}'`);
    try {
      expect(await audit()).toMatchObject({
        mode: "incremental",
        checkedLevels: 0,
        discrepancies: [],
        watermark,
      });
      const full = await audit("?full=true");
      expect(full).toMatchObject({
        mode: "full",
        checkedFromSeq: 0,
        discrepancies: [{ productId: products[1], storeId: "au", quantity: 15, ledgerSum: 10 }],
        // Not clean: the verified point stays where it was.
        watermark,
      });
      expect(full.checkedLevels).toBeGreaterThanOrEqual(3);
    } finally {
      await exec(`update stock_levels set quantity = quantity - 5 where product_id = '${products[1]}'`);
    }
    expect(await audit("?full=true")).toMatchObject({ mode: "full", discrepancies: [] });
  });

  it("a discrepancy after the watermark is found by the incremental audit, and again until it is corrected", async () => {
    const watermark = (await audit()).watermark as number;
    // A ledger row with no change of its level.
    await exec(`insert into movements (product_id, store_id, kind, delta, quantity_after, reason)
      values ('${products[2]}', 'au', 'adjustment', 4, 14, 'received')`);
    const wrong = [{ productId: products[2], storeId: "au", quantity: 10, ledgerSum: 14 }];
    const first = await audit();
    expect(first).toMatchObject({ mode: "incremental", checkedLevels: 1, discrepancies: wrong, watermark });
    expect(first.checkedToSeq).toBeGreaterThan(watermark);
    expect(await audit()).toMatchObject({ discrepancies: wrong, watermark });
    // Corrected by the count it was missing: the next run is clean and moves on.
    await exec(`update stock_levels set quantity = 14 where product_id = '${products[2]}'`);
    await exec(`update products set total_quantity = 14 where id = '${products[2]}'`);
    const fixed = await audit();
    expect(fixed).toMatchObject({ discrepancies: [], checkedLevels: 1 });
    expect(fixed.watermark).toBe(first.checkedToSeq);
  });

  it.skipIf(backend !== "postgres")(
    "waits for a writer still holding a lower seq, so its row is checked before the watermark passes it",
    async () => {
      const other = await createDatabase({ url: t.url!, poolSize: 1 });
      try {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let inserted!: () => void;
        const didInsert = new Promise<void>((r) => (inserted = r));
        // A writer takes a seq and has not committed yet...
        const writer = other.db.transaction(async (tx) => {
          await tx.execute(
            sql.raw(`insert into movements (product_id, store_id, kind, delta, quantity_after, reason)
              values ('${products[1]}', 'au', 'adjustment', 2, 12, 'received')`),
          );
          inserted();
          await gate;
        });
        await didInsert;
        // ...while a later seq commits.
        expect((await adjust(products[0]!, 1)).status).toBe(201);
        const auditing = audit();
        await new Promise((r) => setTimeout(r, 300));
        release();
        await writer;
        const run = await auditing;
        expect(run.discrepancies).toEqual([
          { productId: products[1], storeId: "au", quantity: 10, ledgerSum: 12 },
        ]);
      } finally {
        await other.close();
        await exec(`update stock_levels set quantity = 12 where product_id = '${products[1]}'`);
        await exec(`update products set total_quantity = 12 where id = '${products[1]}'`);
      }
      expect(await audit()).toMatchObject({ discrepancies: [] });
    },
  );

  it("full=true is admin only, like the audit, and must be a boolean", async () => {
    expectProblem(
      await t.rest("GET", "/api/inventory/audit?full=true", { key: t.keys.manager }),
      403,
      "FORBIDDEN",
    );
    const bad = await t.rest("GET", "/api/inventory/audit?full=maybe");
    expectProblem(bad, 400, "VALIDATION_FAILED");
    expect(bad.body.issues[0].path).toBe("full");
  });
});

describe.each(backends.filter((b) => b === "postgres"))("the audit's own timeout on %s", (backend) => {
  let t: TestApp;
  afterAll(() => t?.close());

  // A full audit reads the whole ledger, so it runs under STOCKROOM_AUDIT_TIMEOUT_MS rather
  // than the statement timeout every other query has; the run's connection gets it, not the pool.
  it("cuts a full audit at the audit timeout with 503, answers it under a longer one, and leaves the pool as it was", async () => {
    t = await createTestApp(backend);
    await t.rest("POST", "/api/stores", { body: { id: "at", name: "Audit timeout store" } });
    const p = await t.rest("POST", "/api/products", {
      body: { sku: "AT-1", name: "AT-1", category: "audit", price: 1 },
    });
    expect(
      (
        await t.rest("POST", "/api/inventory/adjustments", {
          body: { productId: p.body.id, storeId: "at", delta: 10, reason: "received" },
        })
      ).status,
    ).toBe(201);
    // 300,000 more ledger rows on that level that add up to nothing: +5 received, -5 sold. Not
    // under the pool's 10 s statement timeout: on a busy CI machine the insert can take longer.
    await t.database.longRunning(300_000, (db) =>
      db.execute(
        sql.raw(`insert into movements (product_id, store_id, kind, delta, quantity_after, reason)
         select '${p.body.id}', 'at', 'adjustment', case when i % 2 = 0 then 5 else -5 end,
                case when i % 2 = 0 then 15 else 10 end, case when i % 2 = 0 then 'received' else 'sold' end
         from generate_series(0, 299999) i`),
      ),
    );
    t.runtime.auditTimeoutMs = 20;
    const cut = await t.rest("GET", "/api/inventory/audit?full=true");
    expectProblem(cut, 503, "UNAVAILABLE");
    expect(cut.body.detail).toContain("STOCKROOM_AUDIT_TIMEOUT_MS (20 ms)");
    t.runtime.auditTimeoutMs = 20_000;
    const full = await t.rest("GET", "/api/inventory/audit?full=true");
    expect(full.status, full.text).toBe(200);
    expect(full.body).toMatchObject({ mode: "full", checkedLevels: 1, discrepancies: [] });
    const [setting] = rowsOf<{ t: string }>(
      await t.database.db.execute(sql`select current_setting('statement_timeout') as t`),
    );
    expect(setting!.t).toBe("10s");
  });
});
