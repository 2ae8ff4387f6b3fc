import { ensureBootstrapKey } from "@stockroom/api";
import { apiKeys } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type TestApp, testBackends, trpcCode } from "./helpers";

const backends = await testBackends();

interface ApiKey {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

describe.each(backends)("api keys on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  const listKeys = async () => {
    const reply = await t.rest("GET", "/api/keys", { key: t.keys.admin });
    expect(reply.status).toBe(200);
    return reply;
  };
  const createKey = async (name: string, role: string) => {
    const reply = await t.rest("POST", "/api/keys", { body: { name, role }, key: t.keys.admin });
    expect(reply.status).toBe(201);
    return reply.body as ApiKey & { secret: string };
  };

  it("creates a key, answering its secret once; the list never shows it", async () => {
    const created = await t.rest("POST", "/api/keys", {
      body: { name: "till 3", role: "clerk" },
      key: t.keys.admin,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "till 3",
      role: "clerk",
      prefix: expect.any(String),
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
      secret: expect.any(String),
    });
    const { secret, prefix, id } = created.body as ApiKey & { secret: string };
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(prefix.length).toBeGreaterThanOrEqual(8);
    expect(prefix.length).toBeLessThan(secret.length - 20);
    expect(secret.startsWith(prefix)).toBe(true);

    const listed = await listKeys();
    expect(listed.text).not.toContain(secret);
    const item = (listed.body.items as ApiKey[]).find((k) => k.id === id);
    expect(item).toEqual({ ...created.body, secret: undefined });
    expect(item).not.toHaveProperty("secret");
    for (const k of listed.body.items as ApiKey[]) expect(k).not.toHaveProperty("secret");

    // Only a hash is stored.
    const rows = await t.database.db.select().from(apiKeys);
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it("answers each created key with a different secret", async () => {
    const a = await createKey("twin a", "viewer");
    const b = await createKey("twin b", "viewer");
    expect(a.secret).not.toBe(b.secret);
    expect(a.id).not.toBe(b.id);
  });

  it("creates over tRPC too", async () => {
    const reply = await t.trpc("mutation", "keys.create", { name: "via trpc", role: "viewer" });
    expect(reply.status).toBe(200);
    const key = reply.body.result.data as ApiKey & { secret: string };
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    const listed = await t.trpc("query", "keys.list");
    expect(listed.body.result.data.items.map((k: ApiKey) => k.id)).toContain(key.id);
    expect(listed.text).not.toContain(key.secret);
  });

  it("a new key works at once, with exactly its role", async () => {
    const viewer = await createKey("new viewer", "viewer");
    expect((await t.rest("GET", "/api/products", { key: viewer.secret })).status).toBe(200);
    expectProblem(
      await t.rest("POST", "/api/stores", { key: viewer.secret, body: { id: "nope", name: "Nope" } }),
      403,
      "FORBIDDEN",
    );
    const manager = await createKey("new manager", "manager");
    expect(
      (await t.rest("POST", "/api/stores", { key: manager.secret, body: { id: "by-new-key", name: "New" } }))
        .status,
    ).toBe(201);
    expectProblem(await t.rest("GET", "/api/keys", { key: manager.secret }), 403, "FORBIDDEN");
    const admin = await createKey("new admin", "admin");
    expect((await t.rest("GET", "/api/keys", { key: admin.secret })).status).toBe(200);
  });

  it("revokes with 204; the revoked key gets 401 at once, even right after use", async () => {
    const key = await createKey("leaked", "manager");
    expect((await t.rest("GET", "/api/products", { key: key.secret })).status).toBe(200);
    const revoked = await t.rest("DELETE", `/api/keys/${key.id}`, { key: t.keys.admin });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe("");
    expectProblem(await t.rest("GET", "/api/products", { key: key.secret }), 401, "UNAUTHORIZED");
    const trpc = await t.trpc("query", "products.list", {}, { key: key.secret });
    expect([trpc.status, trpcCode(trpc)]).toEqual([401, "UNAUTHORIZED"]);

    const listed = (await listKeys()).body.items as ApiKey[];
    const item = listed.find((k) => k.id === key.id)!;
    expect(item.revokedAt).not.toBeNull();
    expect(Date.parse(item.revokedAt!)).toBeGreaterThan(0);

    // Revoking again is harmless and keeps the first time.
    expect((await t.rest("DELETE", `/api/keys/${key.id}`)).status).toBe(204);
    const again = ((await listKeys()).body.items as ApiKey[]).find((k) => k.id === key.id)!;
    expect(again.revokedAt).toBe(item.revokedAt);
  });

  it("revokes over tRPC", async () => {
    const key = await createKey("trpc revoked", "viewer");
    const reply = await t.trpc("mutation", "keys.revoke", { id: key.id });
    expect(reply.status).toBe(200);
    expectProblem(await t.rest("GET", "/api/products", { key: key.secret }), 401, "UNAUTHORIZED");
  });

  it("answers 404 for an unknown key and 400 for an id that is not a uuid", async () => {
    const missing = await t.rest("DELETE", "/api/keys/00000000-0000-4000-8000-000000000000");
    expectProblem(missing, 404, "NOT_FOUND");
    expect(missing.body.detail).toContain("00000000-0000-4000-8000-000000000000");
    expectProblem(await t.rest("DELETE", "/api/keys/sk_live_abc"), 400, "VALIDATION_FAILED");
  });

  it("validates name and role", async () => {
    for (const body of [
      { name: "", role: "admin" },
      { name: "x".repeat(101), role: "admin" },
      { name: "ok", role: "owner" },
      { name: "ok" },
      { role: "admin" },
      { name: "ok", role: "admin", secret: "chosen" },
    ])
      expectProblem(await t.rest("POST", "/api/keys", { body }), 400, "VALIDATION_FAILED");
  });

  it("is for admins only", async () => {
    for (const role of ["viewer", "clerk", "manager"] as const) {
      const key = t.keys[role];
      expectProblem(await t.rest("GET", "/api/keys", { key }), 403, "FORBIDDEN");
      expectProblem(
        await t.rest("POST", "/api/keys", { key, body: { name: "x", role: "admin" } }),
        403,
        "FORBIDDEN",
      );
      expectProblem(
        await t.rest("DELETE", "/api/keys/00000000-0000-4000-8000-000000000000", { key }),
        403,
        "FORBIDDEN",
      );
      const trpc = await t.trpc("mutation", "keys.create", { name: "x", role: "admin" }, { key });
      expect([trpc.status, trpcCode(trpc)]).toEqual([403, "FORBIDDEN"]);
    }
  });

  it("fills lastUsedAt once a key is used", async () => {
    const key = await createKey("used", "viewer");
    expect(((await listKeys()).body.items as ApiKey[]).find((k) => k.id === key.id)!.lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await t.rest("GET", "/api/stores", { key: key.secret })).status).toBe(200);
    // The update is written off the request path; give it a moment.
    let lastUsedAt: string | null = null;
    for (let i = 0; i < 50 && !lastUsedAt; i++) {
      await new Promise((r) => setTimeout(r, 50));
      lastUsedAt = ((await listKeys()).body.items as ApiKey[]).find((k) => k.id === key.id)!.lastUsedAt;
    }
    expect(lastUsedAt).not.toBeNull();
    expect(Date.parse(lastUsedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(lastUsedAt!)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  describe("bootstrap key", () => {
    const secret = `sk_live_bootstrap_${backend}_0123456789abcdef`;

    it("ensureBootstrapKey is idempotent and its secret works as admin", async () => {
      const first = await ensureBootstrapKey(t.database.db, secret);
      expect(first.created).toBe(true);
      const second = await ensureBootstrapKey(t.database.db, secret);
      expect(second).toEqual({ created: false, id: first.id });
      const rows = (await t.database.db.select().from(apiKeys)).filter((k) => k.id === first.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.role).toBe("admin");
      expect(secret.startsWith(rows[0]!.prefix)).toBe(true);

      const listed = await t.rest("GET", "/api/keys", { key: secret });
      expect(listed.status).toBe(200);
      expect((listed.body.items as ApiKey[]).filter((k) => k.id === first.id)).toHaveLength(1);
      expect(listed.text).not.toContain(secret);
    });

    it("brings a revoked bootstrap key back, as admin", async () => {
      const { id } = await ensureBootstrapKey(t.database.db, secret);
      expect((await t.rest("DELETE", `/api/keys/${id}`)).status).toBe(204);
      expectProblem(await t.rest("GET", "/api/keys", { key: secret }), 401, "UNAUTHORIZED");
      await t.database.db.execute(`update api_keys set role = 'viewer' where id = '${id}'`);
      const again = await ensureBootstrapKey(t.database.db, secret);
      expect(again.id).toBe(id);
      expect((await t.rest("GET", "/api/keys", { key: secret })).status).toBe(200);
    });
  });
});
