import { ConfigError, loadConfig } from "./config";
import { createLogger, startServer } from "./server";

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`stockroom: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config);
  const running = await startServer(config, logger);
  const banner = [
    "",
    `  Stockroom is listening on ${running.url}`,
    `  API docs:   ${running.url}/docs`,
    `  Database:   ${running.runtime.database.kind === "pglite" ? `embedded PGlite in ${config.STOCKROOM_DATA_DIR}` : "PostgreSQL"}`,
  ];
  if (running.generatedKey)
    banner.push(
      "",
      "  No API key existed, so an admin key was created. It is shown only this once:",
      `  ${running.generatedKey}`,
      `  Try: curl -H "Authorization: Bearer ${running.generatedKey}" ${running.url}/api/products`,
    );
  process.stdout.write(`${banner.join("\n")}\n\n`);

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
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(`stockroom: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
