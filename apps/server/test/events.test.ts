import { expireDueReservations } from "@stockroom/api";
import { checkInvariants, invariantProblems, queryOf, sql } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addKey, createTestApp, expectProblem, publishAll, type TestApp, testBackends } from "./helpers";

const backends = await testBackends();
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON events, checked by the assertions
type Json = any;

/** Reads Server-Sent Events frames (the text between blank lines) until `enough` says so. */
async function readFrames(res: Response, enough: (frames: string[]) => boolean): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const frames = text.split("\n\n").slice(0, -1);
      if (enough(frames)) return frames;
      const { value, done } = await reader.read();
      if (done) return frames;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
}
const events = (frames: string[]) =>
  frames
    .filter((f) => f.startsWith("id: "))
    .map((f) => ({ id: f.split("\n")[0]!.slice(4), event: JSON.parse(f.split("\n")[1]!.slice(6)) }));

describe.each(backends)("the event feed on %s", (backend) => {
  let t: TestApp;
  let hammer: string;
  let wire: string;
  let cursor: string | undefined;

  beforeAll(async () => {
    t = await createTestApp(backend, { eventStream: { pollMs: 20, heartbeatMs: 50 } });
    for (const id of ["a", "b"]) await t.rest("POST", "/api/stores", { body: { id, name: `Store ${id}` } });
    const product = async (sku: string) =>
      (await t.rest("POST", "/api/products", { body: { sku, name: sku, category: "tools", price: 5 } })).body
        .id as string;
    hammer = await product("HAM");
    wire = await product("WIRE");
  });
  afterAll(() => t?.close());

  /**
   * Waits until every event written so far is published: on PostgreSQL the frontier also
   * waits for transactions running meanwhile (autovacuum's, say).
   */
  const settled = () => publishAll(t.database);

  /** Every event published since the last call, paging with `after` in small pages. */
  async function drain(query = ""): Promise<Json[]> {
    await settled();
    const seen: Json[] = [];
    for (;;) {
      const page = await t.rest("GET", `/api/events?limit=3${cursor ? `&after=${cursor}` : ""}${query}`, {
        key: t.keys.viewer,
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      if (page.body.items.length === 0) {
        expect(page.body.nextCursor).toBe(cursor ?? null);
        return seen;
      }
      cursor = page.body.nextCursor;
      expect(cursor).toBe(String(page.body.items.at(-1).sequence));
    }
  }
  const adjust = (productId: string, delta: number, storeId = "a") =>
    t.rest("POST", "/api/inventory/adjustments", {
      body: { productId, storeId, delta, reason: delta > 0 ? "received" : "sold" },
      key: t.keys.clerk,
    });

  it("gives each change's events once, oldest first, with the level as the change left it", async () => {
    expect(await drain()).toEqual([]);
    const received = await adjust(hammer, 10);
    await t.rest("PUT", `/api/stores/a/inventory/${hammer}`, { body: { minStock: 4 } });
    const sold = await adjust(hammer, -7);
    const transfer = await t.rest("POST", "/api/inventory/transfer", {
      body: { productId: hammer, sourceStoreId: "a", targetStoreId: "b", quantity: 2 },
    });
    const events = await drain();
    expect(events.map((e) => e.type)).toEqual([
      "stock.changed",
      "stock.changed",
      "stock.low",
      "stock.changed",
      "stock.changed",
    ]);
    expect(events.map((e) => e.sequence)).toEqual([...events.map((e) => e.sequence)].sort((x, y) => x - y));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events[0]).toMatchObject({
      type: "stock.changed",
      data: {
        movementId: received.body.movement.id,
        productId: hammer,
        storeId: "a",
        kind: "adjustment",
        delta: 10,
        reason: "received",
        quantity: 10,
        reserved: 0,
        available: 10,
        transferId: null,
      },
    });
    expect(events[2].data).toMatchObject({ movementId: sold.body.movement.id, available: 3, minStock: 4 });
    expect(events.slice(3).map((e) => [e.data.storeId, e.data.delta, e.data.transferId])).toEqual([
      ["a", -2, transfer.body.transferId],
      ["b", 2, transfer.body.transferId],
    ]);
    expect(Date.parse(events[0].createdAt)).toBeGreaterThan(0);
  });

  it("writes nothing for a refused change", async () => {
    expectProblem(await adjust(wire, -1), 409, "INSUFFICIENT_STOCK");
    const stale = await t.rest("PUT", `/api/stores/a/inventory/${hammer}`, {
      body: { quantity: 50, expectedQuantity: 999 },
    });
    expectProblem(stale, 409, "STALE_QUANTITY");
    expect(await drain()).toEqual([]);
  });

  it("reports each reservation transition once, and a hold's crossing of the minimum", async () => {
    await adjust(hammer, 10);
    await drain();
    const hold = (quantity: number) =>
      t.rest("POST", "/api/reservations", {
        body: { storeId: "a", lines: [{ productId: hammer, quantity }] },
        key: t.keys.clerk,
      });
    const a = await hold(9);
    const b = await hold(1);
    await t.rest("POST", `/api/reservations/${a.body.id}/commit`, {
      body: { lines: [{ productId: hammer, quantity: 2 }] },
    });
    await t.rest("POST", `/api/reservations/${b.body.id}/release`);
    const events = await drain();
    // The commit sells 2 of the 9 held and releases the other 7: available 1 → 8, back over 4.
    expect(events.map((e) => e.type)).toEqual([
      "stock.low",
      "reservation.created",
      "reservation.created",
      "stock.changed",
      "stock.restored",
      "reservation.committed",
      "reservation.released",
    ]);
    expect(events[1].data).toMatchObject({ id: a.body.id, status: "active", storeId: "a" });
    expect(events[3].data).toMatchObject({ reservationId: a.body.id, delta: -2, reserved: 1, quantity: 9 });
    expect(events[5].data).toMatchObject({ id: a.body.id, status: "committed" });

    const c = await hold(1);
    await t.database.db.execute(
      sql`update reservations set expires_at = now() - interval '1 second' where id = ${c.body.id}`,
    );
    await expireDueReservations(t.database.db);
    await expireDueReservations(t.database.db);
    const expired = (await drain()).filter((e) => e.type === "reservation.expired");
    expect(expired.map((e) => [e.data.id, e.data.status])).toEqual([[c.body.id, "expired"]]);
  });

  it("filters by type, product and store, on the same cursor", async () => {
    await settled();
    const all = await t.rest("GET", "/api/events?limit=100");
    const lows = await t.rest("GET", "/api/events?limit=100&types=stock.low,stock.restored");
    expect(lows.body.items.map((e: Json) => e.sequence)).toEqual(
      all.body.items
        .filter((e: Json) => e.type.startsWith("stock.") && e.type !== "stock.changed")
        .map((e: Json) => e.sequence),
    );
    const inB = await t.rest("GET", `/api/events?limit=100&storeId=b&productId=${hammer}`);
    expect(inB.body.items.map((e: Json) => e.data.storeId)).toEqual(["b"]);
    const after = all.body.items[2].sequence;
    const rest = await t.rest("GET", `/api/events?limit=100&after=${after}`);
    expect(rest.body.items[0].sequence).toBe(all.body.items[3].sequence);
  });

  it("refuses bad parameters with VALIDATION_FAILED and keys below viewer", async () => {
    expectProblem(await t.rest("GET", "/api/events?types=stock.gone"), 400, "VALIDATION_FAILED");
    expectProblem(await t.rest("GET", "/api/events?after=-1"), 400, "VALIDATION_FAILED");
    expectProblem(await t.rest("GET", "/api/events?limit=101"), 400, "VALIDATION_FAILED");
    expectProblem(await t.rest("GET", "/api/events", { key: null }), 401, "UNAUTHORIZED");
    const trpc = await t.trpc("query", "events.list", { limit: 1 });
    expect(trpc.status).toBe(200);
  });

  it("streams the feed as Server-Sent Events, resuming after Last-Event-ID, with heartbeats", async () => {
    await settled();
    const feed = (await t.rest("GET", "/api/events?limit=100")).body.items as Json[];
    const resumeAfter = feed.at(-3)!.sequence;
    const res = await t.app.request("/api/events/stream", {
      headers: { authorization: `Bearer ${t.keys.viewer}`, "last-event-id": String(resumeAfter) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    let wrote = false;
    const frames = await readFrames(res, (frames) => {
      const got = events(frames);
      // Once the two stored events arrived, make a change while the stream is open.
      if (got.length === 2 && !wrote) {
        wrote = true;
        void adjust(wire, 3);
      }
      return got.length >= 3 && frames.some((f) => f === ": heartbeat");
    });
    const got = events(frames);
    expect(got.slice(0, 2).map((e) => e.event)).toEqual(feed.slice(-2));
    expect(got.map((e) => e.id)).toEqual(got.map((e) => String(e.event.sequence)));
    expect(got[2]!.event).toMatchObject({ type: "stock.changed", data: { productId: wire, delta: 3 } });
    // `after` does the same as Last-Event-ID, filters apply.
    const filtered = await t.app.request(
      `/api/events/stream?after=${resumeAfter}&types=stock.changed&productId=${wire}`,
      {
        headers: { authorization: `Bearer ${t.keys.viewer}` },
      },
    );
    const only = events(await readFrames(filtered, (f) => events(f).length >= 1));
    expect(only.map((e) => e.event.data.delta)).toEqual([3]);
  });

  it("refuses a stream as the feed refuses a read", async () => {
    expectProblem(await t.rest("GET", "/api/events/stream", { key: null }), 401, "UNAUTHORIZED");
    expectProblem(await t.rest("GET", "/api/events/stream?types=nope"), 400, "VALIDATION_FAILED");
    expectProblem(
      await t.rest("GET", "/api/events/stream", { headers: { "last-event-id": "x" } }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("answers HEAD with the stream's status and headers, and opens no stream", async () => {
    const head = (query: string) =>
      t.app.request(`/api/events/stream${query}`, {
        method: "HEAD",
        headers: { authorization: `Bearer ${t.keys.viewer}` },
      });
    const ok = await head("");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await ok.text()).toBe("");
    expect((await head("?types=nope")).status).toBe(400);
  });

  it("keeps every ledger row matched by one stock.changed event", async () => {
    expect(invariantProblems(await checkInvariants(queryOf(t.database.db)))).toEqual([]);
  });
});

describe.each(backends)("open event streams on %s", (backend) => {
  let t: TestApp;
  let bolt: string;

  beforeAll(async () => {
    // A heartbeat far away: what an idle stream costs is what it reads between heartbeats.
    t = await createTestApp(backend, { eventStream: { pollMs: 20, heartbeatMs: 60_000 }, keyCacheTtlMs: 0 });
    await t.rest("POST", "/api/stores", { body: { id: "s", name: "S" } });
    const created = await t.rest("POST", "/api/products", {
      body: { sku: "BOLT", name: "Bolt", category: "tools", price: 1 },
    });
    bolt = created.body.id;
    await t.rest("POST", "/api/inventory/adjustments", {
      body: { productId: bolt, storeId: "s", delta: 5, reason: "received" },
    });
  });
  afterAll(() => t?.close());

  /** The feed's last sequence, once everything written is published. */
  async function feedEnd(): Promise<string> {
    await publishAll(t.database);
    let end = "0";
    for (;;) {
      const page = await t.rest("GET", `/api/events?limit=100&after=${end}`);
      if (page.body.items.length === 0) return end;
      end = page.body.nextCursor;
    }
  }
  const sell = (units: number) =>
    t.rest("POST", "/api/inventory/adjustments", {
      body: { productId: bolt, storeId: "s", delta: -units, reason: "sold" },
      key: t.keys.clerk,
    });

  it("share one frontier read a tick while idle, and read the feed once each when something is published", async () => {
    const end = await feedEnd();
    const counts = { opened: 0, closed: 0, read: 0 };
    t.runtime.hooks.eventStream = (what) => {
      counts[what] += 1;
    };
    const streams = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.request(`/api/events/stream?after=${end}&types=stock.changed`, {
          headers: { authorization: `Bearer ${t.keys.viewer}` },
        }),
      ),
    );
    const frames = streams.map((res) => readFrames(res, (f) => events(f).length >= 1));
    // Polling the feed per stream, as before, made 10 streams x 25 ticks = 250 reads here.
    await new Promise((r) => setTimeout(r, 500));
    expect(counts.opened).toBe(10);
    expect(counts.read).toBeLessThanOrEqual(10);

    const readsBefore = counts.read;
    expect((await sell(2)).status).toBe(201);
    for (const got of await Promise.all(frames))
      expect(events(got).map((e) => e.event.data)).toEqual([
        expect.objectContaining({ productId: bolt, delta: -2, quantity: 3 }),
      ]);
    // One read a stream brought the change (a second if a tick fell between the commit and
    // its publication); the streams did not each poll meanwhile.
    expect(counts.read - readsBefore).toBeGreaterThanOrEqual(10);
    expect(counts.read - readsBefore).toBeLessThanOrEqual(20);
    await expect.poll(() => counts.closed).toBe(10);
  });

  it("ends a stream whose key is revoked, at its next read, without sending what it may no longer see", async () => {
    const end = await feedEnd();
    const { id, secret } = await addKey(t.database, "viewer", "revoked while streaming");
    const res = await t.app.request(`/api/events/stream?after=${end}`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(200);
    expect((await t.rest("DELETE", `/api/keys/${id}`)).status).toBe(204);
    expect((await sell(1)).status).toBe(201);
    // Read to the end of the stream: it ends by itself.
    const frames = await readFrames(res, () => false);
    expect(events(frames)).toEqual([]);
  });
});
