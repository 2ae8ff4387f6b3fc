import { createDatabase, type Database, rowsOf, sql } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { type RunningServer, startServer } from "../src/server";
import { waitFor } from "./child-server";
import { createTestApp, expectProblem, type TestApp, testBackends } from "./helpers";
import { type Cluster, createPrivateCluster, privateClusterUnavailableReason } from "./pg-cluster";

// Reads on a REAL streaming replica: a private primary made with initdb and a standby made
// from it with pg_basebackup -R, each on a free port, both stopped and removed afterwards.
// The proof that a read was served by the replica: replay is paused on the standby, a
// product is created on the primary, and the read does not see it (404), while a strong
// read, or one by the key that just wrote, does.

const ADMIN = "sk_test_replica_admin_0123456789";
const reason = privateClusterUnavailableReason();
if (reason)
  console.warn(`[stockroom tests] SKIPPING the read replica tests (PostgreSQL streaming replica): ${reason}`);

describe.each(await testBackends())("Consistency header (%s)", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(() => t.close());

  it("takes strong or eventual on reads, anything else is a 400 naming the header; changes ignore it", async () => {
    for (const value of ["strong", "eventual"])
      expect((await t.rest("GET", "/api/stores", { headers: { consistency: value } })).status).toBe(200);
    for (const value of ["strong", "linearizable"]) {
      const body = { id: `c-${value}`, name: "C" };
      expect((await t.rest("POST", "/api/stores", { headers: { consistency: value }, body })).status).toBe(
        201,
      );
    }
    for (const path of ["/api/stores", "/trpc/stores.list"]) {
      const reply = await t.rest("GET", path, { headers: { consistency: "linearizable" } });
      if (path.startsWith("/api")) {
        expectProblem(reply, 400, "VALIDATION_FAILED");
        expect(reply.body.issues).toEqual([{ path: "Consistency", message: "Must be strong or eventual" }]);
      } else expect(reply.status).toBe(400);
    }
  });

  it("is documented on every read, the audit and the key list saying they always read the primary", async () => {
    const doc = (await t.rest("GET", "/openapi.json")).body;
    const header = (path: string, method: string) =>
      (doc.paths[path][method].parameters ?? []).find((p: { name: string }) => p.name === "Consistency");
    expect(header("/products", "get")?.schema).toEqual({ type: "string", enum: ["strong", "eventual"] });
    expect(header("/stores/{id}", "get")).toBeDefined();
    expect(header("/products", "post")).toBeUndefined();
    expect(header("/products", "get")?.description).toContain("read replica");
    for (const path of ["/inventory/audit", "/keys"])
      expect(header(path, "get")?.description).toContain("always runs on the primary");
  });
});

interface Ready {
  status: string;
  replica?: { state: string; lagSeconds: number | null; servingReads: boolean };
}

