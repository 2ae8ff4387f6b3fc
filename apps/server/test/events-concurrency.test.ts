import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { APPLY_STOCK_SQL, changesJson, EVENT_FEED_SQL } from "@stockroom/db";
import { connectPostgres, postgresUnavailableReason } from "@stockroom/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwoServers, type TwoServers } from "./two-servers";

// The feed's guarantee where it is hard: transactions that commit out of order, on real
// PostgreSQL, through two servers that both publish.
const skipReason = await postgresUnavailableReason();
if (skipReason)
  console.warn(`[stockroom tests] SKIPPING event feed concurrency tests (PostgreSQL only): ${skipReason}`);

const ADMIN = "sk_test_events_admin_0123456789";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON events, checked by the assertions
type Json = any;

describe.skipIf(skipReason !== null)("the event feed under concurrency on PostgreSQL", () => {
  let two: TwoServers;
  let call: TwoServers["call"];
  const clients: Array<Awaited<ReturnType<typeof connectPostgres>>> = [];
  /** The consumer: everything the feed handed out, in order, and where it stands. */
  const consumed: Json[] = [];
  let cursor = "0";

  beforeAll(async () => {
    // Both servers publish often, racing each other and the feed reads.
    two = await startTwoServers(ADMIN, {
      STOCKROOM_EVENT_PUBLISH_MS: "10",
      // Both servers deliver webhooks, racing for the same deliveries.
      STOCKROOM_WEBHOOK_POLL_MS: "10",
      STOCKROOM_WEBHOOK_ALLOW_PRIVATE: "true",
      STOCKROOM_WEBHOOK_RETRY_SCALE: "0.0001",
    });
    call = two.call;
    for (const id of ["e-a", "e-b"])
      expect((await call(0, "POST", "/api/stores", { id, name: id })).status).toBe(201);
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => {});
    await two?.close();
  });

  const product = async (sku: string) =>
    (await call(0, "POST", "/api/products", { sku, name: sku, category: "test", price: 1 })).body
      .id as string;
  /** A connection of its own, for a transaction the test holds open. */
  const connect = async () => {
    const c = await connectPostgres(two.url);
    clients.push(c);
    return c;
  };
  const receive = (productId: string, storeId: string, delta: number) =>
    changesJson([[{ productId, storeId, kind: "adjustment", delta, reason: "received" }]]);
  /** One page from alternating servers; answers how many events it brought. */
  const page = async (i: number) => {
    const r = await call(i, "GET", `/api/events?after=${cursor}&limit=100`);
    expect(r.status).toBe(200);
    consumed.push(...r.body.items);
    cursor = r.body.nextCursor ?? cursor;
    return r.body.items.length as number;
  };
  /** Pages until the feed has handed out `n` events in all (the publishers run every 10 ms). */
  const pageUntil = async (n: number) => {
    for (let i = 0; consumed.length < n; i++) if ((await page(i)) === 0) await sleep(20);
  };
  /** Each level's ledger rows in ledger order, keyed "<product> <store>". */
  const byLevel = (rows: Array<{ id: string; productId: string; storeId: string }>) => {
    const levels = new Map<string, string[]>();
    for (const r of rows) {
      const key = `${r.productId} ${r.storeId}`;
      levels.set(key, [...(levels.get(key) ?? []), r.id]);
    }
    return Object.fromEntries(levels);
  };
  const ledger = async () => {
    const db = await connect();
    const rows = await db.query(
      `select id, product_id as "productId", store_id as "storeId" from movements order by seq`,
    );
    await db.end();
    clients.pop();
    return byLevel(rows.rows);
  };
  const expectExactlyOnceInLedgerOrder = async () => {
    const ids = consumed.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = consumed.map((e) => e.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Every ledger row once, each level's in its ledger order.
    const changed = consumed
      .filter((e) => e.type === "stock.changed")
      .map((e) => ({ id: e.data.movementId, productId: e.data.productId, storeId: e.data.storeId }));
    expect(byLevel(changed)).toEqual(await ledger());
  };

  it("holds back later commits while an earlier transaction that wrote an event is open, then gives all once", async () => {
    const held = await product("HELD");
    const later = await product("LATER");
    await pageUntil(0);
    const open = await connect();
    await open.query("begin");
    await open.query(APPLY_STOCK_SQL, [receive(held, "e-a", 5)]);
    for (let i = 0; i < 6; i++)
      expect(
        (
          await call(i, "POST", "/api/inventory/adjustments", {
            productId: later,
            storeId: "e-b",
            delta: 1,
            reason: "received",
          })
        ).status,
      ).toBe(201);
    // Pages taken now (both servers publishing meanwhile) must not hand out the six: the held
    // transaction would then commit an event before them, and a consumer past them would miss it.
    for (let i = 0; i < 6; i++) {
      await page(i);
      await sleep(15);
    }
    expect(consumed).toEqual([]);
    await open.query("commit");
    await pageUntil(7);
    expect(consumed.map((e) => [e.data.productId, e.data.quantity])).toEqual([
      [held, 5],
      ...[1, 2, 3, 4, 5, 6].map((q) => [later, q]),
    ]);
    await expectExactlyOnceInLedgerOrder();
  });

  it("keeps a level's ledger order when the lock's waiter started first and an older transaction is still open", async () => {
    const p = await product("WAITER");
    await call(0, "POST", "/api/inventory/adjustments", {
      productId: p,
      storeId: "e-a",
      delta: 1,
      reason: "received",
    });
    await pageUntil(consumed.length + 1);
    const before = consumed.length;
    const [waiter, older, holder] = [await connect(), await connect(), await connect()];
    // The waiter takes a transaction id first, then an unrelated transaction, then the holder.
    await waiter.query("begin");
    await waiter.query("select pg_current_xact_id()");
    await older.query("begin");
    await older.query("select pg_current_xact_id()");
    await holder.query("begin");
    await holder.query(APPLY_STOCK_SQL, [receive(p, "e-a", 1)]);
    // The waiter queues behind the holder's lock on the level.
    const waiting = waiter.query(APPLY_STOCK_SQL, [receive(p, "e-a", 2)]);
    await sleep(50);
    await holder.query("commit");
    await waiting;
    await waiter.query("commit");
    // Now the waiter (older id, later on the ledger) is finished and the holder (newer id) is
    // committed but newer than the still open transaction: neither may go out before the other.
    for (let i = 0; i < 4; i++) {
      await page(i);
      await sleep(15);
    }
    expect(consumed.length).toBe(before);
    await older.query("commit");
    await pageUntil(before + 2);
    expect(consumed.slice(before).map((e) => e.data.quantity)).toEqual([2, 4]);
    await expectExactlyOnceInLedgerOrder();
  });

  it("gives every ledger row's event exactly once to a consumer paging during a concurrent load", async () => {
    const products = [await product("LOAD-1"), await product("LOAD-2"), await product("LOAD-3")];
    for (const p of products)
      await call(0, "POST", "/api/inventory/adjustments", {
        productId: p,
        storeId: "e-a",
        delta: 500,
        reason: "received",
      });
    let writing = true;
    const consumer = (async () => {
      for (let i = 0; writing; i++) if ((await page(i)) === 0) await sleep(5);
    })();
    const replies = await Promise.all(
      Array.from({ length: 240 }, (_, i) => {
        const p = products[i % 3]!;
        return i % 2 === 0
          ? call(i, "POST", "/api/inventory/transfer", {
              productId: p,
              sourceStoreId: i % 4 === 0 ? "e-a" : "e-b",
              targetStoreId: i % 4 === 0 ? "e-b" : "e-a",
              quantity: 1 + (i % 3),
            })
          : call(i, "POST", "/api/inventory/adjustments", {
              productId: p,
              storeId: "e-a",
              delta: -1,
              reason: "sold",
            });
      }),
    );
    writing = false;
    await consumer;
    expect(
      replies.every((r) => r.status === 201 || (r.status === 409 && r.body.code === "INSUFFICIENT_STOCK")),
    ).toBe(true);
    expect(await two.invariants()).toEqual([]);
    const counter = await connect();
    const counted = await counter.query(`select count(*)::int as n from ${EVENT_FEED_SQL}`);
    await pageUntil(Number(counted.rows[0].n));
    await expectExactlyOnceInLedgerOrder();
  });

  it("two servers delivering webhooks send each event once to a receiver that always answers, one product in order", async () => {
    const got: Json[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        got.push(JSON.parse(body));
        // Every fifth request fails once: its retry must not overtake or duplicate anything.
        res.writeHead(got.length % 5 === 0 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
      const hook = await call(0, "POST", "/api/webhooks", { url, events: ["stock.changed"] });
      expect(hook.status).toBe(201);
      const p = await product("HOOKED");
      const replies = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          call(i, "POST", "/api/inventory/adjustments", {
            productId: p,
            storeId: "e-a",
            delta: 1,
            reason: "received",
          }),
        ),
      );
      expect(replies.every((r) => r.status === 201)).toBe(true);
      const delivered = async () =>
        (await call(0, "GET", `/api/webhooks/${hook.body.id}/deliveries?status=delivered&limit=100`)).body
          .total;
      while ((await delivered()) < 60) await sleep(50);
      const ok = new Map<string, number>();
      // Successful sends (the receiver answered 200) per event id: exactly one each.
      got.forEach((e, i) => {
        if ((i + 1) % 5 !== 0) ok.set(e.id, (ok.get(e.id) ?? 0) + 1);
      });
      expect(ok.size).toBe(60);
      expect([...ok.values()].every((n) => n === 1)).toBe(true);
      // One product: the quantities arrive in ledger order (a failed send is retried before the next).
      const firsts = [...new Map(got.map((e) => [e.id, e.data.quantity])).values()];
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
