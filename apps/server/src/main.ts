import cluster from "node:cluster";
import { createFirstKeyIfNone, ensureBootstrapKey } from "@stockroom/api";
import { createDatabase } from "@stockroom/db";
import { type Config, ConfigError, loadConfig } from "./config";
import { createLogger, startServer } from "./server";

function banner(url: string, config: Config, database: string, generatedKey: string | null, workers = 1) {
  const lines = [
    "",
    `  Stockroom is listening on ${url}${workers > 1 ? ` (${workers} worker processes)` : ""}`,
    `  API docs:   ${url}/docs`,
    `  Database:   ${database === "pglite" ? `embedded PGlite in ${config.STOCKROOM_DATA_DIR}` : "PostgreSQL"}`,
  ];
  if (generatedKey)
    lines.push(
      "",
      "  No API key existed, so an admin key was created. It is shown only this once:",
      `  ${generatedKey}`,
      `  Try: curl -H "Authorization: Bearer ${generatedKey}" ${url}/api/products`,
    );
  else if (!config.STOCKROOM_BOOTSTRAP_KEY)
    // The key printed at the first start is not stored anywhere readable: say how to get one.
    lines.push(
      "  API key:    the admin key was printed at the first start. Lost it? Start with",
      "              STOCKROOM_BOOTSTRAP_KEY=<a secret of 8+ characters> to add an admin key with that secret.",
    );
  process.stdout.write(`${lines.join("\n")}\n\n`);
}

/**
 * STOCKROOM_WORKERS=N: this process prepares the database once (migrations, first key), then
 * forks N workers that share the port (node:cluster) and restarts any that dies. Each worker
 * has its own pool and key cache, so a revoked key stops working on every worker within
 * STOCKROOM_KEY_CACHE_TTL_MS, as on separate replicas.
 */
async function primary(config: Config) {
  const logger = createLogger(config);
  const database = await createDatabase({ url: config.DATABASE_URL, poolSize: 1 });
  let generatedKey: string | null;
  try {
    await database.migrate();
    if (config.STOCKROOM_BOOTSTRAP_KEY) await ensureBootstrapKey(database.db, config.STOCKROOM_BOOTSTRAP_KEY);
    generatedKey = config.STOCKROOM_BOOTSTRAP_KEY ? null : await createFirstKeyIfNone(database.db);
  } finally {
    await database.close();
  }
  let stopping = false;
  let listening = 0;
  const fork = () => cluster.fork({ STOCKROOM_WORKER: "1" });
  cluster.on("listening", () => {
    listening += 1;
    if (listening === config.STOCKROOM_WORKERS) {
      const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
      banner(`http://${host}:${config.PORT}`, config, "postgres", generatedKey, config.STOCKROOM_WORKERS);
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, "worker died; starting another");
    fork();
  });
  for (let i = 0; i < config.STOCKROOM_WORKERS; i++) fork();
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down workers");
    const workers = Object.values(cluster.workers ?? {});
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) {
      w?.once("exit", () => {
        left -= 1;
        if (left === 0) process.exit(0);
      });
      w?.process.kill("SIGTERM");
    }
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function serve(config: Config, worker: boolean) {
  const logger = createLogger(config);
  const running = await startServer(config, logger);
  if (!worker) banner(running.url, config, running.runtime.database.kind, running.generatedKey);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    running.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  // Workers stop when the primary tells them to; a Ctrl-C reaches the whole group.
  process.on("SIGINT", () => (worker ? undefined : stop("SIGINT")));
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
    if (config.STOCKROOM_WORKERS > 1 && !config.DATABASE_URL)
      throw new ConfigError(
        "Invalid configuration:\n  STOCKROOM_WORKERS: Must be 1 with the embedded PGlite database (one process owns it); set DATABASE_URL to use workers",
      );
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`stockroom: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config.STOCKROOM_WORKERS > 1 && cluster.isPrimary) await primary(config);
  else await serve(config, cluster.isWorker);
}

main().catch((err) => {
  process.stderr.write(`stockroom: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
