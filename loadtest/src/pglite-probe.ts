import { performance } from "node:perf_hooks";
import { createDatabase } from "@stockroom/db";

// One measurement in a fresh process: open (creating when new) + migrate, a query, close.
const dataDir = process.argv[2]!;
const t0 = performance.now();
const database = await createDatabase({ dataDir });
const opened = performance.now();
await database.migrate();
const migrated = performance.now();
await database.ping();
const rssAfterOpen = process.memoryUsage().rss;
await database.close();
process.stdout.write(
  `${JSON.stringify({
    openMs: Math.round(opened - t0),
    migrateMs: Math.round(migrated - opened),
    totalMs: Math.round(migrated - t0),
    rssMiB: Math.round(rssAfterOpen / 2 ** 20),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
