import { lsnOrNull } from "@stockroom/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { type Cluster, createPrivateCluster, privateClusterUnavailableReason } from "../src/pg-cluster";
import { type RunningServer, startServer } from "../src/server";
import { waitFor } from "./child-server";
import { createTestApp, expectProblem, type TestApp, testBackends } from "./helpers";

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

  it("Read-After: a WAL position is accepted and changes nothing without a replica; anything else is a 400; changes answer no Write-Position", async () => {
    const created = await t.rest("POST", "/api/stores", { body: { id: "ra-1", name: "RA" } });
    expect(created.status).toBe(201);
    // Without a read replica (always so on PGlite) every read sees every commit: no position to carry.
    expect(created.headers.get("write-position")).toBeNull();
    const viaTrpc = await t.trpc("mutation", "stores.create", { id: "ra-2", name: "RA" });
    expect(viaTrpc.status).toBe(200);
    expect(viaTrpc.headers.get("write-position")).toBeNull();
    // Any position, even one far ahead of this database, reads the (only) database.
    for (const value of ["0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF"]) {
      const got = await t.rest("GET", "/api/stores/ra-1", { headers: { "read-after": value } });
      expect(got.status).toBe(200);
      expect(got.body.name).toBe("RA");
      const trpc = await t.trpc("query", "stores.get", { id: "ra-2" }, { headers: { "read-after": value } });
      expect(trpc.status).toBe(200);
    }
    for (const value of ["", "latest", "16/B374D848/1", "123456789/0", "0x1/0", "1"]) {
      const reply = await t.rest("GET", "/api/stores", { headers: { "read-after": value } });
      expectProblem(reply, 400, "VALIDATION_FAILED");
      expect(reply.body.issues).toEqual([
        { path: "Read-After", message: "Must be a WAL position such as 16/B374D848" },
      ]);
      expect((await t.trpc("query", "stores.list", {}, { headers: { "read-after": value } })).status).toBe(
        400,
      );
    }
    // A change ignores it, as it ignores Consistency: it always runs on the primary.
    const write = await t.rest("POST", "/api/stores", {
      headers: { "read-after": "latest" },
      body: { id: "ra-3", name: "RA" },
    });
    expect(write.status).toBe(201);
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

  it("documents Read-After on every read and Write-Position on every change's answer", async () => {
    const doc = (await t.rest("GET", "/openapi.json")).body;
    const pattern = "^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$";
    expect(doc.components.headers["Write-Position"].schema).toEqual({ type: "string", pattern });
    let reads = 0;
    let changes = 0;
    interface Op {
      parameters?: Array<{ name: string; schema?: unknown }>;
      responses: Record<string, { headers?: Record<string, unknown> }>;
    }
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Op>>))
      for (const [method, op] of Object.entries(methods)) {
        const readAfter = (op.parameters ?? []).find((p) => p.name === "Read-After");
        const success = Object.entries(op.responses).find(([status]) => status.startsWith("2"))![1];
        if (method === "get") {
          reads += 1;
          expect(readAfter?.schema, `${method} ${path}`).toEqual({ type: "string", pattern });
          expect(success.headers?.["Write-Position"], `${method} ${path}`).toBeUndefined();
        } else {
          changes += 1;
          expect(readAfter, `${method} ${path}`).toBeUndefined();
          expect(success.headers?.["Write-Position"], `${method} ${path}`).toEqual({
            $ref: "#/components/headers/Write-Position",
          });
        }
      }
    expect(reads).toBeGreaterThan(10);
    expect(changes).toBeGreaterThan(10);
    // The pattern the document gives is the one the server holds requests to.
    expect(new RegExp(pattern).test("16/B374D848")).toBe(true);
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
  let server: RunningServer;
  let tight: RunningServer;
  let other: RunningServer;
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
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
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
  const pauseReplay = () => standby!.replay("pause");
  let product = 0;
  /** A new product, and the Write-Position its creation answered. */
  const write = async (s: RunningServer, key: string) => {
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
    return { id: reply.body.id as string, position: reply.headers.get("write-position") ?? "" };
  };
  const createProduct = async (s: RunningServer, key: string) => (await write(s, key)).id;

  beforeAll(async () => {
    primary = await createPrivateCluster();
    standby = await createPrivateCluster({ standbyOf: primary });
    server = await start({ STOCKROOM_REPLICA_MAX_LAG_MS: "600000", STOCKROOM_READ_YOUR_WRITES_MS: "600000" });
    tight = await start({ STOCKROOM_REPLICA_MAX_LAG_MS: "300" });
    // A second process beside `server`, as behind a load balancer: the writes go through
    // `server`, so `other` never has a read-your-writes window of its own for them.
    other = await start({ STOCKROOM_REPLICA_MAX_LAG_MS: "600000" });
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
      await standby!.replay("resume");
    }
  });

  it("a write through one server process and a read through another: with its Write-Position the read sees the write, also while replay is paused; without it the read is stale", async () => {
    await untilState(server, "streaming");
    await untilState(other, "streaming");
    const replicaReads = () => metric(other, 'stockroom_db_reads_total{target="replica"}');
    const primaryReads = () => metric(other, 'stockroom_db_reads_total{target="primary"}');
    const readAt = (id: string, position?: string) =>
      call(other, "GET", `/api/products/${id}`, keys.writer, {
        headers: position === undefined ? {} : { "read-after": position },
      });

    // Replay running: the immediate read sees the write, and once `other`'s lag check has seen
    // the replica past that position, the replica serves the same read.
    const first = await write(server, keys.writer);
    const firstAt = lsnOrNull(first.position);
    expect(firstAt, `Write-Position ${JSON.stringify(first.position)}`).not.toBeNull();
    const immediate = await readAt(first.id, first.position);
    expect(immediate.status).toBe(200);
    expect(immediate.body.id).toBe(first.id);
    expect(
      await waitFor(async () => other.runtime.reads!.replica.hasReplayed(firstAt!), 60_000),
    ).not.toBeNull();
    const fromReplica = await replicaReads();
    expect((await readAt(first.id, first.position)).status).toBe(200);
    expect(await replicaReads()).toBe(fromReplica + 1);

    await pauseReplay();
    try {
      // tRPC changes answer it too.
      const viaTrpc = await call(server, "POST", "/trpc/stores.create", keys.writer, {
        body: JSON.stringify({ id: "ryw-trpc", name: "Made over tRPC" }),
      });
      expect(viaTrpc.status).toBe(200);
      const storeAt = viaTrpc.headers.get("write-position") ?? "";
      expect(lsnOrNull(storeAt)).not.toBeNull();
      const second = await write(server, keys.writer);
      expect(lsnOrNull(second.position)! >= lsnOrNull(storeAt)!).toBe(true);

      // With the position: the replica has not replayed it, so the primary answers, with the write.
      const onPrimary = await primaryReads();
      const seen = await readAt(second.id, second.position);
      expect(seen.status).toBe(200);
      expect(seen.body.id).toBe(second.id);
      expect(await primaryReads()).toBe(onPrimary + 1);
      const trpc = await call(
        other,
        "GET",
        `/trpc/stores.get?input=${encodeURIComponent(JSON.stringify({ id: "ryw-trpc" }))}`,
        keys.reader,
        { headers: { "read-after": storeAt } },
      );
      expect(trpc.status).toBe(200);
      const listed = await call(other, "GET", "/api/products?q=RR-&limit=100", keys.reader, {
        headers: { "read-after": second.position },
      });
      expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(second.id);

      // Without it, or with an older one the replica has passed, the replica serves a stale read.
      expect((await readAt(second.id)).status).toBe(404);
      expect((await readAt(second.id, first.position)).status).toBe(404);
      const stale = await call(other, "GET", "/api/products?q=RR-&limit=100", keys.reader);
      expect(stale.body.items.map((p: { id: string }) => p.id)).not.toContain(second.id);
      expect(
        (
          await call(
            other,
            "GET",
            `/trpc/stores.get?input=${encodeURIComponent(JSON.stringify({ id: "ryw-trpc" }))}`,
            keys.reader,
          )
        ).status,
      ).toBe(404);
    } finally {
      await standby!.replay("resume");
    }
    // Caught up: the position no longer keeps the read off the replica.
    const secondAt = lsnOrNull((await write(server, keys.writer)).position)!;
    expect(
      await waitFor(async () => other.runtime.reads!.replica.hasReplayed(secondAt), 60_000),
    ).not.toBeNull();
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
      await standby!.replay("resume");
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