describe.skipIf(reason !== null)("reads on a PostgreSQL streaming replica", () => {
  let primary: Cluster | undefined;
  let standby: Cluster | undefined;
  const servers: RunningServer[] = [];
  let standbySql: Database | undefined;
  let server: RunningServer;
  let tight: RunningServer;
  const keys = { writer: "", reader: "" };

  const start = (extra: Record<string, string>) =>
    startServer(
      loadConfig({
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: primary!.url("postgres"),
        DATABASE_REPLICA_URL: standby!.url("postgres"),
        LOG_LEVEL: "silent",
        STOCKROOM_BOOTSTRAP_KEY: ADMIN,
        STOCKROOM_DB_POOL_SIZE: "6",
        STOCKROOM_REPLICA_CHECK_MS: "100",
        ...extra,
      }),
    ).then((s) => {
      servers.push(s);
      return s;
    });

  const call = async (
    s: RunningServer,
    method: string,
    path: string,
    key: string,
    init: RequestInit = {},
  ) => {
    const res = await fetch(`${s.url}${path}`, {
      ...init,
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...init.headers },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const ready = async (s: RunningServer) => (await (await fetch(`${s.url}/ready`)).json()) as Ready;
  const metric = async (s: RunningServer, line: string) => {
    const text = await (
      await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).text();
    const found = text.split("\n").find((l) => l.startsWith(`${line} `));
    return found === undefined ? 0 : Number(found.slice(line.length + 1));
  };
  const untilState = async (s: RunningServer, state: string) => {
    const waited = await waitFor(async () => (await ready(s)).replica?.state === state, 60_000);
    if (waited === null)
      throw new Error(`the replica never became ${state}: ${JSON.stringify(await ready(s))}`);
  };
  /** Stops replay on the standby; the request alone does not mean it has stopped yet. */
  const pauseReplay = async () => {
    await standbySql!.db.execute(sql`select pg_wal_replay_pause()`);
    const paused = await waitFor(async () => {
      const [row] = rowsOf<{ state: string }>(
        await standbySql!.db.execute(sql`select pg_get_wal_replay_pause_state() as state`),
      );
      return row?.state === "paused";
    }, 60_000);
    if (paused === null) throw new Error("replay never paused");
  };
  let product = 0;
  const createProduct = async (s: RunningServer, key: string) => {
    product += 1;
    const reply = await call(s, "POST", "/api/products", key, {
      body: JSON.stringify({
        sku: `RR-${product}`,
        name: `Replica probe ${product}`,
        category: "probes",
        price: 1,
      }),
    });
    expect(reply.status).toBe(201);
    return reply.body.id as string;
  };

  beforeAll(async () => {
    primary = await createPrivateCluster();
    standby = await createPrivateCluster({ standbyOf: primary });
    standbySql = await createDatabase({ url: standby.url("postgres"), poolSize: 1 });
    server = await start({ STOCKROOM_REPLICA_MAX_LAG_MS: "600000", STOCKROOM_READ_YOUR_WRITES_MS: "600000" });
    tight = await start({ STOCKROOM_REPLICA_MAX_LAG_MS: "300" });
    for (const [name, role] of [
      ["writer", "manager"],
      ["reader", "viewer"],
    ] as const) {
      const reply = await call(server, "POST", "/api/keys", ADMIN, { body: JSON.stringify({ name, role }) });
      expect(reply.status).toBe(201);
      keys[name] = reply.body.secret;
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.close()));
    await standbySql?.close().catch(() => {});
    await standby?.destroy();
    await primary?.destroy();
  }, 120_000);

  it("serves reads from the replica; Consistency: strong and the key that just wrote read the primary", async () => {
    await untilState(server, "streaming");
    const served = await metric(server, 'stockroom_db_reads_total{target="replica"}');
    await pauseReplay();
    try {
      const id = await createProduct(server, keys.writer);
      // Replay is paused: the replica has not got the product, so a read served there misses it.
      expect((await call(server, "GET", `/api/products/${id}`, keys.reader)).status).toBe(404);
      const listed = await call(server, "GET", "/api/products?q=RR-&limit=100", keys.reader);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((p: { id: string }) => p.id)).not.toContain(id);
      expect(await metric(server, 'stockroom_db_reads_total{target="replica"}')).toBeGreaterThanOrEqual(
        served + 2,
      );
      // The primary has it.
      const strong = await call(server, "GET", `/api/products/${id}`, keys.reader, {
        headers: { consistency: "strong" },
      });
      expect(strong.status).toBe(200);
      expect(strong.body.id).toBe(id);
      const trpc = await call(
        server,
        "GET",
        `/trpc/products.get?input=${encodeURIComponent(JSON.stringify({ id }))}`,
        keys.reader,
        { headers: { consistency: "strong" } },
      );
      expect(trpc.status).toBe(200);
      // The writer reads its own write (its key changed something within the window).
      expect((await call(server, "GET", `/api/products/${id}`, keys.writer)).status).toBe(200);
      // The audit always reads the primary: it sees the new product's (empty) ledger agree.
      expect((await call(server, "GET", "/api/inventory/audit", ADMIN)).status).toBe(200);
      expect((await ready(server)).replica).toMatchObject({ state: "streaming", servingReads: true });
    } finally {
      await standbySql!.db.execute(sql`select pg_wal_replay_resume()`);
    }
  });

  it("sends reads to the primary while the replica is behind its lag bound, and back when it catches up", async () => {
    await untilState(tight, "streaming");
    await pauseReplay();
    let id: string;
    try {
      // Written through the other server: `tight` has no read-your-writes reason to use the primary.
      id = await createProduct(server, keys.writer);
      await untilState(tight, "lagging");
      const status = (await ready(tight)).replica!;
      expect(status.servingReads).toBe(false);
      expect(status.lagSeconds).toBeGreaterThan(0.3);
      expect(await metric(tight, "stockroom_replica_serving_reads")).toBe(0);
      expect(await metric(tight, "stockroom_replica_lag_seconds")).toBeGreaterThan(0.3);
      const before = await metric(tight, 'stockroom_db_reads_total{target="primary"}');
      // Served by the primary: it sees the product the paused replica lacks.
      expect((await call(tight, "GET", `/api/products/${id}`, keys.reader)).status).toBe(200);
      expect(await metric(tight, 'stockroom_db_reads_total{target="primary"}')).toBe(before + 1);
    } finally {
      await standbySql!.db.execute(sql`select pg_wal_replay_resume()`);
    }
    await untilState(tight, "streaming");
    const replicaReads = await metric(tight, 'stockroom_db_reads_total{target="replica"}');
    expect((await call(tight, "GET", `/api/products/${id}`, keys.reader)).status).toBe(200);
    expect(await metric(tight, 'stockroom_db_reads_total{target="replica"}')).toBe(replicaReads + 1);
  });

  it("a replica URL that names a primary (not in recovery) never serves reads", async () => {
    const wrong = await start({ DATABASE_REPLICA_URL: primary!.url("postgres") });
    await untilState(wrong, "not_a_standby");
    expect((await ready(wrong)).replica).toEqual({
      state: "not_a_standby",
      lagSeconds: null,
      servingReads: false,
    });
    expect((await call(wrong, "GET", "/api/stores", keys.reader)).status).toBe(200);
    expect(await metric(wrong, 'stockroom_db_reads_total{target="primary"}')).toBe(1);
    expect(await metric(wrong, 'stockroom_db_reads_total{target="replica"}')).toBe(0);
  });

  it("a replica stopped mid-load degrades reads to the primary (no 5xx), /ready says so, and it recovers after a restart", async () => {
    await untilState(server, "streaming");
    const statuses = new Map<number, number>();
    let stop = false;
    let sent = 0;
    const paths = [
      "/api/products?limit=20",
      "/api/stores",
      "/api/inventory/alerts",
      "/api/movements?limit=20",
    ];
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const reply = await call(server, "GET", paths[(w + i) % paths.length]!, keys.reader).catch(() => ({
          status: -1,
        }));
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        sent += 1;
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    try {
      await waitFor(async () => sent >= 200, 60_000, 20);
      const replicaBefore = await metric(server, 'stockroom_db_reads_total{target="replica"}');
      expect(replicaBefore).toBeGreaterThan(0);
      await standby!.stop("fast");
      await untilState(server, "down");
      const atDown = sent;
      await waitFor(async () => sent >= atDown + 200, 60_000, 20);
      const down = await fetch(`${server.url}/ready`);
      expect(down.status).toBe(200);
      expect(((await down.json()) as Ready).replica).toEqual({
        state: "down",
        lagSeconds: null,
        servingReads: false,
      });
      expect(await metric(server, "stockroom_replica_up")).toBe(0);
      const primaryNow = await metric(server, 'stockroom_db_reads_total{target="primary"}');
      expect(primaryNow).toBeGreaterThan(0);

      await standby!.start();
      await untilState(server, "streaming");
      const replicaAgain = await metric(server, 'stockroom_db_reads_total{target="replica"}');
      const atUp = sent;
      await waitFor(async () => sent >= atUp + 100, 60_000, 20);
      expect(await metric(server, 'stockroom_db_reads_total{target="replica"}')).toBeGreaterThan(
        replicaAgain,
      );
      expect(await metric(server, "stockroom_replica_up")).toBe(1);
    } finally {
      stop = true;
      await load;
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: sent });
  }, 180_000);
});
