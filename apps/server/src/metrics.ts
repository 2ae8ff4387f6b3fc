import { AppError, operations, outboxStatus, type Runtime, type RuntimeHooks } from "@stockroom/api";
import type { Database, ReadReplica } from "@stockroom/db";
import type { Context, Hono } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AppEnv } from "./env";
import { header } from "./headers";
import { problem } from "./problem";

/** Told about every request by the app's first middleware. */
export interface RequestObserver {
  /** Called when a request starts; the function it returns when it has been answered. */
  begin(): (route: string, status: number) => void;
}

const PROCEDURES = new Set<string>(operations.map((op) => op.name));

/**
 * The route label for a tRPC path: the procedure name, or the names of a batch, or
 * "(unknown)": never the raw path, which a client controls.
 */
export function trpcRoute(path: string): string {
  const names = path.split(",");
  return `trpc ${names.every((n) => PROCEDURES.has(n)) ? names.join(",") : "(unknown)"}`;
}

/**
 * The route template of an answered request, from the routes Hono matched: the first
 * handler registered for a method (middleware is registered for ALL), with `:id` written
 * `{id}` as in the OpenAPI paths. "unmatched" when only middleware and catch-alls matched.
 */
export function routeTemplate(c: Context<AppEnv>): string {
  const handler = matchedRoutes(c).find((r) => r.method !== "ALL");
  if (!handler) return "unmatched";
  return `${handler.method} ${handler.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`;
}

/** Batches would multiply label values: they share one. */
const metricRoute = (route: string) =>
  route.startsWith("trpc ") && route.includes(",") ? "trpc (batch)" : route;

const OUTCOME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

export interface Metrics {
  registry: Registry;
  observer: RequestObserver;
  /** Runtime hooks the stock services call. */
  hooks: RuntimeHooks;
  /** Reads the outbox's figures (events written and published, oldest pending deliveries) for the next scrapes. */
  refreshOutbox(): Promise<void>;
  /** Mounts GET /metrics: admin keys only, unless public. */
  mount(app: Hono<AppEnv>, options: { runtime: Runtime; public: boolean }): void;
}

