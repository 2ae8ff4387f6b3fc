import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LAYOUTS, SCENARIOS } from "../scenarios.js";
import {
  BenchCorrectnessError,
  type BenchOptions,
  formatReport,
  type LayoutName,
  runBench,
  type ScenarioName,
} from "./run";

const HELP = `pnpm bench [options]

Seeds a scratch PostgreSQL database (on DATABASE_URL's server, else 127.0.0.1:5432), starts
the server against it, drives the scenarios of loadtest/scenarios.js with wrk (autocannon when
wrk is missing) at 50 and 500 connections, checks correctness after every write scenario,
follows every write scenario with a consumer of the event feed (GET /api/events, its lag and
completeness), measures the same SQL with pgbench, prints a table and writes bench/results/<time>.json.

  --quick               tiny dataset and 1 s runs (the smoke test uses it)
  --layout <name>       the dataset: full (default: 10,000 products, 50 stores), large (200,000
                        products, 200 stores, ~2.2 M levels, ~4 M ledger rows) or quick
  --duration <s>        seconds per run (default 10)
  --connections <list>  e.g. 50,500 (default: the full plan)
  --scenarios <list>    e.g. list,transfer (default: the full plan); one of ${Object.keys(SCENARIOS).join(", ")}.
                        checkout (a reservation, then its commit, through autocannon; with its pgbench
                        ceiling) is not in the full plan: --scenarios checkout --connections 50
  --driver <name>       auto | wrk | autocannon
  --workers <n>         STOCKROOM_WORKERS for the server
  --pool <n>            STOCKROOM_DB_POOL_SIZE for the server
  --log-level <level>   the server's LOG_LEVEL (default warn)
  --profile             node --cpu-prof the server into bench/profiles/
  --no-pgbench          skip the pgbench comparison
  --no-feed             do not follow write scenarios with a consumer of the event feed (its page
                        reads load the server too: use it to compare writes with a server that has none)
  --database <url>      use this database (seeded if empty) instead of a scratch one
  --keep                keep the scratch database
  --server-root <dir>   run the server from another checkout (e.g. a baseline), same dataset and load
`;

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      layout: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      scenarios: { type: "string" },
      driver: { type: "string" },
      workers: { type: "string" },
      pool: { type: "string" },
      "log-level": { type: "string" },
      profile: { type: "boolean" },
      "no-pgbench": { type: "boolean" },
      "no-feed": { type: "boolean" },
      database: { type: "string" },
      keep: { type: "boolean" },
      "server-root": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.layout && !(values.layout in LAYOUTS))
    throw new Error(`unknown layout ${values.layout}: one of ${Object.keys(LAYOUTS).join(", ")}`);
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const options: BenchOptions = {
    quick: values.quick,
    layout: values.layout as LayoutName | undefined,
    durationSec: values.duration ? Number(values.duration) : undefined,
    driver: (values.driver as BenchOptions["driver"]) ?? "auto",
    workers: values.workers ? Number(values.workers) : undefined,
    poolSize: values.pool ? Number(values.pool) : undefined,
    logLevel: values["log-level"],
    pgbench: !values["no-pgbench"],
    feed: !values["no-feed"],
    databaseUrl: values.database ?? process.env.BENCH_DATABASE_URL,
    keep: values.keep,
    serverRoot: values["server-root"],
  };
  if (values.profile) {
    options.cpuProfDir = `${root}bench/profiles`;
    mkdirSync(options.cpuProfDir, { recursive: true });
  }
  if (values.connections || values.scenarios) {
    const connections = (values.connections ?? "50,500").split(",").map(Number);
    const scenarios = (values.scenarios ?? "read,transfer,mixed").split(",") as ScenarioName[];
    for (const s of scenarios) if (!(s in SCENARIOS)) throw new Error(`unknown scenario ${s}`);
    options.plan = connections.map((c) => [c, scenarios]);
  }
  const report = await runBench(options);
  const text = formatReport(report);
  process.stdout.write(`\n${text}\n`);
  mkdirSync(`${root}bench/results`, { recursive: true });
  const suffix = options.quick
    ? "-quick"
    : options.layout && options.layout !== "full"
      ? `-${options.layout}`
      : "";
  const file = `${root}bench/results/${report.startedAt.replace(/[:.]/g, "-")}${suffix}.json`;
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

main().catch((err) => {
  if (err instanceof BenchCorrectnessError) process.stderr.write(`\n${err.message}\n`);
  else
    process.stderr.write(
      `\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  process.exit(1);
});
