import {
  KeyAuthenticator,
  operations,
  ROLES,
  type Role,
  type Runtime,
  restRoutes,
  roleRank,
} from "@stockroom/api";
import { createDatabase, type Database } from "@stockroom/db";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { loadConfig } from "../src/config";
import { addKey, createTestApp, type TestApp, testBackends } from "./helpers";

// The whole table at once: every REST route × every kind of caller, each cell checked
// against the route's declared minimum role. auth.test.ts holds the per-route details
// (malformed headers, 403 wording, tRPC); this file adds revoked keys, the table as one
// artefact, and revocation across replicas that cache verified keys.

const backends = await testBackends();

const minRoleOf = (name: string): Role => {
  const role = operations.find((op) => op.name === name)?.minRole;
  if (!role) throw new Error(`procedure ${name} declares no minRole`);
  return role;
};

const PRINCIPALS = ["no key", "unknown key", "revoked key", ...ROLES] as const;
type Principal = (typeof PRINCIPALS)[number];

/** What a cell must be: 401, 403, or "allowed" (anything but 401/403, and never a 5xx). */
function expected(principal: Principal, minRole: Role): 401 | 403 | "allowed" {
  if (principal === "no key" || principal === "unknown key" || principal === "revoked key") return 401;
  return roleRank(principal) < roleRank(minRole) ? 403 : "allowed";
}

// A uuid that is also a valid store slug: every path parameter passes validation, so an
// allowed caller reaches the procedure (and gets a 404 or 400, not a 401/403).
const PARAM = "00000000-0000-4000-8000-000000000000";
const routes = restRoutes().map((r) => ({
  ...r,
  url: `/api${r.path.replace(/\{\w+\}/g, PARAM)}`,
  label: `${r.method} ${r.path}`,
  minRole: minRoleOf(r.procedure),
}));

describe.each(backends)("auth matrix on %s", (backend) => {
  let t: TestApp;
  const secrets = {} as Record<Principal, string | null>;

  beforeAll(async () => {
    t = await createTestApp(backend);
    const revoked = await t.rest("POST", "/api/keys", { body: { name: "to revoke", role: "admin" } });
    expect(revoked.status).toBe(201);
    // It works before it is revoked: the 401s below are the revocation's doing.
    expect((await t.rest("GET", "/api/keys", { key: revoked.body.secret })).status).toBe(200);
    expect((await t.rest("DELETE", `/api/keys/${revoked.body.id}`)).status).toBe(204);
    Object.assign(secrets, {
      "no key": null,
      "unknown key": "sk_live_NotAKeyThisServerEverIssued000000000000",
      "revoked key": revoked.body.secret,
      ...t.keys,
    });
  });
  afterAll(() => t?.close());

  it("every route × every caller answers as the route's minimum role says", async () => {
    const table: Record<string, Record<string, number>> = {};
    const wrong: string[] = [];
    for (const route of routes) {
      const row: Record<string, number> = {};
      for (const principal of PRINCIPALS) {
        const hasBody = route.method === "POST" || route.method === "PUT";
        const reply = await t.rest(route.method, route.url, {
          key: secrets[principal],
          body: hasBody ? {} : undefined,
        });
        row[principal] = reply.status;
        const want = expected(principal, route.minRole);
        const problem = reply.status >= 400 ? reply.body?.code : undefined;
        const ok =
          want === "allowed"
            ? reply.status !== 401 && reply.status !== 403 && reply.status < 500
            : reply.status === want && problem === (want === 401 ? "UNAUTHORIZED" : "FORBIDDEN");
        if (!ok)
          wrong.push(
            `${route.label} as ${principal}: want ${want}, got ${reply.status} ${reply.text.slice(0, 120)}`,
          );
      }
      table[`${route.label} (${route.minRole}+)`] = row;
    }
    console.log(`[auth matrix ${backend}] ${routes.length} routes × ${PRINCIPALS.length} callers`);
    console.table(table);
    expect(wrong).toEqual([]);
    // Every role is somewhere the minimum, so every column above "viewer" has a 403 in it.
    const minima = new Set(routes.map((r) => r.minRole));
    expect([...minima].sort()).toEqual(["admin", "clerk", "manager", "viewer"]);
  });

  it("a key stops working at once, on the replica that revoked it, even right after use", async () => {
    const created = await t.rest("POST", "/api/keys", { body: { name: "busy", role: "manager" } });
    const secret = created.body.secret as string;
    for (let i = 0; i < 3; i++)
      expect((await t.rest("GET", "/api/stores", { key: secret })).status).toBe(200);
    expect((await t.rest("DELETE", `/api/keys/${created.body.id}`)).status).toBe(204);
    for (const route of routes) {
      const reply = await t.rest(route.method, route.url, { key: secret });
      expect([route.label, reply.status, reply.body?.code]).toEqual([route.label, 401, "UNAUTHORIZED"]);
    }
  });
});

