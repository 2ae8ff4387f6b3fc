import { createDatabase } from "@stockroom/db";
import { describeTarget } from "@stockroom/db/backup";
import { defineLocalCommand } from "../../lib/command";
import { CliFailure } from "../../lib/exit";
import { cliError, databaseFromEnv, formatMs, isDataDirInUse } from "./shared";

export default defineLocalCommand({
  meta: {
    name: "migrate",
    description: "Apply the committed migrations (safe to run from several replicas at once)",
  },
  async run({ out }) {
    const target = databaseFromEnv();
    const started = performance.now();
    const database = await createDatabase(
      target.kind === "postgres"
        ? { url: target.url, poolSize: 1 }
        : { dataDir: target.dataDir, purpose: "stockroom db migrate" },
    ).catch((err: Error) => {
      if (isDataDirInUse(err)) throw cliError(err);
      throw new CliFailure("UNAVAILABLE", `Cannot open ${describeTarget(target)}: ${err.message}`, {
        hint: "Check DATABASE_URL (or STOCKROOM_DATA_DIR) and that the database is up.",
      });
    });
    try {
      await database.migrate().catch((err: Error) => {
        throw new CliFailure(
          "MIGRATION_FAILED",
          `Migrations failed on ${describeTarget(target)}: ${err.message}`,
        );
      });
    } finally {
      await database.close();
    }
    const ms = Math.round(performance.now() - started);
    out.result({ ok: true, database: target.kind, durationMs: ms }, () =>
      out.line(`Migrations are up to date on ${describeTarget(target)} (${formatMs(ms)})`),
    );
  },
});
