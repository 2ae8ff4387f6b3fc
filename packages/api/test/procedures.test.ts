import { createTestDatabase, type ScratchDatabase, testBackends } from "@stockroom/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AppError,
  appRouter,
  createCallerFactory,
  ensureBootstrapKey,
  KeyAuthenticator,
  type RootContext,
  type Runtime,
  toHandle,
} from "../src";

// The procedures without HTTP: the same callers the REST adapter uses, on a real database.

const backends = await testBackends();
const createCaller = createCallerFactory(appRouter);
const ADMIN = "sk_live_procedure_tests_admin_0001";

describe.each(backends)("procedures through createCaller on %s", (backend) => {
  let scratch: ScratchDatabase;
  let runtime: Runtime;
  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
    runtime = { database: scratch.database, keys: new KeyAuthenticator(scratch.database.db), hooks: {} };
    await ensureBootstrapKey(scratch.database.db, ADMIN);
  });
  afterAll(() => scratch?.drop());

  const context = (secret: string | null, idempotencyKey: string | null = null): RootContext => ({
    requestId: "req-test",
    authorization: secret === null ? null : `Bearer ${secret}`,
    idempotencyKey,
    responseHeaders: new Map(),
    runtime: toHandle(runtime),
    log: { keyId: null },
  });
  const as = (secret: string | null) => createCaller(context(secret));
  const rejection = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  };

  it("runs the product lifecycle", async () => {
    const admin = as(ADMIN);
    const created = await admin.products.create({
      sku: "CALL-1",
      name: "Caller",
      category: "caller",
      price: 4.5,
    });
    expect(created).toMatchObject({ sku: "CALL-1", price: 4.5, description: null, totalQuantity: 0 });
    expect(await admin.products.get({ id: created.id })).toEqual(created);
    const listed = await admin.products.list({ category: "caller" });
    expect(listed).toMatchObject({ total: 1, limit: 20, offset: 0 });
    expect((await admin.products.list()).total).toBe(1);
    const updated = await admin.products.update({ id: created.id, description: "now described" });
    expect(updated).toMatchObject({ sku: "CALL-1", description: "now described" });
    await admin.products.delete({ id: created.id });
    const gone = await rejection(admin.products.get({ id: created.id }));
    expect([gone.appCode, gone.status]).toEqual(["NOT_FOUND", 404]);
  });

  it("turns bad input and domain conflicts into coded errors", async () => {
    const admin = as(ADMIN);
    const bad = await rejection(
      admin.products.create({ sku: "CALL-2", name: "x", category: "c", price: 1.234 }),
    );
    expect([bad.appCode, bad.status, bad.issues?.[0]?.path]).toEqual(["VALIDATION_FAILED", 400, "price"]);
    await admin.products.create({ sku: "CALL-2", name: "x", category: "c", price: 1 });
    const taken = await rejection(
      admin.products.create({ sku: "call-2", name: "y", category: "c", price: 1 }),
    );
    expect([taken.appCode, taken.status]).toEqual(["SKU_TAKEN", 409]);
    await admin.stores.create({ id: "caller", name: "Caller" });
    const exists = await rejection(admin.stores.create({ id: "caller", name: "Again" }));
    expect(exists.appCode).toBe("STORE_EXISTS");
  });

  it("authenticates and authorises by role", async () => {
    const missing = await rejection(as(null).products.list({}));
    expect([missing.appCode, missing.status]).toEqual(["UNAUTHORIZED", 401]);
    expect((await rejection(as("sk_live_unknown").products.list({}))).appCode).toBe("UNAUTHORIZED");
    const viewer = await as(ADMIN).keys.create({ name: "caller viewer", role: "viewer" });
    expect((await as(viewer.secret).stores.list()).items.map((s) => s.id)).toContain("caller");
    const denied = await rejection(as(viewer.secret).stores.create({ id: "denied", name: "No" }));
    expect([denied.appCode, denied.status]).toEqual(["FORBIDDEN", 403]);
    await as(ADMIN).keys.revoke({ id: viewer.id });
    expect((await rejection(as(viewer.secret).stores.list())).appCode).toBe("UNAUTHORIZED");
  });

  it("upserts a batch in one go, or not at all", async () => {
    const admin = as(ADMIN);
    const rows = [
      { sku: "BATCH-1", name: "One", category: "batch", price: 1 },
      { sku: "BATCH-2", name: "Two", category: "batch", price: -2 },
    ];
    expect(await admin.products.upsertMany({ items: rows, onError: "rejectAll" })).toMatchObject({
      created: 0,
      updated: 0,
      failed: [{ index: 1, sku: "BATCH-2", code: "VALIDATION_FAILED" }],
    });
    expect((await admin.products.list({ category: "batch" })).total).toBe(0);
    expect(await admin.products.upsertMany({ items: rows, onError: "skipFailed" })).toMatchObject({
      created: 1,
      updated: 0,
    });
    expect(await admin.products.upsertMany({ items: [{ ...rows[0]!, sku: "batch-1", price: 9 }] })).toEqual({
      created: 0,
      updated: 1,
      failed: [],
    });
    expect((await admin.products.list({ category: "batch" })).items).toMatchObject([
      { sku: "batch-1", price: 9 },
    ]);
  });

  it("replays a mutation sent again with the same idempotency key", async () => {
    const first = context(ADMIN, "caller-idem");
    const created = await createCaller(first).stores.create({ id: "idem-store", name: "Once" });
    expect(first.responseHeaders.get("idempotent-replayed")).toBeUndefined();
    const second = context(ADMIN, "caller-idem");
    expect(await createCaller(second).stores.create({ id: "idem-store", name: "Once" })).toEqual(created);
    expect(second.responseHeaders.get("idempotent-replayed")).toBe("true");
    const reused = await rejection(
      createCaller(context(ADMIN, "caller-idem")).stores.create({ id: "idem-other", name: "Twice" }),
    );
    expect([reused.appCode, reused.status]).toEqual(["IDEMPOTENCY_KEY_REUSED", 422]);
  });
});
