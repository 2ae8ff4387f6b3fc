import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { CATEGORIES } from "../scenarios.js";
import { PGBENCH_BATCH, writePgbenchScripts } from "./pgbench-scripts";
import type { Layout } from "./seed";

export { PGBENCH_BATCH };

const scripts = fileURLToPath(new URL("../pgbench/", import.meta.url));

/**
 * pgbench is looked up on PATH, then in the Debian PostgreSQL layout. loadtest/pgbench/list_*.sql
 * mirror the five shapes of the `list` scenario; the transfer scripts are written at run time
 * from the server's own statement (pgbench-scripts.ts), 9 hot : 1 cold as the `transfer`
 * scenario, with the textbook transaction beside them as the yardstick.
 */
function pgbenchPath(): string | null {
  for (const candidate of [
    "pgbench",
    "/usr/lib/postgresql/15/bin/pgbench",
    "/usr/lib/postgresql/16/bin/pgbench",
  ])
    if (spawnSync(candidate, ["--version"]).error === undefined) return candidate;
  return null;
}

export const pgbenchAvailable = () => pgbenchPath() !== null;

export interface PgbenchRun {
  script: "list" | "transfer" | "batch" | "textbook" | "checkout";
  mode: "prepared" | "simple";
  clients: number;
  tps: number;
  failed: number;
}

export interface PgbenchReport {
  /** The client counts tried; the best rate of each is the ceiling. */
  clients: number;
  mode: string;
  listTps: number;
  transferTps: number;
  /** The same scripts in pgbench's default simple protocol, for reference. */
  simpleListTps?: number;
  simpleTransferTps?: number;
  /**
   * Transfers per second when they go 8 to a statement (prepared mode): what the server does
   * with transfers that queue. The ceiling for grouped transfers.
   */
  batchTransfersPerSec?: number;
  /**
   * The textbook transaction (lock both levels in order, update both, insert two ledger rows,
   * commit), prepared mode, on the same rows: what key-less transfers through the API must beat.
   */
  textbookTps?: number;
  /**
   * The server's reservation create and commit transactions, one after the other (prepared
   * mode): reservation pairs per second, the ceiling of the `checkout` scenario.
   */
  checkoutTps?: number;
  runs: PgbenchRun[];
}

function run(binary: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 4 << 20, env: { ...process.env, ...env } }, (err, out, errOut) =>
      err
        ? reject(new Error(`pgbench failed: ${err.message}\n${errOut}\n${out}`))
        : resolve(`${out}\n${errOut}`),
    );
  });
}

export async function runPgbenchComparisons(options: {
  databaseUrl: string;
  layout: Layout;
  durationSec: number;
  /** Client counts to try (default 10 and 50); the best rate is the ceiling. */
  clients?: number[];
  /**
   * Protocol modes. The ceiling is `prepared`: the server sends these statements as named
   * prepared statements, so pgbench must too. `simple` (literals, planned every time) is
   * printed for reference: it is how pgbench runs by default.
   */
  modes?: Array<"prepared" | "simple">;
  /** Also run the checkout scripts (when the plan ran the `checkout` scenario). */
  checkout?: boolean;
  log: (line: string) => void;
}): Promise<PgbenchReport> {
  const binary = pgbenchPath();
  if (!binary) throw new Error("pgbench is not installed");
  if (options.layout.categories > CATEGORIES.length) throw new Error("layout has more categories than names");
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  let actor: string;
  try {
    // Movements name the API key that made them (a foreign key the insert checks), as the API's do.
    const { rows } = await client.query<{ id: string }>(
      "select id from api_keys order by created_at limit 1",
    );
    actor = rows[0]?.id ?? "00000000-0000-4000-8000-000000000000";
  } finally {
    await client.end();
  }
  const { layout } = options;
  const defines = (mode: "prepared" | "simple") =>
    [
      `cats=${layout.categories}`,
      `hot=${layout.hotProducts}`,
      `products=${layout.products}`,
      `stores=${layout.stores}`,
      `levels=${layout.levelsPerColdProduct}`,
      `step=${Math.floor(layout.stores / layout.levelsPerColdProduct)}`,
      // Simple mode pastes variables into the text; prepared mode binds them as parameters.
      `actor=${mode === "simple" ? `'${actor}'` : actor}`,
    ].flatMap((d) => ["-D", d]);
  const generated = writePgbenchScripts();
  const files = {
    list: ["list_category", "list_category_price", "list_price", "list_name", "list_stock"].map(
      (f) => `${scripts}${f}.sql@1`,
    ),
    // 9 hot : 1 cold, as the `transfer` scenario.
    transfer: [`${generated.transferHot}@9`, `${generated.transferCold}@1`],
    batch: [`${generated.batch}@1`],
    textbook: [`${generated.textbookHot}@9`, `${generated.textbookCold}@1`],
    // 1 or 2 lines, as the `reserve` request.
    checkout: [`${generated.checkout1}@1`, `${generated.checkout2}@1`],
  };
  const runs: PgbenchRun[] = [];
  const clientCounts = options.clients ?? [10, 50];
  const modes = options.modes ?? ["prepared", "simple"];
  for (const mode of modes) {
    // Batches, checkouts and the textbook yardstick only as prepared statements, as the server
    // sends its own.
    const prepared = ["list", "transfer", "batch", "textbook", ...(options.checkout ? ["checkout"] : [])];
    for (const script of (mode === "prepared" ? prepared : ["list", "transfer"]) as PgbenchRun["script"][]) {
      for (const clients of clientCounts) {
        const out = await run(
          binary,
          [
            "-n",
            "-M",
            mode,
            "-c",
            String(clients),
            "-j",
            "2",
            "-T",
            String(Math.max(3, Math.round(options.durationSec))),
            ...defines(mode),
            ...files[script].flatMap((f) => ["-f", f]),
            options.databaseUrl,
          ],
          // Prepared statements are planned as the server's connections plan them
          // (STOCKROOM_DB_GENERIC_PLANS, on by default).
          mode === "prepared"
            ? {
                PGOPTIONS: [process.env.PGOPTIONS, "-c plan_cache_mode=force_generic_plan"]
                  .filter(Boolean)
                  .join(" "),
              }
            : {},
        );
        const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1] ?? 0);
        const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
        if (!(tps > 0)) throw new Error(`pgbench completed no transaction:\n${out}`);
        runs.push({ script, mode, clients, tps, failed });
        options.log(
          `  pgbench ${mode.padEnd(8)} ${script.padEnd(8)} ${String(clients).padStart(3)} clients: ${tps.toFixed(0)} tps${script === "batch" ? ` (${(tps * PGBENCH_BATCH).toFixed(0)} transfers/s)` : script === "checkout" ? " (create+commit pairs)" : ""}`,
        );
      }
    }
  }
  const best = (script: PgbenchRun["script"], mode: "prepared" | "simple") =>
    Math.max(0, ...runs.filter((r) => r.script === script && r.mode === mode).map((r) => r.tps));
  const ceilingMode = modes[0]!;
  return {
    clients: Math.max(...clientCounts),
    mode: `${ceilingMode} statements, -j 2, best of ${clientCounts.join("/")} clients`,
    listTps: best("list", ceilingMode),
    transferTps: best("transfer", ceilingMode),
    simpleListTps: best("list", "simple") || undefined,
    simpleTransferTps: best("transfer", "simple") || undefined,
    batchTransfersPerSec: best("batch", "prepared") * PGBENCH_BATCH || undefined,
    textbookTps: best("textbook", "prepared") || undefined,
    checkoutTps: best("checkout", "prepared") || undefined,
    runs,
  };
}
