import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { QueryFn } from "../src/backup";
import type { Db } from "../src/client";
import {
  apiKeys,
  idempotencyKeys,
  products,
  reservations,
  shipmentLines,
  shipmentReceipts,
  shipments,
} from "../src/schema";
import { seedDemo } from "../src/seed";
import { applyStockOperations, transferOperation } from "../src/stock-changes";

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `stockroom-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The demo seed plus the awkward cases a dump has to carry: a transfer (two legs sharing
 * a transfer_id), text with quotes, tabs, newlines, backslashes and non-ASCII, NULLs, a
 * soft-deleted product, an API key, an idempotency record with JSONB, a reservation holding
 * units and a shipment partly received (units on hand, rejected and still in transit).
 */
export async function seedLedger(db: Db): Promise<void> {
  await seedDemo(db);
  const [key] = await db
    .insert(apiKeys)
    .values({ name: "backup test", role: "admin", prefix: "sk_live_abc", hash: "a".repeat(64) })
    .returning();
  await db.insert(idempotencyKeys).values({
    apiKeyId: key!.id,
    key: "idem-1",
    fingerprint: "f".repeat(64),
    procedure: "inventory.transfer",
    status: 201,
    response: { note: 'quote " and \\ backslash', nested: [1, 2, { ü: "ñ" }] },
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const [odd] = await db
    .insert(products)
    .values({
      sku: "ODD-1",
      name: "Tab\there, 'quotes', \"double\", back\\slash, newline\nand ünïcödé ✓",
      description: null,
      category: "tools",
      price: "0.01",
    })
    .returning();
  await db.insert(products).values({
    sku: "GONE-1",
    name: "Deleted product",
    category: "tools",
    price: "99999999.99",
    deletedAt: new Date("2024-01-02T03:04:05.678Z"),
  });
  // A receipt of 20, then a transfer of 5 from store1 to store2, for the odd product: through
  // the one door, as the service writes them.
  const outcomes = await applyStockOperations(db, [
    [
      {
        productId: odd!.id,
        storeId: "store1",
        kind: "adjustment",
        delta: 20,
        minStock: 2,
        reason: "received",
      },
    ],
    transferOperation({
      productId: odd!.id,
      sourceStoreId: "store1",
      targetStoreId: "store2",
      quantity: 5,
      reference: "PO-1\\2\t3",
      transferId: randomUUID(),
      actor: key!.id,
    }),
  ]);
  if (outcomes.some((o) => !o.applied)) throw new Error("seedLedger: a stock change was refused");
  // A cart holding 3 of them at store1 (an open line, reserved 3 on the level), as the
  // reservation service writes it: the row, then the hold through the door.
  const reservationId = randomUUID();
  const expiresAt = new Date(Date.now() + 86_400_000);
  await db.insert(reservations).values({
    id: reservationId,
    storeId: "store1",
    reference: "cart 'quoted'",
    expiresAt,
    actor: key!.id,
  });
  const [held] = await applyStockOperations(db, [
    [
      {
        productId: odd!.id,
        storeId: "store1",
        kind: "adjustment",
        hold: "take",
        units: 3,
        reservationId,
        expiresAt: expiresAt.toISOString(),
      },
    ],
  ]);
  if (!held?.applied) throw new Error("seedLedger: the reservation's hold was refused");
  // A shipment of 4 from store1 to store2, as the shipment service writes it: shipped (out of
  // store1, into store2's incoming), then a receipt accepting 2 and rejecting 1 (1 in transit).
  const shipmentId = randomUUID();
  await db.insert(shipments).values({
    id: shipmentId,
    sourceStoreId: "store1",
    targetStoreId: "store2",
    status: "partially_received",
    reference: "truck 'seven'",
    actor: key!.id,
    shippedAt: new Date(),
  });
  await db
    .insert(shipmentLines)
    .values({ shipmentId, productId: odd!.id, quantity: 4, received: 2, rejected: 1 });
  const common = { productId: odd!.id, shipmentId, actor: key!.id } as const;
  const moved = await applyStockOperations(db, [
    [
      { ...common, storeId: "store1", kind: "transfer_out", delta: -4 },
      { ...common, storeId: "store2", kind: "transfer_in", transit: 4 },
    ],
    [{ ...common, storeId: "store2", kind: "transfer_in", delta: 2, transit: -3 }],
  ]);
  if (moved.some((o) => !o.applied)) throw new Error("seedLedger: the shipment was refused");
  const lines = [{ productId: odd!.id, accepted: 2, rejected: 1, reason: 'wet "box"' }];
  await db.insert(shipmentReceipts).values({ shipmentId, receiptId: "dock 1", lines, answer: { lines } });
}

/**
 * Every user table as an ordered checksum of its rows (plus the row count), every
 * sequence's position, and every index and constraint definition: two databases with the
 * same fingerprint hold the same data and the same schema.
 */
export async function fingerprint(query: QueryFn): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tables = await query<{ s: string; t: string }>(
    `select n.nspname as s, c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
      order by 1, 2`,
  );
  for (const { s, t } of tables) {
    const [row] = await query<{ n: string | number; h: string }>(
      `select count(*) as n, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as h from "${s}"."${t}" x`,
    );
    out[`table ${s}.${t}`] = `${row!.n} rows, md5 ${row!.h}`;
  }
  const seqs = await query<{ s: string; t: string }>(
    `select n.nspname as s, c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'S' and n.nspname not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  for (const { s, t } of seqs) {
    const [row] = await query<{ v: string; c: boolean }>(
      `select last_value::text as v, is_called as c from "${s}"."${t}"`,
    );
    out[`sequence ${s}.${t}`] = `${row!.v} ${row!.c}`;
  }
  const defs = await query<{ d: string }>(
    `select indexdef as d from pg_indexes where schemaname not in ('pg_catalog', 'information_schema')
     union all
     select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
       from pg_constraint where connamespace::regnamespace::text not in ('pg_catalog', 'information_schema')
     order by 1`,
  );
  out.definitions = defs.map((d) => d.d).join("\n");
  return out;
}
