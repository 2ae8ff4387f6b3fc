import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  createStockroomClient,
  type StockroomClient,
  StockroomError,
  type StockroomEvent,
  type StockroomEventOf,
  streamEvents,
  verifyWebhook,
  WebhookVerificationError,
} from "../src/index";
import { startTestServer, type TestServer } from "./server";

// Compile-time: the event union narrows on `type`.
expectTypeOf<StockroomEventOf<"stock.low">["data"]["minStock"]>().toEqualTypeOf<number>();
expectTypeOf<StockroomEventOf<"stock.changed">["data"]["available"]>().toEqualTypeOf<number>();
expectTypeOf<StockroomEventOf<"reservation.expired">["data"]["status"]>().toEqualTypeOf<
  "active" | "committed" | "released" | "expired"
>();
function narrows(e: StockroomEvent) {
  if (e.type === "stock.changed") return e.data.movementId;
  // @ts-expect-error only stock.changed carries a movement's delta
  return e.data.delta;
}
void narrows;

/**
 * The Standard Webhooks reference vectors (the test suites of their libraries,
 * github.com/standard-webhooks/standard-webhooks): secret, message id, timestamp, payload and
 * the signature they agree on.
 */
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const at = VECTOR.timestamp * 1000;
const headers = (over: Record<string, string | undefined> = {}) => ({
  "webhook-id": VECTOR.id,
  "webhook-timestamp": String(VECTOR.timestamp),
  "webhook-signature": VECTOR.signature,
  ...over,
});
const refused = async (p: Promise<unknown>) => {
  await expect(p).rejects.toBeInstanceOf(WebhookVerificationError);
};

describe("verifyWebhook against the Standard Webhooks reference vectors", () => {
  it("accepts the reference signature, with or without the whsec_ prefix, and from a Headers object", async () => {
    expect(await verifyWebhook(VECTOR.secret, headers(), VECTOR.payload, { now: at })).toEqual({
      test: 2432232314,
    });
    expect(await verifyWebhook(VECTOR.secret.slice(6), headers(), VECTOR.payload, { now: at })).toEqual({
      test: 2432232314,
    });
    expect(
      await verifyWebhook(VECTOR.secret, new Headers(headers()), new TextEncoder().encode(VECTOR.payload), {
        now: at,
      }),
    ).toEqual({
      test: 2432232314,
    });
  });

  it("accepts a list where any v1 signature matches, and any of several secrets", async () => {
    const list = [
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      VECTOR.signature,
    ].join(" ");
    await verifyWebhook(VECTOR.secret, headers({ "webhook-signature": list }), VECTOR.payload, { now: at });
    await verifyWebhook(
      ["whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", VECTOR.secret],
      headers(),
      VECTOR.payload,
      { now: at },
    );
  });

  it("refuses a tampered body, a wrong or partial signature, missing headers and stale or future timestamps", async () => {
    await refused(verifyWebhook(VECTOR.secret, headers(), '{"test": 2432232315}', { now: at }));
    await refused(
      verifyWebhook(
        VECTOR.secret,
        headers({ "webhook-signature": "v1,dawfeoifkpqwoekfpqoekf" }),
        VECTOR.payload,
        { now: at },
      ),
    );
    await refused(
      verifyWebhook(
        VECTOR.secret,
        headers({ "webhook-signature": VECTOR.signature.slice(0, 8) }),
        VECTOR.payload,
        { now: at },
      ),
    );
    await refused(
      verifyWebhook(VECTOR.secret, headers({ "webhook-signature": "v1," }), VECTOR.payload, { now: at }),
    );
    await refused(
      verifyWebhook(
        VECTOR.secret,
        headers({ "webhook-signature": VECTOR.signature.replace("v1", "v2") }),
        VECTOR.payload,
        { now: at },
      ),
    );
    for (const missing of ["webhook-id", "webhook-timestamp", "webhook-signature"])
      await refused(
        verifyWebhook(VECTOR.secret, headers({ [missing]: undefined }), VECTOR.payload, { now: at }),
      );
    await refused(
      verifyWebhook(VECTOR.secret, headers({ "webhook-timestamp": "hello" }), VECTOR.payload, { now: at }),
    );
    await refused(verifyWebhook(VECTOR.secret, headers(), VECTOR.payload, { now: at + 301_000 }));
    await refused(verifyWebhook(VECTOR.secret, headers(), VECTOR.payload, { now: at - 301_000 }));
    await refused(
      verifyWebhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", headers(), VECTOR.payload, { now: at }),
    );
  });

  it("agrees with an HMAC computed by node:crypto for a fresh message", async () => {
    const secret = `whsec_${Buffer.alloc(24, 9).toString("base64")}`;
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ id: "e1", type: "webhook.test" });
    const sig = createHmac("sha256", Buffer.alloc(24, 9)).update(`e1.${ts}.${body}`).digest("base64");
    const h = { "webhook-id": "e1", "webhook-timestamp": String(ts), "webhook-signature": `v1,${sig}` };
    expect(await verifyWebhook(secret, h, body)).toMatchObject({ id: "e1" });
  });
});

describe("events through the SDK", () => {
  let server: TestServer;
  let client: StockroomClient;
  beforeAll(async () => {
    server = await startTestServer({ STOCKROOM_EVENT_STREAM_POLL_MS: "20" });
    client = createStockroomClient({ url: server.url, apiKey: server.apiKey });
    await client.stores.create({ id: "sdk", name: "SDK" });
  });
  afterAll(() => server?.close());

  it("lists the feed and iterates the stream from a cursor, typed", async () => {
    const product = await client.products.create({ sku: "SDK-EV", name: "e", category: "c", price: 1 });
    const start = await client.events.list({ limit: 100 });
    let after = start.nextCursor ?? undefined;
    for (let page = start; page.items.length === 100; page = await client.events.list({ after, limit: 100 }))
      after = page.nextCursor ?? after;
    const controller = new AbortController();
    const got: StockroomEvent[] = [];
    const reading = (async () => {
      for await (const e of streamEvents(
        { url: server.url, apiKey: server.apiKey },
        { after, types: "stock.changed", productId: product.id },
        { signal: controller.signal },
      )) {
        got.push(e);
        if (got.length === 2) controller.abort();
      }
    })();
    await client.inventory.adjust({ productId: product.id, storeId: "sdk", delta: 4, reason: "received" });
    await client.inventory.adjust({ productId: product.id, storeId: "sdk", delta: -1, reason: "sold" });
    await reading;
    expect(got.map((e) => (e.type === "stock.changed" ? e.data.delta : null))).toEqual([4, -1]);
    const listed = await client.events.list({ after, types: "stock.changed", productId: product.id });
    expect(listed.items).toEqual(got);
  });

  it("throws a StockroomError when the stream is refused", async () => {
    const stream = streamEvents({ url: server.url, apiKey: "sr_wrong_key_000000" });
    await expect(stream.next()).rejects.toBeInstanceOf(StockroomError);
    const bad = streamEvents({ url: server.url, apiKey: server.apiKey }, { types: "nope" as never });
    await expect(bad.next()).rejects.toMatchObject({ code: "VALIDATION_FAILED", status: 400 });
  });
});
