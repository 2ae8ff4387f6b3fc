import { operations, restRoutes } from "@stockroom/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends, trpcCode } from "./helpers";

// REST and tRPC are two doors to the same runner, built from one table of operations. The
// table is compared with what each transport serves; the behaviour that only the runner
// gives (key check before input, one idempotency record) is checked across both.

const backends = await testBackends();
const kindOf = (name: string) =>
  operations.find((op) => op.name === name)?.kind === "read" ? "query" : "mutation";

describe("the operation table", () => {
  it("is what REST serves: one route per operation with OpenAPI meta, running that operation", () => {
    const routes = restRoutes();
    expect(routes.map((r) => r.procedure).sort()).toEqual(
      operations
        .filter((op) => op.meta.openapi)
        .map((op) => op.name)
        .sort(),
    );
    for (const route of routes) {
      const op = operations.find((o) => o.name === route.procedure)!;
      expect(route.operation).toBe(op);
      expect([route.method, route.path, route.type]).toEqual([
        op.meta.openapi!.method,
        op.meta.openapi!.path,
        kindOf(op.name),
      ]);
    }
  });
});

describe.each(backends)("REST and tRPC run the same runner on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  it("tRPC serves every operation of the table, each a query for a read and a mutation otherwise", async () => {
    const names = operations.map((op) => op.name as string);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      // The other HTTP method is refused by tRPC itself, before the runner: that is the kind it serves.
      const wrong = kindOf(name) === "query" ? "mutation" : "query";
      const refused = await t.trpc(wrong, name, {});
      expect([name, refused.status, trpcCode(refused)]).toEqual([name, 405, "METHOD_NOT_ALLOWED"]);
      const served = await t.trpc(kindOf(name), name, {}, { key: null });
      expect([name, served.status]).not.toEqual([name, 404]);
      expect([name, served.status]).not.toEqual([name, 405]);
    }
    const unknown = await t.trpc("query", "products.nothing", {});
    expect([unknown.status, trpcCode(unknown)]).toEqual([404, "NOT_FOUND"]);
  });

  // No tRPC procedure parses its own input: the runner does, after the key check (below).
  it("checks the key before it looks at the input, over both", async () => {
    const badStore = { id: "NOT A SLUG", name: 7, extra: true };
    const rest = await t.rest("POST", "/api/stores", { key: null, body: badStore });
    expectProblem(rest, 401, "UNAUTHORIZED");
    const mutation = await t.trpc("mutation", "stores.create", badStore, { key: null });
    expect([mutation.status, trpcCode(mutation)]).toEqual([401, "UNAUTHORIZED"]);
    const query = await t.trpc("query", "products.list", { limit: "many" }, { key: null });
    expect([query.status, trpcCode(query)]).toEqual([401, "UNAUTHORIZED"]);
    // Not even JSON: still the key first, over REST and over tRPC.
    const headers = { "content-type": "application/json" };
    expectProblem(
      await t.rest("POST", "/api/stores", { key: null, raw: "{nope", headers }),
      401,
      "UNAUTHORIZED",
    );
    const raw = await t.rest("POST", "/trpc/stores.create", { key: null, raw: "{nope", headers });
    expect([raw.status, trpcCode(raw)]).toEqual([401, "UNAUTHORIZED"]);
    // Below the minimum role: 403, whatever the input.
    const viewer = await t.trpc("mutation", "stores.create", badStore, { key: t.keys.viewer });
    expect([viewer.status, trpcCode(viewer)]).toEqual([403, "FORBIDDEN"]);

    // With a key, the same input is refused by the same schema, with the same issues.
    const restBad = await t.rest("POST", "/api/stores", { body: badStore });
    expectProblem(restBad, 400, "VALIDATION_FAILED");
    const trpcBad = await t.trpc("mutation", "stores.create", badStore);
    expect([trpcBad.status, trpcCode(trpcBad)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(trpcBad.body.error.data.issues).toEqual(restBad.body.issues);
    const trpcRaw = await t.rest("POST", "/trpc/stores.create", { raw: "{nope", headers });
    expect([trpcRaw.status, trpcCode(trpcRaw)]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("keeps one idempotency record per key across both transports", async () => {
    const store = { id: "both-doors", name: "Both doors" };
    const key = { "idempotency-key": "one-record-two-doors" };
    const created = await t.rest("POST", "/api/stores", { body: store, headers: key });
    expect(created.status).toBe(201);
    expect(created.headers.get("idempotent-replayed")).toBeNull();

    const replayed = await t.trpc("mutation", "stores.create", store, { headers: key });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body.result.data).toEqual(created.body);

    const reused = await t.trpc("mutation", "stores.create", { ...store, name: "Other" }, { headers: key });
    expect([reused.status, trpcCode(reused)]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    const again = await t.rest("POST", "/api/stores", { body: store, headers: key });
    expect([again.status, again.headers.get("idempotent-replayed"), again.body]).toEqual([
      201,
      "true",
      created.body,
    ]);
  });

  it("replays an answer without a body (204) as it was stored, over both", async () => {
    await t.rest("POST", "/api/stores", { body: { id: "gone-twice", name: "Gone" } });
    const key = { "idempotency-key": "delete-once" };
    const first = await t.rest("DELETE", "/api/stores/gone-twice", { headers: key });
    expect([first.status, first.headers.get("idempotent-replayed")]).toEqual([204, null]);
    const again = await t.rest("DELETE", "/api/stores/gone-twice", { headers: key });
    expect([again.status, again.headers.get("idempotent-replayed")]).toEqual([204, "true"]);
    const overTrpc = await t.trpc("mutation", "stores.delete", { id: "gone-twice" }, { headers: key });
    expect([overTrpc.status, overTrpc.headers.get("idempotent-replayed")]).toEqual([200, "true"]);
  });
});
