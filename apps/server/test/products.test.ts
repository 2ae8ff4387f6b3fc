import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();

describe.each(backends)("products on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  const hammer = { sku: "HAM-1", name: "Claw hammer", category: "tools", price: 18.99 };

  it("creates over REST with 201 and reads it back", async () => {
    const created = await t.rest("POST", "/api/products", { body: hammer, key: t.keys.manager });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...hammer, description: null, totalQuantity: 0 });
    const got = await t.rest("GET", `/api/products/${created.body.id}`, { key: t.keys.viewer });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
  });

  it("refuses a taken sku case-insensitively with SKU_TAKEN", async () => {
    const again = await t.rest("POST", "/api/products", { body: { ...hammer, sku: "ham-1" } });
    expectProblem(again, 409, "SKU_TAKEN");
    const viaTrpc = await t.trpc("mutation", "products.create", { ...hammer, sku: "Ham-1" });
    expect(viaTrpc.status).toBe(409);
    expect(trpcCode(viaTrpc)).toBe("SKU_TAKEN");
  });
});
