import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deliverWebhooks } from "@stockroom/api";
import { publishEvents } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends } from "./helpers";
import { verifies } from "./webhook-signature";

const backends = await testBackends();
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked by the assertions
type Json = any;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe.each(backends)("webhooks on %s", (backend) => {
  let t: TestApp;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  /** What each path answers next: a status list consumed in order, then 200. */
  const script = new Map<string, Array<number | [number, Record<string, string>]>>();
  /** Or, per path, a status chosen from the event received (undefined: go on as above). */
  const decide = new Map<string, (event: Json) => number | undefined>();
  let product: string;

  beforeAll(async () => {
    t = await createTestApp(backend, { webhooksAllowPrivate: true });
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({ path: req.url ?? "", headers: req.headers, body });
        const chosen = decide.get(req.url ?? "")?.(JSON.parse(body || "null"));
        const next = chosen ?? script.get(req.url ?? "")?.shift() ?? 200;
        const [status, headers] = Array.isArray(next) ? next : [next, {}];
        res.writeHead(status, headers).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    await t.rest("POST", "/api/stores", { body: { id: "w", name: "W" } });
    product = (
      await t.rest("POST", "/api/products", { body: { sku: "HOOK", name: "h", category: "c", price: 1 } })
    ).body.id;
  });
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await t?.close();
  });

  const options = { retryScale: 0.00001, allowPrivate: true, timeoutMs: 5000 };
  /** Runs the worker (as the server's loop does) until `done` holds. */
  async function pump(done: () => boolean | Promise<boolean>) {
    for (let i = 0; i < 500 && !(await done()); i++) {
      await publishEvents(t.database.db);
      if ((await deliverWebhooks(t.database.db, options)) === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(await done()).toBe(true);
  }
  const create = (path: string, events: string[] = ["*"]) =>
    t.rest("POST", "/api/webhooks", { body: { url: `${base}${path}`, events } });
  const adjust = (delta: number, productId = product) =>
    t.rest("POST", "/api/inventory/adjustments", {
      body: { productId, storeId: "w", delta, reason: delta > 0 ? "received" : "sold" },
    });
  const at = (path: string) => received.filter((r) => r.path === path);

  it("refuses URLs that are not https or reach private addresses, unless allowed", async () => {
    t.runtime.webhooksAllowPrivate = false;
    try {
      for (const url of [
        "http://shop.example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:192.168.1.1]/hook",
        "https://localhost/hook",
      ]) {
        const r = await t.rest("POST", "/api/webhooks", { body: { url, events: ["*"] } });
        expectProblem(r, 422, "WEBHOOK_URL_REFUSED");
      }
      expect((await t.rest("GET", "/api/webhooks")).body.total).toBe(0);
    } finally {
      t.runtime.webhooksAllowPrivate = true;
    }
    expectProblem(
      await t.rest("POST", "/api/webhooks", { body: { url: "nope", events: ["*"] } }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(
      await t.rest("POST", "/api/webhooks", { body: { url: base, events: [] } }),
      400,
      "VALIDATION_FAILED",
    );
    expectProblem(
      await t.rest("POST", "/api/webhooks", { body: { url: base, events: ["*"] }, key: t.keys.manager }),
      403,
      "FORBIDDEN",
    );
  });

  it("shows the secret once; a receiver failing twice gets three deliveries with one webhook-id, signed", async () => {
    const hook = await create("/flaky", ["stock.changed"]);
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(hook.body.secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
    const got = await t.rest("GET", `/api/webhooks/${hook.body.id}`);
    expect(got.body).not.toHaveProperty("secret");
    expect(got.body).toMatchObject({ url: `${base}/flaky`, events: ["stock.changed"], enabled: true });

    script.set("/flaky", [500, 502]);
    const change = await adjust(5);
    await pump(() => at("/flaky").length >= 3);
    await pump(
      async () =>
        (await t.rest("GET", `/api/webhooks/${hook.body.id}/deliveries`)).body.items[0]?.status ===
        "delivered",
    );
    const sent = at("/flaky");
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const event = JSON.parse(sent[0]!.body);
    expect(event).toMatchObject({
      type: "stock.changed",
      data: { movementId: change.body.movement.id, delta: 5 },
    });
    expect(sent[0]!.headers["webhook-id"]).toBe(event.id);
    for (const r of sent) {
      expect(verifies(hook.body.secret, r.headers, r.body)).toBe(true);
      // A tampered body, or another secret, does not verify.
      expect(verifies(hook.body.secret, r.headers, r.body.replace('"delta":5', '"delta":50'))).toBe(false);
      expect(verifies(`whsec_${Buffer.alloc(24, 7).toString("base64")}`, r.headers, r.body)).toBe(false);
    }
    const deliveries = await t.rest("GET", `/api/webhooks/${hook.body.id}/deliveries`);
    expect(deliveries.body.items).toHaveLength(1);
    expect(deliveries.body.items[0]).toMatchObject({
      eventId: event.id,
      status: "delivered",
      nextAttemptAt: null,
    });
    expect(deliveries.body.items[0].attempts.map((a: Json) => a.statusCode)).toEqual([500, 502, 200]);
    await t.rest("DELETE", `/api/webhooks/${hook.body.id}`);
  });

  it("delivers one product's events in order; a failing event holds back only its product", async () => {
    const other = (
      await t.rest("POST", "/api/products", { body: { sku: "OTHER", name: "o", category: "c", price: 1 } })
    ).body.id;
    const hook = await create("/lanes", ["stock.changed"]);
    // The first event of `product` fails four times; everything else goes through.
    let failures = 0;
    decide.set("/lanes", (e) =>
      e.data.productId === product && e.data.delta === 1 && failures++ < 4 ? 500 : undefined,
    );
    await adjust(1);
    await adjust(2);
    await adjust(7, other);
    await adjust(8, other);
    const sent = () => at("/lanes").map((r) => JSON.parse(r.body).data);
    await pump(
      () =>
        sent().filter((d) => d.delta === 2).length === 1 && sent().filter((d) => d.delta === 8).length === 1,
    );
    const deltas = sent().map((d) => d.delta);
    // Four failures then the success of the first event, and only then its product's second.
    const firstDelivered = deltas.lastIndexOf(1);
    expect(deltas.filter((d) => d === 1)).toHaveLength(5);
    expect(deltas.indexOf(2)).toBeGreaterThan(firstDelivered);
    // The other product was not held back: both its events went while the first one failed.
    expect(deltas.indexOf(7)).toBeLessThan(deltas.indexOf(8));
    expect(deltas.indexOf(8)).toBeLessThan(firstDelivered);
    decide.delete("/lanes");
    await t.rest("DELETE", `/api/webhooks/${hook.body.id}`);
  });

  it("waits as Retry-After says, and a 410 disables the endpoint; a manual retry queues again", async () => {
    const hook = await create("/gone", ["stock.changed"]);
    script.set("/gone", [[503, { "retry-after": "3600" }], 410]);
    await adjust(1);
    await pump(() => at("/gone").length >= 1);
    const d1 = (await t.rest("GET", `/api/webhooks/${hook.body.id}/deliveries`)).body.items[0];
    // Scaled like every wait (0.00001 here): 3600 s is 36 ms, the schedule's 5 s would be 0.05 ms.
    expect(Date.parse(d1.nextAttemptAt) - Date.parse(d1.attempts[0].at)).toBeGreaterThanOrEqual(30);
    await pump(() => at("/gone").length >= 2);
    await pump(async () => (await t.rest("GET", `/api/webhooks/${hook.body.id}`)).body.enabled === false);
    const gone = await t.rest("GET", `/api/webhooks/${hook.body.id}`);
    expect(gone.body).toMatchObject({ enabled: false, disabledReason: "The receiver answered 410 Gone" });
    const failed = await t.rest("GET", `/api/webhooks/${hook.body.id}/deliveries?status=failed`);
    expect(failed.body.items).toHaveLength(1);
    const retried = await t.rest(
      "POST",
      `/api/webhooks/${hook.body.id}/deliveries/${failed.body.items[0].eventId}/retry`,
    );
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe("pending");
    expectProblem(
      await t.rest("POST", `/api/webhooks/${hook.body.id}/deliveries/${hook.body.id}/retry`),
      404,
      "NOT_FOUND",
    );
    const enabled = await t.rest("PUT", `/api/webhooks/${hook.body.id}`, { body: { enabled: true } });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
    await pump(() => at("/gone").length >= 3);
    await t.rest("DELETE", `/api/webhooks/${hook.body.id}`);
  });

  it("pings with webhook.test to that endpoint only, and signs with both secrets after a rotation", async () => {
    const a = await create("/ping-a");
    const b = await create("/ping-b");
    const ping = await t.rest("POST", `/api/webhooks/${a.body.id}/test`);
    expect(ping.status).toBe(201);
    await pump(() => at("/ping-a").some((r) => JSON.parse(r.body).type === "webhook.test"));
    const test = at("/ping-a").find((r) => JSON.parse(r.body).type === "webhook.test")!;
    expect(JSON.parse(test.body)).toMatchObject({ id: ping.body.eventId, data: { endpointId: a.body.id } });
    expect(at("/ping-b").some((r) => JSON.parse(r.body).type === "webhook.test")).toBe(false);

    const rotated = await t.rest("POST", `/api/webhooks/${a.body.id}/rotate-secret`);
    expect(rotated.body.secret).not.toBe(a.body.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const before = at("/ping-a").length;
    await t.rest("POST", `/api/webhooks/${a.body.id}/test`);
    await pump(() => at("/ping-a").length > before);
    const after = at("/ping-a").at(-1)!;
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifies(rotated.body.secret, after.headers, after.body)).toBe(true);
    expect(verifies(a.body.secret, after.headers, after.body)).toBe(true);
    const list = await t.rest("GET", "/api/webhooks");
    expect(list.body.items.map((w: Json) => w.id)).toEqual([a.body.id, b.body.id]);
    expect(list.body.items.some((w: Json) => "secret" in w)).toBe(false);
    for (const id of [a.body.id, b.body.id])
      expect((await t.rest("DELETE", `/api/webhooks/${id}`)).status).toBe(204);
    expectProblem(await t.rest("GET", `/api/webhooks/${a.body.id}`), 404, "NOT_FOUND");
  });
});
