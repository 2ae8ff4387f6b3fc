import { createDatabase } from "@stockroom/db";
import pg from "pg";
import { LAYOUTS } from "../scenarios.js";
import { extendLedger, seedDataset } from "./seed";

/**
 * `pnpm --filter @stockroom/loadtest seed [--quick | --layout large] [--ledger <rows>]`:
 * migrates DATABASE_URL and loads the load-test dataset with bulk SQL unless it is there
 * already (what the k6 scripts expect; without it they seed a smaller one through the API).
 * `--ledger 5000000` then grows the ledger to at least that many rows (extendLedger), on a
 * new or an already seeded database.
 */
async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("Set DATABASE_URL to the PostgreSQL database to seed");
  const at = process.argv.indexOf("--layout");
  const name = at > 0 ? process.argv[at + 1] : process.argv.includes("--quick") ? "quick" : "full";
  if (!name || !(name in LAYOUTS))
    throw new Error(`unknown layout ${name}: one of ${Object.keys(LAYOUTS).join(", ")}`);
  const layout = LAYOUTS[name as keyof typeof LAYOUTS];
  const ledgerAt = process.argv.indexOf("--ledger");
  const ledgerRows = ledgerAt > 0 ? Number(process.argv[ledgerAt + 1]) : 0;
  if (!Number.isSafeInteger(ledgerRows) || ledgerRows < 0)
    throw new Error(`--ledger takes a number of ledger rows, got ${process.argv[ledgerAt + 1]}`);
  const database = await createDatabase({ url, poolSize: 1 });
  await database.migrate();
  await database.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "select count(*)::int as n from products where sku like 'LT-%'",
    );
    if (rows[0]!.n > 0) process.stdout.write(`already seeded: ${rows[0]!.n} load-test products\n`);
    else process.stdout.write(`${JSON.stringify(await seedDataset(client, layout))}\n`);
    if (ledgerRows > 0)
      process.stdout.write(`${JSON.stringify({ ledger: await extendLedger(client, ledgerRows) })}\n`);
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  process.stderr.write(`seed failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