export function createMetrics(options: {
  database: Database;
  replica?: ReadReplica | null;
  processMetrics?: boolean;
}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: "stockroom_http_request_duration_seconds",
    help: "HTTP request duration by route template and status",
    labelNames: ["route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "stockroom_http_requests_in_flight",
    help: "HTTP requests being served right now",
    registers: [registry],
  });
  const stockOps = new Counter({
    name: "stockroom_stock_operations_total",
    help: "Stock operations by kind (adjustment, transfer, count) and outcome (ok or the error code)",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
  });
  const writeStatements = new Histogram({
    name: "stockroom_stock_statement_operations",
    help: "Key-less stock operations (transfers, adjustments, counts) carried by each stockroom_apply statement: 1 when sent at once, more when they queued and went together",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  const { database } = options;
  const deliveries = new Counter({
    name: "stockroom_webhook_deliveries_total",
    help: "Webhook delivery attempts made by this process, by outcome: delivered, retry (failed, tried again later), failed (gave up), disabled (the receiver answered 410)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const streams = new Gauge({
    name: "stockroom_event_streams",
    help: "Event streams (GET /api/events/stream) open in this process",
    registers: [registry],
  });
  const streamReads = new Counter({
    name: "stockroom_event_stream_reads_total",
    help: "Feed reads made by this process's open event streams after their first page: one when the feed's frontier moves past what a stream has looked at, or when its heartbeat is due",
    registers: [registry],
  });
  // Read from the database by refreshOutbox (the server calls it every few seconds), not at
  // each scrape: a scrape never waits for, or takes, a database connection.
  let outbox: Awaited<ReturnType<typeof outboxStatus>> = { written: 0, published: 0, oldestPending: [] };
  new Gauge({
    name: "stockroom_events",
    help: "Events by stage: written (the last sequence number taken by a ledger row or an event) and published (the feed's frontier); the difference is the publishing lag",
    labelNames: ["stage"] as const,
    registers: [registry],
    collect() {
      this.set({ stage: "written" }, outbox.written);
      this.set({ stage: "published" }, outbox.published);
    },
  });
  new Gauge({
    name: "stockroom_webhook_oldest_pending_seconds",
    help: "Age of each webhook endpoint's oldest undelivered (pending) delivery",
    labelNames: ["endpoint"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of outbox.oldestPending) this.set({ endpoint: p.endpointId }, p.ageSeconds);
    },
  });
  new Gauge({
    name: "stockroom_db_pool_connections",
    help: "Database connections by state (total, idle, in_use) and requests waiting for one (waiting)",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const s = database.poolStats();
      this.set({ state: "total" }, s.total);
      this.set({ state: "idle" }, s.idle);
      this.set({ state: "in_use" }, Math.max(0, s.total - s.idle));
      this.set({ state: "waiting" }, s.waiting);
    },
  });
  new Gauge({
    name: "stockroom_database_info",
    help: "The database in use: postgres or pglite (embedded)",
    labelNames: ["kind"] as const,
    registers: [registry],
  }).set({ kind: database.kind }, 1);
  const { replica } = options;
  const reads = replica
    ? new Counter({
        name: "stockroom_db_reads_total",
        help: "Reads (list and get operations) by the database that served them: replica or primary",
        labelNames: ["target"] as const,
        registers: [registry],
      })
    : null;
  if (replica) {
    new Gauge({
      name: "stockroom_replica_up",
      help: "1 when the read replica answered the last check as a standby, else 0",
      registers: [registry],
      collect() {
        const { state } = replica.status();
        this.set(state === "streaming" || state === "lagging" ? 1 : 0);
      },
    });
    new Gauge({
      name: "stockroom_replica_lag_seconds",
      help: "How far the read replica was behind the primary at the last check (an upper bound, precise to one check interval); NaN when unknown (down, not checked yet)",
      registers: [registry],
      collect() {
        this.set(replica.status().lagSeconds ?? Number.NaN);
      },
    });
    new Gauge({
      name: "stockroom_replica_serving_reads",
      help: "1 when reads are sent to the read replica; 0 when they fall back to the primary (replica down or behind STOCKROOM_REPLICA_MAX_LAG_MS)",
      registers: [registry],
      collect() {
        this.set(replica.status().servingReads ? 1 : 0);
      },
    });
  }

  return {
    registry,
    observer: {
      begin() {
        inFlight.inc();
        const end = duration.startTimer();
        return (route, status) => {
          inFlight.dec();
          end({ route: metricRoute(route), status: String(status) });
        };
      },
    },
    hooks: {
      stockOperation(kind, outcome) {
        stockOps.inc({ kind, outcome: OUTCOME.test(outcome) ? outcome : "other" });
      },
      writeStatement(operations) {
        writeStatements.observe(operations);
      },
      ...(reads ? { read: (target: "replica" | "primary") => reads.inc({ target }) } : {}),
      webhookDelivery(outcome) {
        deliveries.inc({ outcome });
      },
      eventStream(what) {
        if (what === "read") streamReads.inc();
        else streams.inc(what === "opened" ? 1 : -1);
      },
    },
    async refreshOutbox() {
      outbox = await outboxStatus(database.db);
    },
    mount(app, { runtime, public: open }) {
      app.get("/metrics", async (c) => {
        if (!open) {
          const match = /^Bearer\s+(\S+)\s*$/i.exec(header(c, "authorization") ?? "");
          if (!match?.[1])
            return problem(
              c,
              new AppError("UNAUTHORIZED", "Send an admin API key as 'Authorization: Bearer <key>'"),
            );
          const key = await runtime.keys.verify(match[1]);
          if (!key) return problem(c, new AppError("UNAUTHORIZED", "The API key is unknown or revoked"));
          c.get("log").keyId = key.id;
          if (key.role !== "admin")
            return problem(
              c,
              new AppError("FORBIDDEN", `/metrics needs role admin; the key has role ${key.role}`),
            );
        }
        return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
      });
    },
  };
}
