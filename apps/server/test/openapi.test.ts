import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  ERROR_CATALOGUE,
  type ErrorCode,
  EVENT_STREAM_PATH,
  operationErrorCodes,
  operations,
  restRoutes,
  SERVER_ROUTES,
} from "@stockroom/api";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp } from "./helpers";

// The document does not depend on the database: one embedded instance is enough.

// biome-ignore lint/suspicious/noExplicitAny: a parsed document, walked by the assertions
type Json = Record<string, any>;
const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const routes = restRoutes();
const opOf = (doc: Json, route: { path: string; method: string }) =>
  doc.paths?.[route.path]?.[route.method.toLowerCase()];
const PARAM = "00000000-0000-4000-8000-000000000000";

const REDOCLY = fileURLToPath(new URL("../node_modules/@redocly/cli/bin/cli.js", import.meta.url));

/** Runs `redocly lint` on a document, offline: telemetry and update checks off. */
async function redoclyLint(doc: unknown): Promise<{ ok: boolean; errors: number; problems: Json[] }> {
  const dir = mkdtempSync(join(tmpdir(), "stockroom-openapi-"));
  try {
    writeFileSync(join(dir, "openapi.json"), JSON.stringify(doc));
    writeFileSync(
      join(dir, "redocly.yaml"),
      "telemetry: off\nextends:\n  - recommended\nrules:\n  struct: error\n",
    );
    const run = await promisify(execFile)(
      process.execPath,
      [REDOCLY, "lint", "openapi.json", "--config", "redocly.yaml", "--format", "json"],
      {
        cwd: dir,
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: "off",
          REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
          NO_COLOR: "1",
        },
        timeout: 60_000,
        maxBuffer: 32 * 1024 * 1024,
      },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? "" }),
    );
    const json = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"), run.stdout.lastIndexOf("}") + 1));
    return { ok: run.code === 0, errors: json.totals.errors, problems: json.problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the OpenAPI document and the docs", () => {
  let t: TestApp;
  let doc: Json;
  beforeAll(async () => {
    t = await createTestApp("pglite");
    const reply = await t.rest("GET", "/openapi.json", { key: null });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    doc = reply.body;
  });
  afterAll(() => t?.close());

  it("is OpenAPI 3.1 with the bearer scheme on every operation", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    for (const route of routes) expect(opOf(doc, route)?.security).toEqual([{ bearerAuth: [] }]);
  });

  it("lists every procedure with a REST route and the server's own API routes, and nothing else", () => {
    const listed = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual([...routes, ...SERVER_ROUTES].map((r) => `${r.method} ${r.path}`).sort());
    for (const route of SERVER_ROUTES) expect(opOf(doc, route).operationId).toBe(route.operationId);
    for (const route of routes) expect(opOf(doc, route).operationId).toBe(route.procedure);
    for (const name of [
      "products.list",
      "products.create",
      "products.upsertMany",
      "stores.delete",
      "keys.revoke",
    ])
      expect(routes.map((r) => r.procedure)).toContain(name);
  });

  it("gives each operation its real success code: 201 for creates, 204 for deletes, else 200", () => {
    for (const route of routes) {
      const responses = opOf(doc, route).responses as Record<string, Json>;
      const success = Object.keys(responses).filter((s) => Number(s) < 400);
      const expected =
        route.method === "DELETE" ? 204 : /\.create$/.test(route.procedure) ? 201 : route.successStatus;
      expect([route.procedure, success]).toEqual([route.procedure, [String(expected)]]);
      expect(route.successStatus).toBe(expected);
      if (expected === 204) expect(responses["204"]!.content).toBeUndefined();
      else expect(responses[String(expected)]!.content["application/json"].schema).toBeDefined();
    }
    expect(routes.find((r) => r.procedure === "products.create")!.successStatus).toBe(201);
    expect(routes.find((r) => r.procedure === "products.delete")!.successStatus).toBe(204);
    expect(routes.find((r) => r.procedure === "products.upsertMany")!.successStatus).toBe(200);
  });

  it("describes every error response as problem+json, agreeing with the error catalogue", () => {
    expect(doc.components.schemas.Problem.properties.code.enum.sort()).toEqual([...CODES].sort());
    for (const route of routes) {
      const responses = opOf(doc, route).responses as Record<string, Json>;
      const errors = Object.keys(responses).filter((s) => Number(s) >= 400);
      for (const status of ["400", "401", "500", "503"]) expect(errors, route.procedure).toContain(status);
      // 403 only where some key's role can be too low.
      expect(errors.includes("403"), route.procedure).toBe(route.operation.minRole !== "viewer");
      for (const status of errors) {
        const content = responses[status]!.content as Json;
        expect([route.procedure, status, Object.keys(content)]).toEqual([
          route.procedure,
          status,
          ["application/problem+json"],
        ]);
        const media = content["application/problem+json"];
        expect(media.schema).toEqual({ $ref: "#/components/schemas/Problem" });
        const codes = operationErrorCodes(route.operation).filter(
          (c) => ERROR_CATALOGUE[c].status === Number(status),
        );
        expect(codes.length).toBeGreaterThan(0);
        expect(Object.keys(media.examples).sort()).toEqual([...codes].sort());
        for (const code of codes) expect(responses[status]!.description).toContain(code);
        for (const [code, example] of Object.entries(media.examples as Record<string, Json>)) {
          expect(example.value.status).toBe(Number(status));
          expect(example.value.code).toBe(code);
          expect(example.value.title).toBe(ERROR_CATALOGUE[code as ErrorCode].title);
        }
      }
    }
  });

  it("lists the errors the routes really send", () => {
    const has = (procedure: string, status: number) =>
      Object.keys(opOf(doc, routes.find((r) => r.procedure === procedure)!).responses).includes(
        String(status),
      );
    for (const route of routes) {
      if (route.method === "POST" || route.method === "PUT")
        expect([route.procedure, has(route.procedure, 415)]).toEqual([route.procedure, true]);
      if (route.path.includes("{"))
        expect([route.procedure, has(route.procedure, 404)]).toEqual([route.procedure, true]);
      if (route.type === "mutation")
        expect([route.procedure, has(route.procedure, 422)]).toEqual([route.procedure, true]);
    }
    for (const name of ["products.create", "products.update", "stores.create", "stores.delete"])
      expect(has(name, 409)).toBe(true);
  });

  it("offers per operation only the codes it can answer, each under its catalogue status", () => {
    const codesAt = (procedure: string, status: number): string[] => {
      const route = routes.find((r) => r.procedure === procedure)!;
      const media = opOf(doc, route).responses[String(status)]?.content["application/problem+json"];
      return media ? Object.keys(media.examples) : [];
    };
    expect(codesAt("inventory.transfer", 409)).toContain("INSUFFICIENT_STOCK");
    expect(codesAt("inventory.transfer", 409)).not.toContain("SKU_TAKEN");
    expect(codesAt("inventory.transfer", 404)).toEqual(["NOT_FOUND"]);
    expect(codesAt("inventory.adjust", 409).sort()).toEqual(["INSUFFICIENT_STOCK", "STALE_QUANTITY"]);
    expect(codesAt("products.create", 409)).toEqual(["SKU_TAKEN"]);
    expect(codesAt("stores.delete", 409)).toEqual(["STORE_NOT_EMPTY"]);
    expect(codesAt("products.list", 409)).toEqual([]);
    expect(codesAt("products.list", 404)).toEqual([]);
    expect(codesAt("products.list", 413)).toEqual([]);
    expect(codesAt("products.create", 422)).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    for (const route of routes) {
      const declared = route.operation.meta.errors ?? [];
      const responses = opOf(doc, route).responses as Record<string, Json>;
      for (const code of [...declared, ...operationErrorCodes(route.operation)]) {
        const status = String(ERROR_CATALOGUE[code].status);
        expect([route.procedure, code, status in responses]).toEqual([route.procedure, code, true]);
        expect(Object.keys(responses[status]!.content["application/problem+json"].examples)).toContain(code);
      }
      // Nothing listed that the operation cannot answer.
      const listed = Object.entries(responses)
        .filter(([s]) => Number(s) >= 400)
        .flatMap(([, r]) => Object.keys(r.content["application/problem+json"].examples));
      expect(listed.sort()).toEqual([...operationErrorCodes(route.operation)].sort());
    }
  });

  it("documents the response headers the server sends", () => {
    for (const name of [
      "X-Request-Id",
      "Idempotent-Replayed",
      "Retry-After",
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
    ])
      expect(doc.components.headers[name]?.schema, name).toBeDefined();
    const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
    for (const route of routes) {
      const responses = opOf(doc, route).responses as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        const headers = response.headers as Json;
        expect([route.procedure, status, headers?.["X-Request-Id"]]).toEqual([
          route.procedure,
          status,
          ref("X-Request-Id"),
        ]);
        if (Number(status) < 400)
          expect([route.procedure, "Idempotent-Replayed" in headers]).toEqual([
            route.procedure,
            route.type === "mutation",
          ]);
        if (status === "429" || status === "503") expect(headers["Retry-After"]).toEqual(ref("Retry-After"));
        if (status === "429")
          for (const name of ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"])
            expect(headers[name]).toEqual(ref(name));
      }
    }
  });

  it("documents Idempotency-Key on every change, as the server honours it", async () => {
    for (const route of routes) {
      const params = (opOf(doc, route).parameters ?? []) as Json[];
      const documented = params.some((p) => p.in === "header" && p.name === "Idempotency-Key");
      expect([route.procedure, documented]).toEqual([route.procedure, route.type === "mutation"]);
    }
    await t.rest("POST", "/api/stores", { body: { id: "idem1", name: "Idem" } });
    const rename = (name: string) =>
      t.rest("PUT", "/api/stores/idem1", { body: { name }, headers: { "idempotency-key": "idem-put-1" } });
    expect((await rename("Idem A")).status).toBe(200);
    const replay = await rename("Idem A");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expectProblem(await rename("Idem B"), 422, "IDEMPOTENCY_KEY_REUSED");
  });

  it("names headers as the server sends them", async () => {
    const created = await t.rest("POST", "/api/stores", {
      body: { id: "hdr1", name: "Headers" },
      headers: { "idempotency-key": "hdr-k1" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-request-id")).toBeTruthy();
    const again = await t.rest("POST", "/api/stores", {
      body: { id: "hdr1", name: "Headers" },
      headers: { "idempotency-key": "hdr-k1" },
    });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("states in the schemas the rules the server enforces, and the server agrees", async () => {
    const body = (procedure: string) => {
      const route = routes.find((r) => r.procedure === procedure)!;
      return opOf(doc, route).requestBody.content["application/json"].schema as Json;
    };
    expect(body("products.create").properties.price.multipleOf).toBe(0.01);
    expect(body("products.update").properties.price.multipleOf).toBe(0.01);
    expect(body("inventory.adjust").properties.delta.not).toEqual({ const: 0 });
    expect(body("inventory.setLevel").anyOf).toEqual([
      { required: ["minStock"] },
      { required: ["quantity"] },
    ]);
    const noControl = body("products.create").properties.name.pattern;
    expect(new RegExp(noControl).test("Claw hammer\n16 oz")).toBe(true);
    expect(new RegExp(noControl).test("Claw\u0007hammer")).toBe(false);
    for (const route of routes) {
      const schema = opOf(doc, route).requestBody?.content["application/json"].schema;
      if (schema) expect([route.procedure, schema.additionalProperties]).toEqual([route.procedure, false]);
    }

    const refused = async (method: string, url: string, payload: Json, path: string) => {
      const reply = await t.rest(method, url, { body: payload });
      expectProblem(reply, 400, "VALIDATION_FAILED");
      expect(reply.body.issues.map((i: Json) => i.path)).toContain(path);
    };
    const product = { sku: "RULE-1", name: "Rule", category: "tools", price: 1 };
    await refused("POST", "/api/products", { ...product, price: 1.234 }, "price");
    await refused("POST", "/api/products", { ...product, name: "Bell\u0007" }, "name");
    await refused("POST", "/api/products", { ...product, colour: "red" }, "(root)");
    const adjust = { productId: PARAM, storeId: "store1", reason: "correction" };
    await refused("POST", "/api/inventory/adjustments", { ...adjust, delta: 0 }, "delta");
    await refused("PUT", `/api/stores/store1/inventory/${PARAM}`, {}, "quantity");
    // And what the schema allows passes validation (404: the product does not exist).
    expectProblem(
      await t.rest("POST", "/api/inventory/adjustments", { body: { ...adjust, delta: -3 } }),
      404,
      "NOT_FOUND",
    );
    expect((await t.rest("POST", "/api/products", { body: { ...product, price: 18.99 } })).status).toBe(201);
  });

  it("shows realistic examples, not schema noise, and says where the paths start", () => {
    expect(doc.servers).toEqual([{ url: "/api" }]);
    expect(doc.info.description).toContain('servers: [{ url: "/api" }]');
    const examples: unknown[] = [];
    const walk = (node: unknown) => {
      if (!node || typeof node !== "object") return;
      for (const [k, v] of Object.entries(node)) {
        if (k === "example") examples.push(v);
        walk(v);
      }
    };
    walk(doc);
    expect(examples.length).toBeGreaterThan(20);
    const text = JSON.stringify(examples);
    expect(text).not.toMatch(/9007199254740991/);
    // Nor zod's safe-integer bounds on every integer the server answers.
    expect(JSON.stringify(doc)).not.toMatch(/9007199254740991/);
    for (const [, year] of text.matchAll(/"(\d{4})-\d{2}-\d{2}T/g)) expect(year).toBe("2026");
    for (const route of routes) {
      const schema = opOf(doc, route).requestBody?.content["application/json"].schema;
      if (!schema) continue;
      expect([route.procedure, typeof schema.example]).toEqual([route.procedure, "object"]);
      // The example of a body holds only the body's own fields, and its required ones.
      for (const key of Object.keys(schema.example)) expect(schema.properties).toHaveProperty(key);
      for (const key of schema.required ?? []) expect(schema.example).toHaveProperty(key);
    }
    for (const route of routes)
      for (const param of (opOf(doc, route).parameters ?? []) as Json[]) {
        const shown = param.example ?? param.schema.example ?? param.schema.default ?? param.schema.enum;
        expect([route.procedure, param.name, shown !== undefined || param.schema.type === "boolean"]).toEqual(
          [route.procedure, param.name, true],
        );
      }
    for (const name of [
      "Product",
      "Store",
      "StockLevel",
      "Alert",
      "Movement",
      "Transfer",
      "ApiKey",
      "Reservation",
      "Shipment",
    ])
      expect([name, typeof doc.components.schemas[name]?.example]).toEqual([name, "object"]);
  });

  it("gives example problems the server really sends for that operation", async () => {
    const example = (procedure: string, status: number, code: ErrorCode) => {
      const route = routes.find((r) => r.procedure === procedure)!;
      return opOf(doc, route).responses[String(status)].content["application/problem+json"].examples[code]
        .value as Json;
    };
    const P = "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10";
    const cases: [string, string, string, Json | undefined][] = [
      ["products.list", "GET", "/api/products?priceMin=-1", undefined],
      ["products.get", "GET", "/api/products/nope", undefined],
      ["products.create", "POST", "/api/products", { sku: "EX-1", name: "Ex", category: "c", price: 1.234 }],
      ["products.update", "PUT", `/api/products/${P}`, { price: 1.234 }],
      ["products.delete", "DELETE", "/api/products/nope", undefined],
      [
        "products.upsertMany",
        "POST",
        "/api/products/batch",
        { items: Array.from({ length: 1001 }, () => ({})) },
      ],
      ["stores.list", "GET", "/api/stores?limit=101", undefined],
      ["stores.get", "GET", "/api/stores/Bad!", undefined],
      ["stores.create", "POST", "/api/stores", { id: "Bad!", name: "Bad" }],
      ["stores.update", "PUT", "/api/stores/store1", { name: "" }],
      ["stores.delete", "DELETE", "/api/stores/Bad!", undefined],
      ["inventory.listByStore", "GET", "/api/stores/Bad!/inventory", undefined],
      ["inventory.audit", "GET", "/api/inventory/audit?since=2026-01-01", undefined],
      ["keys.list", "GET", "/api/keys?role=clerk", undefined],
      ["inventory.setLevel", "PUT", `/api/stores/store1/inventory/${P}`, {}],
      [
        "inventory.adjust",
        "POST",
        "/api/inventory/adjustments",
        { productId: P, storeId: "store1", delta: 0, reason: "sold" },
      ],
      [
        "inventory.transfer",
        "POST",
        "/api/inventory/transfer",
        { productId: P, sourceStoreId: "store1", targetStoreId: "store1", quantity: 1 },
      ],
      ["inventory.alerts", "GET", "/api/inventory/alerts?storeId=Bad!", undefined],
      ["movements.list", "GET", "/api/movements?limit=101", undefined],
      ["movements.get", "GET", "/api/movements/nope", undefined],
      ["keys.create", "POST", "/api/keys", { name: "k", role: "owner" }],
      ["keys.revoke", "DELETE", "/api/keys/nope", undefined],
      ["reservations.list", "GET", "/api/reservations?status=held", undefined],
      ["reservations.get", "GET", "/api/reservations/nope", undefined],
      ["reservations.create", "POST", "/api/reservations", { storeId: "store1", lines: [] }],
      ["reservations.extend", "POST", `/api/reservations/${P}/extend`, { ttlSeconds: 86_401 }],
      ["reservations.release", "POST", "/api/reservations/nope/release", undefined],
      ["reservations.commit", "POST", "/api/reservations/nope/commit", undefined],
      ["shipments.list", "GET", "/api/shipments?status=held", undefined],
      ["shipments.get", "GET", "/api/shipments/nope", undefined],
      [
        "shipments.create",
        "POST",
        "/api/shipments",
        { sourceStoreId: "wh", targetStoreId: "store1", lines: [] },
      ],
      ["shipments.ship", "POST", "/api/shipments/nope/ship", undefined],
      [
        "shipments.receive",
        "POST",
        `/api/shipments/${P}/receive`,
        { receiptId: "", lines: [{ productId: P, accepted: 1 }] },
      ],
      ["shipments.cancel", "POST", "/api/shipments/nope/cancel", undefined],
      ["shipments.close", "POST", `/api/shipments/${P}/close`, { reason: "" }],
      ["events.list", "GET", "/api/events?after=-1", undefined],
      ["webhooks.create", "POST", "/api/webhooks", { url: "nope", events: ["*"] }],
      ["webhooks.list", "GET", "/api/webhooks?limit=101", undefined],
      ["webhooks.get", "GET", "/api/webhooks/nope", undefined],
      ["webhooks.update", "PUT", `/api/webhooks/${P}`, { events: [] }],
      ["webhooks.delete", "DELETE", "/api/webhooks/nope", undefined],
      ["webhooks.rotateSecret", "POST", "/api/webhooks/nope/rotate-secret", undefined],
      ["webhooks.test", "POST", "/api/webhooks/nope/test", undefined],
      ["webhooks.deliveries", "GET", `/api/webhooks/${P}/deliveries?status=lost`, undefined],
      ["webhooks.retry", "POST", `/api/webhooks/${P}/deliveries/nope/retry`, undefined],
    ];
    expect(cases.map((c) => c[0]).sort()).toEqual(routes.map((r) => r.procedure).sort());
    const answered: Json[] = [];
    const documented: Json[] = [];
    for (const [procedure, method, url, body] of cases) {
      const reply = await t.rest(method, url, body === undefined ? {} : { body });
      const ex = example(procedure, 400, "VALIDATION_FAILED");
      answered.push([procedure, reply.status, reply.body.detail, reply.body.issues]);
      documented.push([procedure, 400, ex.detail, ex.issues]);
    }
    expect(answered).toEqual(documented);
    for (const [procedure, method, url] of [
      ["products.get", "GET", `/api/products/${P}`],
      ["stores.get", "GET", "/api/stores/store1"],
      ["movements.get", "GET", "/api/movements/5c0e8a2f-7b41-4f6d-8e93-1a2b3c4d5e6f"],
      ["keys.revoke", "DELETE", "/api/keys/9d4b2c1a-6e5f-4a3b-8c7d-0e1f2a3b4c5d"],
    ] as const) {
      const reply = await t.rest(method, url);
      expect([procedure, reply.status, reply.body.detail]).toEqual([
        procedure,
        404,
        example(procedure, 404, "NOT_FOUND").detail,
      ]);
    }
    const viewer = await t.rest("POST", "/api/inventory/transfer", { key: t.keys.viewer, body: {} });
    expect(viewer.body.detail).toBe(example("inventory.transfer", 403, "FORBIDDEN").detail);
  });

  it("says what the server really answers, status for status", async () => {
    const check = async (procedure: string, reply: { status: number; body: Json }) => {
      const route = routes.find((r) => r.procedure === procedure)!;
      expect(Object.keys(opOf(doc, route).responses)).toContain(String(reply.status));
      expect(ERROR_CATALOGUE[reply.body.code as ErrorCode]?.status).toBe(reply.status);
    };
    for (const route of routes) {
      const url = `/api${route.path.replace(/\{\w+\}/g, PARAM)}`;
      await check(route.procedure, await t.rest(route.method, url, { key: null }));
      await check(route.procedure, await t.rest(route.method, url, { key: "sk_live_nobody" }));
      if (route.method === "POST" || route.method === "PUT") {
        await check(
          route.procedure,
          await t.rest(route.method, url, { raw: "plain", headers: { "content-type": "text/plain" } }),
        );
        await check(
          route.procedure,
          await t.rest(route.method, url, { raw: "{bad", headers: { "content-type": "application/json" } }),
        );
      }
    }
    await check("products.get", await t.rest("GET", `/api/products/${PARAM}`));
    await check("products.get", await t.rest("GET", "/api/products/nope"));
    await check("products.create", await t.rest("POST", "/api/products", { key: t.keys.viewer, body: {} }));
    await t.rest("POST", "/api/stores", { body: { id: "dup", name: "Dup" } });
    await check("stores.create", await t.rest("POST", "/api/stores", { body: { id: "dup", name: "Dup" } }));
    await check(
      "stores.create",
      await t
        .rest("POST", "/api/stores", {
          body: { id: "dup2", name: "Dup" },
          headers: { "idempotency-key": "k1" },
        })
        .then(() =>
          t.rest("POST", "/api/stores", {
            body: { id: "dup3", name: "Other" },
            headers: { "idempotency-key": "k1" },
          }),
        ),
    );
  });

  it("documents the event stream: its media type and frames, the feed's parameters and errors, as the server answers", async () => {
    const stream = doc.paths[EVENT_STREAM_PATH]?.get as Json;
    const feed = doc.paths["/events"].get as Json;
    expect(stream.security).toEqual([{ bearerAuth: [] }]);
    const ok = stream.responses["200"];
    expect(Object.keys(ok.content)).toEqual(["text/event-stream"]);
    expect(ok.headers["X-Request-Id"]).toEqual({ $ref: "#/components/headers/X-Request-Id" });
    for (const part of ["retry: 2000", "`id: <sequence>`", "`data: ", ": heartbeat", "Last-Event-ID"])
      expect(ok.description).toContain(part);
    expect(ok.content["text/event-stream"].example).toMatch(/^retry: 2000\n\nid: 1042\ndata: \{.*\}\n\n/);

    // The feed's query parameters, plus Last-Event-ID.
    const params = stream.parameters as Json[];
    const query = params.filter((p) => p.in === "query").map((p) => p.name);
    expect(query.sort()).toEqual(
      (feed.parameters as Json[])
        .filter((p) => p.in === "query")
        .map((p) => p.name)
        .sort(),
    );
    expect(query).toEqual(expect.arrayContaining(["after", "types"]));
    expect(params.find((p) => p.name === "Last-Event-ID")).toMatchObject({ in: "header", required: false });

    // The feed's errors, each status with the codes the feed answers.
    const feedOp = operations.find((o) => o.name === "events.list")!;
    const listed = Object.entries(stream.responses as Record<string, Json>)
      .filter(([status]) => Number(status) >= 400)
      .flatMap(([status, r]) =>
        Object.keys(r.content["application/problem+json"].examples).map((code) => `${status} ${code}`),
      );
    expect(listed.sort()).toEqual(
      operationErrorCodes(feedOp)
        .map((code) => `${ERROR_CATALOGUE[code].status} ${code}`)
        .sort(),
    );

    /** Opens the stream; a 200 is cancelled once its headers are in (it would run on). */
    const open = async (
      query: string,
      headers: Record<string, string> = {},
      key: string | null = t.keys.viewer,
    ) => {
      const res = await t.app.request(`/api${EVENT_STREAM_PATH}${query}`, {
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      });
      if (res.status === 200) {
        await res.body?.cancel();
        return { status: 200, type: res.headers.get("content-type") ?? "", body: null as Json | null };
      }
      return {
        status: res.status,
        type: res.headers.get("content-type") ?? "",
        body: (await res.json()) as Json,
      };
    };
    const documentedAs = (reply: { status: number; body: Json | null }) => {
      const media = stream.responses[String(reply.status)]?.content?.["application/problem+json"];
      return media && reply.body ? Object.keys(media.examples).includes(reply.body.code) : false;
    };
    // Every documented query parameter, with its documented example, is taken.
    for (const p of params.filter((p) => p.in === "query")) {
      const value = p.example ?? p.schema.example ?? p.schema.default;
      const reply = await open(`?${p.name}=${encodeURIComponent(String(value))}`);
      expect([p.name, reply.status, reply.type]).toEqual([
        p.name,
        200,
        expect.stringMatching(/^text\/event-stream/),
      ]);
    }
    expect((await open("", { "last-event-id": "1041" })).status).toBe(200);
    // And anything else is refused as documented: an unknown type, a parameter the doc does not name.
    const unknownType = await open("?types=stock.gone");
    expect([unknownType.status, unknownType.body?.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(documentedAs(unknownType)).toBe(true);
    expect(unknownType.body?.detail).toContain("Must be a comma list of");
    const undocumented = await open("?colour=red");
    expect([undocumented.status, undocumented.body?.code]).toEqual([400, "VALIDATION_FAILED"]);
    for (const reply of [
      await open("?after=-1"),
      await open("", { "last-event-id": "x" }),
      await open("", {}, null),
      await open("", {}, "sk_live_nobody"),
    ]) {
      expect(reply.type).toMatch(/^application\/problem\+json/);
      expect([reply.status, reply.body?.code, documentedAs(reply)]).toEqual([
        reply.status,
        reply.body?.code,
        true,
      ]);
    }
    // The documented example of a refused parameter is what the server says.
    expect((await open("?after=-1")).body?.detail).toBe(
      stream.responses["400"].content["application/problem+json"].examples.VALIDATION_FAILED.value.detail,
    );
  });

  it("agrees with tRPC's own status for every catalogue code", () => {
    // Answered by the HTTP layer before tRPC or REST see the request; tRPC has no code for them.
    const httpOnly: ErrorCode[] = ["URI_TOO_LONG", "HEADERS_TOO_LARGE"];
    for (const code of httpOnly) expect(ERROR_CATALOGUE[code].trpc).toBe("BAD_REQUEST");
    for (const code of CODES.filter((c) => !httpOnly.includes(c))) {
      const entry = ERROR_CATALOGUE[code];
      const status = getHTTPStatusCodeFromError(new TRPCError({ code: entry.trpc }));
      expect([code, entry.trpc, status]).toEqual([code, entry.trpc, entry.status]);
    }
  });

  it("is valid OpenAPI 3.1 according to redocly, which does catch a broken document", async () => {
    const result = await redoclyLint(doc);
    const errors = result.problems.filter((p) => p.severity === "error");
    expect(errors, JSON.stringify(errors.slice(0, 5), null, 2)).toEqual([]);
    expect(result.ok).toBe(true);
    // Every schema in the document is used by some operation.
    expect(result.problems.filter((p) => p.ruleId === "no-unused-components")).toEqual([]);

    const broken = structuredClone(doc);
    const first = routes[0]!;
    broken.paths[first.path][first.method.toLowerCase()].responses = { "200": { content: 5 } };
    broken.components.schemas.Problem.type = "problem";
    const bad = await redoclyLint(broken);
    expect(bad.ok).toBe(false);
    expect(bad.errors).toBeGreaterThanOrEqual(2);
  });

  it("serves /docs from the server itself, with no CDN", async () => {
    const page = await t.rest("GET", "/docs", { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const refs = [...page.text.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    expect(page.text).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/docs\/[\w.-]+$/);
      const asset = await t.rest("GET", ref, { key: null });
      expect([ref, asset.status]).toEqual([ref, 200]);
      expect(asset.text.length).toBeGreaterThan(10);
      expect(asset.headers.get("content-type")).toMatch(/^(text\/(css|javascript)|image\/png)/);
    }
    expect(refs.some((r) => r.endsWith(".js"))).toBe(true);
    expect(refs.some((r) => r.endsWith(".css"))).toBe(true);

    const init = await t.rest("GET", "/docs/init.js", { key: null });
    expect(init.text).toContain('"/openapi.json"');
    expect(init.text).not.toMatch(/https?:\/\//);
    // Swagger UI's default validator badge would fetch from validator.swagger.io.
    expect(init.text).toMatch(/validatorUrl:\s*null/);
    expectProblem(await t.rest("GET", "/docs/nothing-here.js", { key: null }), 404, "NOT_FOUND");
    expectProblem(await t.rest("GET", "/docs/..%2Fpackage.json", { key: null }), 404, "NOT_FOUND");
  });
});
