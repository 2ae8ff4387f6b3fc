import { parseTarget, restoreBackup } from "@stockroom/db/backup";
import { defineLocalCommand } from "../../lib/command";
import { databaseFromEnv, formatMs, guarded, totalRows } from "./shared";

export default defineLocalCommand({
  meta: {
    name: "restore",
    description: "Restore a backup (checksum checked, one transaction), then run migrations forward",
  },
  args: {
    file: { type: "positional", description: "The .sql.gz backup file", required: true },
    into: {
      type: "string",
      description: "postgres:// URL or PGlite data dir (default: DATABASE_URL, else STOCKROOM_DATA_DIR)",
      valueHint: "url|dir",
    },
    force: { type: "boolean", description: "Replace everything in a non-empty target" },
    "skip-checksum": {
      type: "boolean",
      description: "Restore a file that has no .sha256 (a dump from elsewhere)",
    },
  },
  async run({ args, out }) {
    const into = args.into ? parseTarget(String(args.into)) : databaseFromEnv();
    const result = await guarded(() =>
      restoreBackup({
        file: String(args.file),
        into,
        force: args.force === true,
        skipChecksum: args["skip-checksum"] === true,
      }),
    );
    out.result(result, () => {
      out.line(
        `Restored ${result.file} into ${result.target}${result.replaced ? " (previous contents replaced)" : ""}: ` +
          `${totalRows(result.rowCounts)} rows in ${Object.keys(result.rowCounts).length} tables, ${formatMs(result.durationMs)}`,
      );
      out.line(
        `Migrations: ${result.migrationsInDump} in the dump, ${result.migrationsApplied} applied since` +
          (result.migrationsApplied ? " (the dump was older than the code)" : ""),
      );
    });
  },
});
