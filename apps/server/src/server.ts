import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import {
  createFirstKeyIfNone,
  deliverWebhooks,
  ensureBootstrapKey,
  expireDueReservations,
  KeyAuthenticator,
  purgeExpiredIdempotencyKeys,
  ReadRouting,
  type Runtime,
} from "@stockroom/api";
import {
  createDatabase,
  isEmpty,
  openReadReplica,
  publishEvents,
  purgeEvents,
  type ReadReplica,
  seedDemo,
} from "@stockroom/db";
import pino, { type Logger } from "pino";
import { createApp } from "./app";
import { type Config, redactedConfig } from "./config";
import { answerClientError, MAX_HEADER_BYTES, requestErrorResponse } from "./http-errors";
import { createMetrics } from "./metrics";

export interface RunningServer {
  url: string;
  port: number;
  runtime: Runtime;
  /** Admin secret printed at start when the server generated one. */
  generatedKey: string | null;
  /** Stops accepting, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, "LOG_LEVEL">): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["req.headers.authorization", "authorization", "*.authorization"], remove: true },
  });
}

export async function startServer(config: Config, logger = createLogger(config)): Promise<RunningServer> {
  logger.info({ config: redactedConfig(config) }, "starting");
  const started = performance.now();
  const database = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: config.STOCKROOM_DATA_DIR,
    poolSize: config.STOCKROOM_DB_POOL_SIZE,
    statementTimeoutMs: config.STOCKROOM_STATEMENT_TIMEOUT_MS,
    genericPlans: config.STOCKROOM_DB_GENERIC_PLANS,
    connectTimeoutMs: config.STOCKROOM_DB_ACQUIRE_TIMEOUT_MS,
    purpose: `server on port ${config.PORT}`,
  });
  try {
    await database.migrate();
    if (database.kind === "pglite" && config.STOCKROOM_DEMO && (await isEmpty(database.db))) {
      const seeded = await seedDemo(database.db);
      logger.info(seeded, "loaded demo data");
    }
    if (config.STOCKROOM_BOOTSTRAP_KEY) await ensureBootstrapKey(database.db, config.STOCKROOM_BOOTSTRAP_KEY);
  } catch (err) {
    await database.close();
    throw err;
  }
  const generatedKey = config.STOCKROOM_BOOTSTRAP_KEY ? null : await createFirstKeyIfNone(database.db);

  // A replica that is down at start is not fatal: reads use the primary until it answers.
  let replica: ReadReplica | null = null;
  if (config.DATABASE_REPLICA_URL && database.kind === "postgres") {
    replica = await openReadReplica(database, {
      url: config.DATABASE_REPLICA_URL,
      poolSize: config.STOCKROOM_DB_POOL_SIZE,
      statementTimeoutMs: config.STOCKROOM_STATEMENT_TIMEOUT_MS,
      genericPlans: config.STOCKROOM_DB_GENERIC_PLANS,
      connectTimeoutMs: config.STOCKROOM_DB_ACQUIRE_TIMEOUT_MS,
      maxLagMs: config.STOCKROOM_REPLICA_MAX_LAG_MS,
      checkIntervalMs: config.STOCKROOM_REPLICA_CHECK_MS,
    });
    logger.info({ replica: replica.status() }, "read replica");
  }

  const metrics = createMetrics({ database, replica });
  // Aborted at close: open event streams end instead of holding the shutdown.
  const shutdown = new AbortController();
  const runtime: Runtime = {
    database,
    keys: new KeyAuthenticator(database.db, { cacheTtlMs: config.STOCKROOM_KEY_CACHE_TTL_MS }),
    hooks: metrics.hooks,
    writeBatching: {
      maxBatch: config.STOCKROOM_WRITE_BATCH,
      concurrency: config.STOCKROOM_WRITE_CONCURRENCY,
    },
    ...(replica ? { reads: new ReadRouting(replica, config.STOCKROOM_READ_YOUR_WRITES_MS) } : {}),
    webhooksAllowPrivate: config.STOCKROOM_WEBHOOK_ALLOW_PRIVATE,
    auditTimeoutMs: config.STOCKROOM_AUDIT_TIMEOUT_MS,
  };
  const app = createApp({
    runtime,
    logger,
    metricsPublic: config.STOCKROOM_METRICS_PUBLIC,
    observe: metrics.observer,
    extend: (app) => metrics.mount(app, { runtime, public: config.STOCKROOM_METRICS_PUBLIC }),
    rateLimit: config.STOCKROOM_RATE_LIMIT,
    rateLimitBurst: config.STOCKROOM_RATE_LIMIT_BURST,
    corsOrigins: config.STOCKROOM_CORS_ORIGINS,
    requestTimeoutMs: config.STOCKROOM_REQUEST_TIMEOUT_MS,
    eventStream: {
      pollMs: config.STOCKROOM_EVENT_STREAM_POLL_MS,
      heartbeatMs: config.STOCKROOM_EVENT_HEARTBEAT_MS,
      shutdown: shutdown.signal,
    },
  });

  // Slow or stuck clients cannot hold a socket forever; headers stay small. Whatever Node's
  // parser or @hono/node-server refuses (too long, malformed, no Host) is answered as
  // problem+json too, instead of Node's bare status line or a reset.
  const server = createServer(
    {
      requestTimeout: config.STOCKROOM_REQUEST_TIMEOUT_MS + 5000,
      headersTimeout: 20_000,
      maxHeaderSize: MAX_HEADER_BYTES,
      requireHostHeader: false,
    },
    getRequestListener(app.fetch, { errorHandler: requestErrorResponse }),
  );
  server.on("clientError", answerClientError);
  server.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  // While closing, every response says `Connection: close`, also those already in flight:
  // keep-alive clients then reconnect (and are refused) instead of sending more requests on
  // their open sockets, which would keep the server alive until the forced cut-off.
  let draining = false;
  const unanswered = new Set<ServerResponse>();
  server.prependListener("request", (_req, res) => {
    if (draining) {
      res.shouldKeepAlive = false;
      return;
    }
    unanswered.add(res);
    res.once("close", () => unanswered.delete(res));
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  const url = `http://${host}:${port}`;

  const purge = every(
    15 * 60_000,
    async () => {
      await purgeExpiredIdempotencyKeys(database.db);
    },
    (err) => logger.warn({ err }, "idempotency record purge failed; retrying in 15 minutes"),
  );
  const purgeOldEvents = every(
    60 * 60_000,
    async () => {
      while ((await purgeEvents(database.db, config.STOCKROOM_EVENT_RETENTION_DAYS)) > 0);
    },
    (err) => logger.warn({ err }, "event retention purge failed; retrying in an hour"),
  );

  // One sweep at a time; several replicas skip each other's rows (FOR UPDATE SKIP LOCKED).
  const sweep = every(
    config.STOCKROOM_RESERVATION_SWEEP_MS,
    async () => {
      while ((await expireDueReservations(database.db)) > 0);
    },
    (err) => logger.warn({ err }, "reservation sweep failed; retrying at the next tick"),
  );

  // Deliveries are leased in the database: replicas share the work and never send one attempt twice.
  const webhooks = every(
    config.STOCKROOM_WEBHOOK_POLL_MS,
    async () => {
      const options = {
        retryScale: config.STOCKROOM_WEBHOOK_RETRY_SCALE,
        leaseMs: config.STOCKROOM_WEBHOOK_LEASE_MS,
        allowPrivate: config.STOCKROOM_WEBHOOK_ALLOW_PRIVATE,
        onOutcome: metrics.hooks.webhookDelivery,
      };
      while ((await deliverWebhooks(database.db, options)) > 0);
    },
    (err) => logger.warn({ err }, "webhook delivery failed; retrying at the next tick"),
  );

  const outboxFigures = every(
    5000,
    () => metrics.refreshOutbox(),
    () => {},
  );

  // Publishing takes turns across replicas (sql/events.sql); a tick finds nothing to do cheaply.
  const publish = every(
    config.STOCKROOM_EVENT_PUBLISH_MS,
    async () => {
      while ((await publishEvents(database.db)) > 0);
    },
    (err) => logger.warn({ err }, "event publishing failed; retrying at the next tick"),
  );

  logger.info(
    { url, docs: `${url}/docs`, database: database.kind, startMs: Math.round(performance.now() - started) },
    "listening",
  );

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    runtime,
    generatedKey,
    close() {
      closing ??= (async () => {
        purge.stop();
        purgeOldEvents.stop();
        sweep.stop();
        publish.stop();
        webhooks.stop();
        outboxFigures.stop();
        draining = true;
        shutdown.abort();
        for (const res of unanswered) if (!res.headersSent) res.shouldKeepAlive = false;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Idle keep-alive sockets would hold close() open; in-flight ones finish first.
          server.closeIdleConnections();
          const force = setTimeout(() => {
            server.closeAllConnections();
          }, config.STOCKROOM_SHUTDOWN_TIMEOUT_MS);
          force.unref();
        });
        await replica?.close();
        await database.close();
      })();
      return closing;
    },
  };
}

/** Runs `task` every `ms` (never two at once; 0: never), reporting failures; stop() ends it. */
function every(ms: number, task: () => Promise<void>, failed: (err: unknown) => void) {
  let running = false;
  const timer =
    ms > 0
      ? setInterval(() => {
          if (running) return;
          running = true;
          task()
            .catch(failed)
            .finally(() => {
              running = false;
            });
        }, ms)
      : null;
  timer?.unref();
  return { stop: () => timer && clearInterval(timer) };
}
