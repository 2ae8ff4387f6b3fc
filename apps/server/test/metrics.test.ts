import { Writable } from "node:stream";
import { KeyAuthenticator, type Runtime } from "@stockroom/api";
import { type BackendName, createTestDatabase, type ScratchDatabase } from "@stockroom/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";
import { createMetrics } from "../src/metrics";
import { startServer } from "../src/server";
import { addKey, testBackends } from "./helpers";

const backends = await testBackends();

/** The value of one sample in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const inside = /\{(.*)\}/.exec(line)?.[1] ?? "";
    if (want.every((w) => inside.split(",").includes(w)))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe.each(backends)("/metrics on %s", (backend: BackendName) => {
  let scratch: ScratchDatabase;
  let app: ReturnType<typeof createApp>;
  const keys: Record<string, string> = {};
  const logLines: Array<Record<string, unknown>> = [];

  const call = async (method: string, path: string, body?: unknown, key: string | null = keys.admin!) => {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  };

  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    const metrics = createMetrics({ database: scratch.database });
    const runtime: Runtime = {
      database: scratch.database,
      keys: new KeyAuthenticator(scratch.database.db, { cacheTtlMs: 5000 }),
      hooks: metrics.hooks,
    };
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    app = createApp({
      runtime,
      logger: pino({ level: "info" }, sink),
      observe: metrics.observer,
      extend: (a) => metrics.mount(a, { runtime, public: false }),
    });
    for (const role of ["viewer", "manager", "admin"] as const)
      keys[role] = (await addKey(scratch.database, role)).secret;
  });
  afterAll(() => scratch?.drop());

  it("is admin-only: 401 without a key, 403 for lower roles, Prometheus text for admin", async () => {
    const none = await call("GET", "/metrics", undefined, null);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(none.json()).toMatchObject({ code: "UNAUTHORIZED" });
    expect((await call("GET", "/metrics", undefined, "sk_live_not-a-key")).status).toBe(401);
    for (const role of ["viewer", "manager"]) {
      const low = await call("GET", "/metrics", undefined, keys[role]);
      expect(low.status).toBe(403);
      expect(low.json()).toMatchObject({ code: "FORBIDDEN" });
      expect(low.text).not.toContain("stockroom_");
    }
    const ok = await call("GET", "/metrics");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toContain("# TYPE stockroom_http_request_duration_seconds histogram");
  });

  it("times requests by route template and status, never by raw path", async () => {
    const product = (
      await call("POST", "/api/products", { sku: "MET-1", name: "Metered", category: "tools", price: 1 })
    ).json();
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await call("GET", `/api/products/${product.id}`)).status).toBe(200);
    expect((await call("GET", `/api/products/${missing}`)).status).toBe(404);
    expect((await call("GET", "/trpc/products.list")).status).toBe(200);
    expect((await call("GET", "/trpc/no.such.procedure")).status).toBe(404);
    expect((await call("GET", "/health", undefined, null)).status).toBe(200);
    expect((await call("GET", `/no/such/page/${missing}`, undefined, null)).status).toBe(404);
    expect((await call("GET", `/api/nothing/${missing}`)).status).toBe(404);

    const text = (await call("GET", "/metrics")).text;
    const count = (route: string, status: string) =>
      sample(text, "stockroom_http_request_duration_seconds_count", { route, status });
    expect(count("POST /api/products", "201")).toBe(1);
    expect(count("GET /api/products/{id}", "200")).toBe(1);
    expect(count("GET /api/products/{id}", "404")).toBe(1);
    expect(count("trpc products.list", "200")).toBe(1);
    expect(count("trpc (unknown)", "404")).toBe(1);
    expect(count("GET /health", "200")).toBe(1);
    expect(count("unmatched", "404")).toBe(2);
    expect(
      sample(text, "stockroom_http_request_duration_seconds_bucket", { route: "GET /health", le: "+Inf" }),
    ).toBe(1);
    expect(text).not.toContain(missing);
    expect(text).not.toContain(product.id);

    // The request log carries the same templates, and the raw path only for unmatched routes.
    const routes = logLines.map((l) => l.route);
    expect(routes).toContain("GET /api/products/{id}");
    expect(logLines.find((l) => l.route === "unmatched")).toMatchObject({ path: `/no/such/page/${missing}` });
  });

  it("counts requests in flight, and reports the database pool and kind", async () => {
    const text = (await call("GET", "/metrics")).text;
    // The scrape itself is the one request in flight.
    expect(sample(text, "stockroom_http_requests_in_flight")).toBe(1);
    expect(sample(text, "stockroom_database_info", { kind: scratch.database.kind })).toBe(1);
    const stats = scratch.database.poolStats();
    expect(sample(text, "stockroom_db_pool_connections", { state: "total" })).toBe(stats.total);
    expect(sample(text, "stockroom_db_pool_connections", { state: "waiting" })).toBe(stats.waiting);
    expect(sample(text, "stockroom_db_pool_connections", { state: "in_use" })).toBeGreaterThanOrEqual(0);
    if (backend === "postgres") expect(stats.total).toBeGreaterThan(0);
  });

  it("counts stock operations by kind and outcome, including rejected transfers", async () => {
    const product = (
      await call("POST", "/api/products", { sku: "MET-2", name: "Counted", category: "tools", price: 2 })
    ).json();
    for (const id of ["m1", "m2"]) await call("POST", "/api/stores", { id, name: id });
    const adjust = await call("POST", "/api/inventory/adjustments", {
      productId: product.id,
      storeId: "m1",
      delta: 10,
      reason: "received",
    });
    expect(adjust.status).toBe(201);
    const rejected = await call("POST", "/api/inventory/transfer", {
      productId: product.id,
      sourceStoreId: "m1",
      targetStoreId: "m2",
      quantity: 15,
    });
    expect(rejected.status).toBe(409);
    const moved = await call("POST", "/api/inventory/transfer", {
      productId: product.id,
      sourceStoreId: "m1",
      targetStoreId: "m2",
      quantity: 4,
    });
    expect(moved.status).toBe(201);

    const text = (await call("GET", "/metrics")).text;
    const ops = (kind: string, outcome: string) =>
      sample(text, "stockroom_stock_operations_total", { kind, outcome });
    expect(ops("adjustment", "ok")).toBe(1);
    expect(ops("transfer", "insufficient_stock")).toBe(1);
    expect(ops("transfer", "ok")).toBe(1);
  });

  it("includes process metrics", async () => {
    const text = (await call("GET", "/metrics")).text;
    expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sample(text, "nodejs_heap_size_total_bytes")).toBeGreaterThan(0);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});

describe("/metrics wired into the real server", () => {
  const start = async (env: Record<string, string>) =>
    startServer(
      loadConfig({
        PORT: "0",
        HOST: "127.0.0.1",
        STOCKROOM_DATA_DIR: "memory://",
        STOCKROOM_DEMO: "false",
        ...env,
      }),
      pino({ level: "silent" }),
    );

  it("is open without a key when STOCKROOM_METRICS_PUBLIC=true, admin-only otherwise", async () => {
    const open = await start({ STOCKROOM_METRICS_PUBLIC: "true" });
    try {
      await fetch(`${open.url}/health`);
      const res = await fetch(`${open.url}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(
        sample(text, "stockroom_http_request_duration_seconds_count", {
          route: "GET /health",
          status: "200",
        }),
      ).toBe(1);
      expect(sample(text, "stockroom_database_info", { kind: "pglite" })).toBe(1);
    } finally {
      await open.close();
    }
    const closed = await start({ STOCKROOM_BOOTSTRAP_KEY: "admin-secret-for-metrics" });
    try {
      expect((await fetch(`${closed.url}/metrics`)).status).toBe(401);
      const res = await fetch(`${closed.url}/metrics`, {
        headers: { authorization: "Bearer admin-secret-for-metrics" },
      });
      expect(res.status).toBe(200);
    } finally {
      await closed.close();
    }
  });
});