describe.each(backends)("revocation across two replicas on %s", (backend) => {
  const TTL_MS = 300;
  let t: TestApp;
  let second: Database | null = null;

  beforeAll(async () => {
    t = await createTestApp(backend, { keyCacheTtlMs: TTL_MS });
    // Postgres: the other replica has its own pool. PGlite has one connection per data dir:
    // the replicas share it, and each still has its own key cache, which is what matters.
    if (backend === "postgres") second = await createDatabase({ url: t.url!, poolSize: 2 });
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  const replica = (cacheTtlMs: number) => {
    const database = second ?? t.database;
    const runtime: Runtime = { database, keys: new KeyAuthenticator(database.db, { cacheTtlMs }), hooks: {} };
    const app = createApp({ runtime, logger: pino({ level: "silent" }) });
    return async (secret: string) =>
      (await app.request("/api/stores", { headers: { authorization: `Bearer ${secret}` } })).status;
  };

  it(`the other replica refuses a revoked key within its cache TTL (${TTL_MS} ms here; 5 s by default)`, async () => {
    const other = replica(TTL_MS);
    const key = await addKey(t.database, "viewer", "revoked on A");
    // Both replicas verify, and so cache, the key.
    expect((await t.rest("GET", "/api/stores", { key: key.secret })).status).toBe(200);
    expect(await other(key.secret)).toBe(200);

    const revokedAt = performance.now();
    expect((await t.rest("DELETE", `/api/keys/${key.id}`)).status).toBe(204);
    expect((await t.rest("GET", "/api/stores", { key: key.secret })).status).toBe(401);
    const statuses: number[] = [];
    let refusedAfterMs: number | null = null;
    while (performance.now() - revokedAt < TTL_MS * 4) {
      const status = await other(key.secret);
      statuses.push(status);
      if (status === 401) {
        refusedAfterMs = Math.round(performance.now() - revokedAt);
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    console.log(
      `[auth matrix ${backend}] revoked key: other replica refused it after ${refusedAfterMs} ms (TTL ${TTL_MS} ms), accepted ${statuses.filter((s) => s === 200).length} request(s) from its cache meanwhile`,
    );
    expect(refusedAfterMs).not.toBeNull();
    expect(refusedAfterMs!).toBeLessThanOrEqual(TTL_MS + 250);
    // And it stays refused.
    for (let i = 0; i < 5; i++) expect(await other(key.secret)).toBe(401);
  });

  it("with a TTL of 0 every replica refuses a revoked key on the very next request", async () => {
    const other = replica(0);
    const key = await addKey(t.database, "clerk", "revoked, no cache");
    expect(await other(key.secret)).toBe(200);
    expect((await t.rest("DELETE", `/api/keys/${key.id}`)).status).toBe(204);
    expect(await other(key.secret)).toBe(401);
  });

  it("the default cache TTL is 5 s (STOCKROOM_KEY_CACHE_TTL_MS)", () => {
    expect(loadConfig({}).STOCKROOM_KEY_CACHE_TTL_MS).toBe(5000);
    expect(new KeyAuthenticator(t.database.db).cacheTtlMs).toBe(5000);
  });
});
