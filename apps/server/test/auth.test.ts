import { operations, ROLES, type Role, restRoutes, roleRank } from "@stockroom/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, expectProblem, type Reply, type TestApp, testBackends, trpcCode } from "./helpers";

// Shared auth tests, written once and run for every REST route and every tRPC procedure.

const backends = await testBackends();

const byName = new Map(operations.map((op) => [op.name as string, op]));
const minRoleOf = (name: string): Role => {
  const role = byName.get(name)?.minRole;
  if (!role) throw new Error(`procedure ${name} declares no minRole`);
  return role;
};

/** The roles API.md gives each procedure; procedures added later are checked when listed here. */
const API_MD_ROLES: Record<string, Role> = {
  "products.list": "viewer",
  "products.get": "viewer",
  "products.create": "manager",
  "products.update": "manager",
  "products.delete": "manager",
  "products.upsertMany": "manager",
  "stores.list": "viewer",
  "stores.get": "viewer",
  "stores.create": "manager",
  "stores.update": "manager",
  "stores.delete": "manager",
  "keys.list": "admin",
  "keys.create": "admin",
  "keys.revoke": "admin",
  "inventory.listByStore": "viewer",
  "inventory.setLevel": "manager",
  "inventory.adjust": "clerk",
  "inventory.transfer": "clerk",
  "inventory.alerts": "viewer",
  "inventory.audit": "admin",
  "movements.list": "viewer",
  "movements.get": "viewer",
};

const PARAM = "00000000-0000-4000-8000-000000000000"; // a uuid that is also a valid store id
const routes = restRoutes().map((r) => ({
  ...r,
  url: `/api${r.path.replace(/\{\w+\}/g, PARAM)}`,
  label: `${r.method} ${r.path}`,
  minRole: minRoleOf(r.procedure),
}));
const procedureNames = [...byName.keys()].sort();

describe("the role table", () => {
  it("every procedure declares the role API.md gives it", () => {
    for (const name of procedureNames) {
      const role = minRoleOf(name);
      expect(ROLES).toContain(role);
      if (API_MD_ROLES[name]) expect([name, role]).toEqual([name, API_MD_ROLES[name]]);
    }
    for (const name of Object.keys(API_MD_ROLES).filter(
      (n) => n.startsWith("products.") || n.startsWith("stores.") || n.startsWith("keys."),
    ))
      expect(procedureNames).toContain(name);
  });

  it("every REST route belongs to an authenticated procedure", () => {
    expect(routes.length).toBeGreaterThanOrEqual(14);
    for (const r of routes) expect(ROLES).toContain(r.minRole);
  });
});

describe.each(backends)("auth on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t?.close());

  const hasBody = (method: string) => method === "POST" || method === "PUT" || method === "PATCH";

  const expect401 = (reply: Reply, label: string) => {
    try {
      expectProblem(reply, 401, "UNAUTHORIZED");
    } catch (err) {
      throw new Error(`${label}: ${(err as Error).message}`);
    }
  };

  describe.each(routes)("REST $label", (route) => {
    const send = (headers: Record<string, string>, body: unknown = hasBody(route.method) ? {} : undefined) =>
      t.rest(route.method, route.url, { key: null, headers, body });

    it("answers 401 UNAUTHORIZED without a key, with or without a body", async () => {
      expect401(await send({}), "no header");
      if (hasBody(route.method)) {
        expect401(await send({}, undefined), "no header, no body");
        expect401(await t.rest(route.method, route.url, { key: null, raw: "{oops" }), "no header, bad body");
      }
    });

    it("answers 401 for an unknown or revoked-looking key", async () => {
      expect401(
        await send({ authorization: "Bearer sk_live_thisKeyDoesNotExist0000000000000000000000" }),
        "unknown",
      );
      expect401(await send({ authorization: `Bearer ${"x".repeat(300)}` }), "very long");
      expect401(await send({ authorization: `Bearer ${t.keys.admin}x` }), "admin key plus a character");
    });

    it("answers 401 for a malformed Authorization header", async () => {
      for (const authorization of [
        "Basic x",
        `Basic ${Buffer.from(`admin:${t.keys.admin}`).toString("base64")}`,
        "Bearer",
        "Bearer ",
        `Token ${t.keys.admin}`,
        t.keys.admin,
        `Bearer ${t.keys.admin} ${t.keys.admin}`,
        `Bearer:${t.keys.admin}`,
      ])
        expect401(await send({ authorization }), JSON.stringify(authorization.slice(0, 30)));
    });

    it("answers 403 FORBIDDEN for every role below the route's minimum, and lets the minimum through", async () => {
      for (const role of ROLES) {
        const reply = await t.rest(route.method, route.url, {
          key: t.keys[role],
          body: hasBody(route.method) ? {} : undefined,
        });
        if (roleRank(role) < roleRank(route.minRole)) {
          try {
            expectProblem(reply, 403, "FORBIDDEN");
          } catch (err) {
            throw new Error(`role ${role}: ${(err as Error).message}`);
          }
          expect(reply.body.detail).toContain(route.minRole);
        } else {
          expect([401, 403], `${role}: ${reply.text.slice(0, 200)}`).not.toContain(reply.status);
        }
      }
    });
  });

  describe.each(procedureNames)("tRPC %s", (name) => {
    const type = byName.get(name)!.kind === "read" ? "query" : "mutation";
    const call = (key: string | null, headers: Record<string, string> = {}) =>
      t.trpc(type, name, {}, { key, headers });
    const expectTrpc = (reply: Reply, status: number, code: string, label: string) =>
      expect([label, reply.status, trpcCode(reply), reply.text.includes("    at ")]).toEqual([
        label,
        status,
        code,
        false,
      ]);

    it("answers 401 without a key, with an unknown key and with a malformed header", async () => {
      expectTrpc(await call(null), 401, "UNAUTHORIZED", "no header");
      expectTrpc(await call("sk_live_unknown000000000000000000000000000000"), 401, "UNAUTHORIZED", "unknown");
      for (const authorization of ["Basic x", "Bearer", `Token ${t.keys.admin}`, t.keys.admin])
        expectTrpc(await call(null, { authorization }), 401, "UNAUTHORIZED", authorization.slice(0, 20));
    });

    it("answers 403 for every role below its minimum", async () => {
      const min = minRoleOf(name);
      for (const role of ROLES) {
        const reply = await call(t.keys[role]);
        if (roleRank(role) < roleRank(min)) expectTrpc(reply, 403, "FORBIDDEN", role);
        else expect([401, 403], `${role}: ${reply.text.slice(0, 200)}`).not.toContain(reply.status);
      }
    });
  });

  it("leaves /health, /ready, /docs and /openapi.json open", async () => {
    for (const path of ["/health", "/ready", "/docs", "/openapi.json"])
      expect([path, (await t.rest("GET", path, { key: null })).status]).toEqual([path, 200]);
  });

  it("accepts the scheme in any case", async () => {
    const reply = await t.rest("GET", "/api/products", {
      key: null,
      headers: { authorization: `bearer ${t.keys.viewer}` },
    });
    expect(reply.status).toBe(200);
  });
});
