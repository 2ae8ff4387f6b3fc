import { KeyAuthenticator } from "@stockroom/api";
import { createTestDatabase } from "@stockroom/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { addKey, expectProblem } from "./helpers";

describe("limits and headers", () => {
  let scratch: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: ReturnType<typeof createApp>;
  let key: string;
  let other: string;
  beforeAll(async () => {
    scratch = await createTestDatabase("pglite");
    key = (await addKey(scratch.database, "viewer")).secret;
    other = (await addKey(scratch.database, "viewer")).secret;
    app = createApp({
      runtime: { database: scratch.database, keys: new KeyAuthenticator(scratch.database.db), hooks: {} },
      logger: pino({ level: "silent" }),
      // A burst of 5 that refills slowly (one token per 10 s), so a slow machine cannot refill
      // the bucket between the test's requests.
      rateLimit: 0.1,
      rateLimitBurst: 5,
      corsOrigins: ["https://shop.example.com"],
    });
  });
  afterAll(() => scratch?.drop());

  const get = (secret: string, path = "/api/stores", headers: Record<string, string> = {}) =>
    app.request(path, { headers: { authorization: `Bearer ${secret}`, ...headers } });

  it("limits each API key with a token bucket: 429 RATE_LIMITED with Retry-After and RateLimit headers", async () => {
    const replies = [];
    for (let i = 0; i < 7; i++) replies.push(await get(key));
    expect(replies.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(replies[0]!.headers.get("ratelimit-limit")).toBe("5");
    expect(replies[4]!.headers.get("ratelimit-remaining")).toBe("0");
    const limited = replies[5]!;
    const body = await limited.json();
    expect(limited.status).toBe(429);
    expect(body.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another key has its own bucket.
    expect((await get(other)).status).toBe(200);
  });

  it("sends security headers and answers CORS only for the configured origin", async () => {
    const res = await app.request("/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBeTruthy();
    const allowed = await app.request("/api/stores", {
      method: "OPTIONS",
      headers: { origin: "https://shop.example.com", "access-control-request-method": "GET" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    const refused = await app.request("/health", { headers: { origin: "https://evil.example.com" } });
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses over-long URLs with a 4xx problem", async () => {
    const res = await get(other, `/api/products?q=${"x".repeat(10_000)}`);
    expect(res.status).toBe(414);
    const reply = { status: res.status, headers: res.headers, body: await res.json(), text: "" };
    expectProblem(reply, 414, "URI_TOO_LONG");
  });
});

describe("CORS is off by default", () => {
  it("sends no CORS headers", async () => {
    const scratch = await createTestDatabase("pglite");
    try {
      const app = createApp({
        runtime: { database: scratch.database, keys: new KeyAuthenticator(scratch.database.db), hooks: {} },
        logger: pino({ level: "silent" }),
      });
      const res = await app.request("/health", { headers: { origin: "https://shop.example.com" } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await scratch.drop();
    }
  });
});
