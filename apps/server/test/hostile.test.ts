import { rowsOf } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type Reply, type TestApp, testBackends } from "./helpers";

// Hostile input must never reach a 500 or leak internals: every row of this table is a 4xx
// problem+json, and a refused write leaves the database exactly as it was.

const backends = await testBackends();

interface Case {
  label: string;
  method: string;
  path: string;
  /** JSON-encoded as the body. */
  body?: unknown;
  /** Sent as is. */
  raw?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const MiB = 1024 * 1024;
const product = { sku: "HOST-1", name: "Hostile", category: "hostile", price: 1 };
const deep = (depth: number) => `{"sku":${"[".repeat(depth)}${"]".repeat(depth)}}`;

const CASES: Case[] = [
  // Bodies that are not JSON objects.
  {
    label: "bad JSON",
    method: "POST",
    path: "/api/products",
    raw: '{"sku": "A",',
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "JSON with a trailing comma",
    method: "POST",
    path: "/api/stores",
    raw: '{"id":"x","name":"y",}',
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "empty JSON body",
    method: "POST",
    path: "/api/products",
    raw: "",
    headers: { "content-type": "application/json" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "JSON null",
    method: "POST",
    path: "/api/products",
    raw: "null",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "JSON string",
    method: "POST",
    path: "/api/products",
    raw: '"HOST-1"',
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "JSON number",
    method: "POST",
    path: "/api/stores",
    raw: "42",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "array where an object belongs",
    method: "POST",
    path: "/api/products",
    body: [product],
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "array of stores",
    method: "POST",
    path: "/api/stores",
    body: [{ id: "arr", name: "Array" }],
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "array as a field that is an object list",
    method: "POST",
    path: "/api/products/batch",
    body: { items: [[product]] },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "object where a string belongs",
    method: "POST",
    path: "/api/products",
    body: { ...product, name: { en: "x" } },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "array where a number belongs",
    method: "POST",
    path: "/api/products",
    body: { ...product, price: [1] },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "bytes that are not UTF-8",
    method: "POST",
    path: "/api/stores",
    raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    headers: { "content-type": "application/json" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "__proto__ key",
    method: "POST",
    path: "/api/stores",
    raw: '{"id":"proto","name":"P","__proto__":{"admin":true}}',
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "constructor key",
    method: "POST",
    path: "/api/stores",
    body: { id: "ctor", name: "C", constructor: { prototype: { x: 1 } } },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "deeply nested arrays",
    method: "POST",
    path: "/api/products",
    raw: deep(5000),
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "deeply nested arrays with an Idempotency-Key",
    method: "POST",
    path: "/api/products",
    raw: deep(100_000),
    headers: { "content-type": "application/json", "idempotency-key": "deep-1" },
    status: 400,
    code: "VALIDATION_FAILED",
  },

  // Content types.
  {
    label: "text/plain",
    method: "POST",
    path: "/api/products",
    raw: JSON.stringify(product),
    headers: { "content-type": "text/plain" },
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    label: "no content type",
    method: "POST",
    path: "/api/products",
    raw: new TextEncoder().encode(JSON.stringify(product)),
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    label: "form encoded",
    method: "POST",
    path: "/api/stores",
    raw: "id=form&name=Form",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    label: "multipart",
    method: "POST",
    path: "/api/stores",
    raw: '--b\r\nContent-Disposition: form-data; name="id"\r\n\r\nmp\r\n--b--\r\n',
    headers: { "content-type": "multipart/form-data; boundary=b" },
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    label: "text/plain on an update",
    method: "PUT",
    path: "/api/stores/victim",
    raw: '{"name":"Hacked"}',
    headers: { "content-type": "text/plain" },
    status: 415,
    code: "UNSUPPORTED_MEDIA_TYPE",
  },

  // NUL and other control characters.
  {
    label: "NUL in a product name",
    method: "POST",
    path: "/api/products",
    body: { ...product, name: "ham\u0000mer" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in a sku",
    method: "POST",
    path: "/api/products",
    body: { ...product, sku: "HOST\u0000" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in a category",
    method: "POST",
    path: "/api/products",
    body: { ...product, category: "\u0000" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in a description",
    method: "POST",
    path: "/api/products",
    body: { ...product, description: "a\u0000b" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "escape character in a name",
    method: "POST",
    path: "/api/products",
    body: { ...product, name: "\u001b[31mred" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in a batch row",
    method: "POST",
    path: "/api/products/batch",
    body: { items: [{ ...product, name: "x\u0000" }], onError: "skipFailed" },
    status: 200,
    code: "",
  },
  {
    label: "NUL in a store name",
    method: "POST",
    path: "/api/stores",
    body: { id: "nul", name: "a\u0000b" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in a store rename",
    method: "PUT",
    path: "/api/stores/victim",
    body: { name: "\u0000" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in a key name",
    method: "POST",
    path: "/api/keys",
    body: { name: "k\u0000", role: "admin" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in a store id path",
    method: "GET",
    path: "/api/stores/a%00b",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  { label: "NUL in q", method: "GET", path: "/api/products?q=a%00b", status: 400, code: "VALIDATION_FAILED" },
  {
    label: "NUL in category filter",
    method: "GET",
    path: "/api/products?category=%00",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "broken percent-encoding in the path",
    method: "GET",
    path: "/api/stores/%ZZ",
    status: 400,
    code: "VALIDATION_FAILED",
  },

  // Numbers out of range.
  {
    label: "limit 10^12",
    method: "GET",
    path: "/api/products?limit=1000000000000",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "offset 10^12",
    method: "GET",
    path: "/api/products?offset=1000000000000",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "store offset 10^12",
    method: "GET",
    path: "/api/stores?offset=1000000000000",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "limit 1e999 (Infinity)",
    method: "GET",
    path: "/api/products?limit=1e999",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "limit NaN",
    method: "GET",
    path: "/api/products?limit=NaN",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "limit twice",
    method: "GET",
    path: "/api/products?limit=5&limit=6",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "priceMin 10^300",
    method: "GET",
    path: "/api/products?priceMin=1e300",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "price 10^12",
    method: "POST",
    path: "/api/products",
    body: { ...product, price: 1e12 },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "price 1e308",
    method: "POST",
    path: "/api/products",
    raw: JSON.stringify(product).replace('"price":1', '"price":1e308'),
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "price 1e400 (Infinity)",
    method: "POST",
    path: "/api/products",
    raw: JSON.stringify(product).replace('"price":1', '"price":1e400'),
    status: 400,
    code: "VALIDATION_FAILED",
  },

  // Unknown fields: every input object is strict.
  {
    label: "unknown field on create",
    method: "POST",
    path: "/api/products",
    body: { ...product, id: "00000000-0000-4000-8000-000000000000" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "unknown field deletedAt",
    method: "POST",
    path: "/api/products",
    body: { ...product, deletedAt: "2020-01-01T00:00:00Z" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "unknown field on a store",
    method: "POST",
    path: "/api/stores",
    body: { id: "extra", name: "Extra", deletedAt: null },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "unknown field on a rename",
    method: "PUT",
    path: "/api/stores/victim",
    body: { name: "Fine", id: "other" },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "unknown field on a key",
    method: "POST",
    path: "/api/keys",
    body: { name: "k", role: "viewer", hash: "0".repeat(64) },
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "unknown query parameter",
    method: "GET",
    path: "/api/products?colour=red",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "query parameter with an empty name",
    method: "GET",
    path: "/api/products?=1",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "query parameter with an empty name on a delete",
    method: "DELETE",
    path: "/api/stores/victim?=",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in the q filter",
    method: "GET",
    path: "/api/products?q=a%00b",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "NUL in the category filter of a store's inventory",
    method: "GET",
    path: "/api/stores/victim/inventory?category=a%00b",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "path parameter repeated in the query",
    method: "DELETE",
    path: "/api/stores/victim?id=other",
    status: 400,
    code: "VALIDATION_FAILED",
  },
  {
    label: "unknown query parameter on a get",
    method: "GET",
    path: "/api/stores/victim?include=secrets",
    status: 400,
    code: "VALIDATION_FAILED",
  },

  // Sizes.
  {
    label: "10 KB q",
    method: "GET",
    path: `/api/products?q=${"q".repeat(10_240)}`,
    status: 414,
    code: "URI_TOO_LONG",
  },
  {
    label: "10 KB category",
    method: "GET",
    path: `/api/products?category=${"c".repeat(10_240)}`,
    status: 414,
    code: "URI_TOO_LONG",
  },
  {
    label: "10 KB of parameters",
    method: "GET",
    path: `/api/products?${Array.from({ length: 1500 }, (_, i) => `p${i}=1`).join("&")}`,
    status: 414,
    code: "URI_TOO_LONG",
  },
  {
    label: "10 KB store id",
    method: "GET",
    path: `/api/stores/${"s".repeat(10_240)}`,
    status: 414,
    code: "URI_TOO_LONG",
  },
  {
    label: "10 KB product id",
    method: "DELETE",
    path: `/api/products/${"0".repeat(10_240)}`,
    status: 414,
    code: "URI_TOO_LONG",
  },
  {
    label: "2 MiB body",
    method: "POST",
    path: "/api/products",
    body: { ...product, description: "d".repeat(2 * MiB) },
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },
  {
    label: "2 MiB batch",
    method: "POST",
    path: "/api/products/batch",
    body: {
      items: Array.from({ length: 1000 }, (_, i) => ({ ...product, sku: `B-${i}`, name: "n".repeat(2100) })),
    },
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },
  {
    label: "2 MiB body streamed without a length",
    method: "POST",
    path: "/api/stores",
    raw: () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"id":"stream","name":"'));
          for (let i = 0; i < 32; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
        },
      }),
    headers: { "content-type": "application/json" },
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },
  {
    label: "a 1 MiB + 1 description",
    method: "POST",
    path: "/api/products",
    raw: JSON.stringify({ ...product, description: "" }).replace(
      '"description":""',
      `"description":"${"d".repeat(MiB)}"`,
    ),
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
  },

  // Routes and methods.
  { label: "unknown route under /api", method: "GET", path: "/api/nothing", status: 404, code: "NOT_FOUND" },
  {
    label: "unknown sub-route",
    method: "GET",
    path: "/api/products/00000000-0000-4000-8000-000000000000/parts",
    status: 404,
    code: "NOT_FOUND",
  },
  { label: "unknown top-level route", method: "GET", path: "/admin", status: 404, code: "NOT_FOUND" },
  { label: "path traversal", method: "GET", path: "/api/../../etc/passwd", status: 404, code: "NOT_FOUND" },
  {
    label: "PATCH on products",
    method: "PATCH",
    path: "/api/products",
    body: product,
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
  {
    label: "DELETE on the product list",
    method: "DELETE",
    path: "/api/products",
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
  {
    label: "POST on a product",
    method: "POST",
    path: "/api/products/00000000-0000-4000-8000-000000000000",
    body: product,
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
  {
    label: "PUT on the store list",
    method: "PUT",
    path: "/api/stores",
    body: { name: "All" },
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
  {
    label: "GET on the batch (not a product called batch)",
    method: "GET",
    path: "/api/products/batch",
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
  {
    label: "PUT on the batch",
    method: "PUT",
    path: "/api/products/batch",
    body: product,
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
  {
    label: "DELETE on the batch",
    method: "DELETE",
    path: "/api/products/batch",
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
  {
    label: "PUT on keys",
    method: "PUT",
    path: "/api/keys",
    body: { name: "k" },
    status: 405,
    code: "METHOD_NOT_ALLOWED",
  },
];

describe.each(backends)("hostile input on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
    await t.rest("POST", "/api/stores", { body: { id: "victim", name: "Victim" } });
  });
  afterAll(() => t?.close());

  /** Row counts and a checksum of every table a request could write. */
  const snapshot = async () => {
    const rows = rowsOf<Record<string, unknown>>(
      await t.database.db.execute(`select
        (select count(*)::int from products) as products,
        (select string_agg(id::text || name || sku || price::text, ',' order by id) from products) as product_sum,
        (select string_agg(id || name || updated_at::text, ',' order by id) from stores) as stores,
        (select count(*)::int from api_keys) as keys,
        (select count(*)::int from idempotency_keys) as idempotency,
        (select count(*)::int from stock_levels) as levels,
        (select count(*)::int from movements) as movements`),
    );
    return rows[0];
  };

  const send = async (c: Case): Promise<Reply> => {
    if (typeof c.raw === "string" || c.raw === undefined)
      return t.rest(c.method, c.path, {
        body: c.body,
        raw: c.raw,
        headers: c.raw === undefined ? c.headers : { "content-type": "application/json", ...c.headers },
      });
    const res = await t.app.request(c.path, {
      method: c.method,
      headers: { authorization: `Bearer ${t.keys.admin}`, ...c.headers },
      ...(typeof c.raw === "function" ? { body: c.raw(), duplex: "half" } : { body: c.raw }),
    } as RequestInit);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, body, text };
  };

  it.each(CASES.map((c) => [c.label, c] as const))("%s", async (_label, c) => {
    const before = await snapshot();
    const reply = await send(c);
    expect(reply.status).toBeLessThan(500);
    expect(reply.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    if (c.status === 200) {
      expect(reply.status).toBe(200);
      expect(reply.body.failed).toHaveLength(1);
    } else {
      expectProblem(reply, c.status, c.code);
      expect(reply.headers.get("x-request-id")).toBe(reply.body.requestId);
    }
    if (c.method !== "GET") expect(await snapshot()).toEqual(before);
  });

  it("answers 405 with an Allow header listing the methods the path takes", async () => {
    const reply = await t.rest("PATCH", "/api/stores/victim", { body: { name: "x" } });
    expectProblem(reply, 405, "METHOD_NOT_ALLOWED");
    expect(reply.headers.get("allow")?.split(", ").sort()).toEqual([
      "DELETE",
      "GET",
      "HEAD",
      "OPTIONS",
      "PUT",
    ]);
    const batch = await t.rest("PUT", "/api/products/batch", { body: product });
    expectProblem(batch, 405, "METHOD_NOT_ALLOWED");
    expect(batch.headers.get("allow")).toBe("POST, OPTIONS");
    expect(batch.body.detail).toBe("PUT is not allowed here; use POST");
    expectProblem(await t.rest("POST", "/health"), 405, "METHOD_NOT_ALLOWED");
  });

  it("answers OPTIONS with the methods the path really takes", async () => {
    const allow = async (path: string) => {
      const reply = await t.rest("OPTIONS", path);
      expect([path, reply.status]).toEqual([path, 204]);
      return reply.headers.get("allow");
    };
    expect(await allow("/api/products/batch")).toBe("POST, OPTIONS");
    expect(await allow("/api/products")).toBe("GET, POST, HEAD, OPTIONS");
    expect(await allow("/api/stores/victim")).toBe("GET, PUT, DELETE, HEAD, OPTIONS");
    expect(await allow("/health")).toBe("GET, HEAD, OPTIONS");
    expectProblem(await t.rest("OPTIONS", "/api/nothing"), 404, "NOT_FOUND");
  });

  it("serves a path with a trailing slash as the path itself", async () => {
    const list = await t.rest("GET", "/api/stores/");
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain("victim");
    expect((await t.rest("GET", "/api/stores/victim/")).body.id).toBe("victim");
    expect((await t.rest("POST", "/api/stores/", { body: { id: "slash", name: "Slash" } })).status).toBe(201);
    const patch = await t.rest("PATCH", "/api/stores/");
    expectProblem(patch, 405, "METHOD_NOT_ALLOWED");
    expect(patch.headers.get("allow")).toBe("GET, POST, HEAD, OPTIONS");
  });

  it("refuses hostile tRPC input the same way, without a stack", async () => {
    const before = await snapshot();
    const calls: Array<[string, Promise<Reply>, number]> = [
      ["NUL", t.trpc("mutation", "products.create", { ...product, name: "\u0000" }), 400],
      ["array", t.trpc("mutation", "stores.create", [{ id: "a", name: "b" }]), 400],
      ["unknown field", t.trpc("mutation", "stores.create", { id: "a", name: "b", x: 1 }), 400],
      ["limit 10^12", t.trpc("query", "products.list", { limit: 1e12 }), 400],
      ["offset 10^12", t.trpc("query", "products.list", { offset: 1e12 }), 400],
      // The URL of a tRPC query carries its input: over 8192 characters it is a 414.
      ["10 KB q", t.trpc("query", "products.list", { q: "q".repeat(10_240) }), 414],
      [
        "bad JSON",
        t.rest("POST", "/trpc/stores.create", {
          raw: "{nope",
          headers: { "content-type": "application/json" },
        }),
        400,
      ],
      ["bad query JSON", t.rest("GET", "/trpc/products.list?input=%7Bnope"), 400],
      ["2 MiB", t.trpc("mutation", "products.create", { ...product, description: "d".repeat(2 * MiB) }), 413],
      ["unknown procedure", t.trpc("query", "products.nothing", {}), 404],
      ["query as mutation", t.trpc("mutation", "products.list", {}), 405],
      ["mutation as query", t.trpc("query", "products.create", product), 405],
    ];
    for (const [label, call, status] of calls) {
      const reply = await call;
      expect([label, reply.status]).toEqual([label, status]);
      expect(reply.text).not.toMatch(/\n\s+at |node_modules/);
    }
    expect(await snapshot()).toEqual(before);
  });
});
