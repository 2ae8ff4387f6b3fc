import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus, loadavg, totalmem } from "node:os";
import { createDatabase } from "@stockroom/db";
import pg from "pg";
import { chainMaker, LAYOUTS, requestMaker, SCENARIOS, storeId, TARGETS, writes } from "../scenarios.js";
import { checkCorrectness, type Snapshot, snapshot } from "./check";
import { cpuBetween, sampleCpu } from "./cpu";
import { type LoadResult, runAutocannon, runChained, runWrk, type StepResult, wrkAvailable } from "./drivers";
import { FEED_IDLE_MS, FeedConsumer, type FeedFigures } from "./feed";
import { PGBENCH_BATCH, type PgbenchReport, pgbenchAvailable, runPgbenchComparisons } from "./pgbench";
import { type Layout, productId, type SeedSummary, seedDataset } from "./seed";
import { startBenchServer } from "./server";

export type ScenarioName = keyof typeof SCENARIOS;

export type LayoutName = keyof typeof LAYOUTS;

export interface BenchOptions {
  /** The quick layout and 1 s runs. */
  quick?: boolean;
  /** The dataset (scenarios.js LAYOUTS); default `full`, or `quick` with `quick`. */
  layout?: LayoutName;
  /** Seconds per measured run. */
  durationSec?: number;
  /** [connections, scenarios][] to run, in order. */
  plan?: Array<[number, ScenarioName[]]>;
  driver?: "auto" | "wrk" | "autocannon";
  pgbench?: boolean;
  workers?: number;
  poolSize?: number;
  logLevel?: string;
  /** `node --cpu-prof` output directory for the server. */
  cpuProfDir?: string;
  /** Use this database as is (seeded when empty); otherwise a scratch database is made and dropped. */
  databaseUrl?: string;
  /** Keep the scratch database afterwards. */
  keep?: boolean;
  /** Run the server from another checkout (a baseline to compare with). */
  serverRoot?: string;
  /**
   * Follow each write scenario with a consumer of the event feed (default true). Its page reads
   * load the server too: turn it off to compare write throughput with a server that has no feed.
   */
  feed?: boolean;
  log?: (line: string) => void;
}

export interface RunRow extends LoadResult {
  scenario: ScenarioName;
  connections: number;
  durationSec: number;
  /** CPU time per request of the server processes and of the PostgreSQL backends serving them. */
  serverCpuUsPerReq?: number;
  dbCpuUsPerReq?: number;
  /** Chained scenarios (checkout): chains completed per second, and each step's figures. */
  chainsPerSec?: number;
  steps?: Array<StepResult & { name: string }>;
  /** Write scenarios: the event feed read alongside by an integrator's consumer (feed.ts). */
  feed?: FeedFigures;
}

export interface BenchReport {
  startedAt: string;
  machine: { nproc: number; cpu: string; memoryGiB: number; node: string; loadAvgAtStart: number[] };
  options: Record<string, unknown>;
  seed: SeedSummary;
  rows: RunRow[];
  correctness: Array<{
    after: string;
    ok: boolean;
    problems: string[];
    movements: number;
    auditMs?: number;
    checkMs: number;
  }>;
  pgbench: PgbenchReport | null;
  ratios: Record<string, number>;
}

export const FULL_PLAN: Array<[number, ScenarioName[]]> = [
  [50, ["list", "get", "inventory", "alerts", "read", "transfer", "sale", "mixed"]],
  [500, ["read", "transfer", "sale", "mixed"]],
];
const QUICK_PLAN: Array<[number, ScenarioName[]]> = [
  [50, ["read", "transfer", "sale", "mixed", "checkout"]],
  [500, ["read", "transfer"]],
];

/** Where tests and the runner find PostgreSQL when DATABASE_URL is unset. */
const LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres";

async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `stockroom_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const quick = options.quick ?? false;
  const layoutName: LayoutName = options.layout ?? (quick ? "quick" : "full");
  const layout: Layout = LAYOUTS[layoutName];
  const durationSec = options.durationSec ?? (quick ? 1 : 10);
  const plan = options.plan ?? (quick ? QUICK_PLAN : FULL_PLAN);
  const driverName =
    options.driver && options.driver !== "auto" ? options.driver : wrkAvailable() ? "wrk" : "autocannon";
  const drive = driverName === "wrk" ? runWrk : runAutocannon;
  const apiKey = `sk_bench_${randomBytes(18).toString("base64url")}`;

  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    machine: {
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAvgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    options: {
      quick,
      durationSec,
      driver: driverName,
      workers: options.workers ?? 1,
      poolSize: options.poolSize ?? "server default",
      logLevel: options.logLevel ?? "warn",
      serverRoot: options.serverRoot ?? "this checkout",
      layoutName,
      layout,
      feed: "off",
    },
    seed: undefined as unknown as SeedSummary,
    rows: [],
    correctness: [],
    pgbench: null,
    ratios: {},
  };

  const scratch = options.databaseUrl
    ? null
    : await scratchDatabase(process.env.DATABASE_URL || LOCAL_POSTGRES);
  const databaseUrl = options.databaseUrl ?? scratch!.url;
  const client = new pg.Client({ connectionString: databaseUrl });
  let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
  try {
    if (options.serverRoot) migrateWith(options.serverRoot, databaseUrl);
    else {
      const database = await createDatabase({ url: databaseUrl, poolSize: 1 });
      await database.migrate();
      await database.close();
    }
    await client.connect();
    const { rows: existing } = await client.query<{ n: number }>(
      "select count(*)::int as n from products where sku like 'LT-%'",
    );
    if (existing[0]!.n === 0) {
      log(`seeding the ${layoutName} layout: ${layout.products} products, ${layout.stores} stores ...`);
      report.seed = await seedDataset(client, layout);
    } else {
      const s = await snapshot(client);
      report.seed = {
        products: existing[0]!.n,
        stores: layout.stores,
        levels: -1,
        movements: -1,
        units: s.total,
        ms: 0,
      };
    }
    log(
      `dataset: ${report.seed.products} products, ${report.seed.stores} stores, ${report.seed.levels} levels, ` +
        `${report.seed.movements} movements, ${report.seed.units} units (${report.seed.ms} ms)`,
    );

    server = await startBenchServer({
      databaseUrl,
      apiKey,
      workers: options.workers,
      poolSize: options.poolSize,
      logLevel: options.logLevel,
      cpuProfDir: options.cpuProfDir,
      serverRoot: options.serverRoot,
      // The audit the correctness check asks for reads the whole ledger: millions of rows at
      // the large layout, longer than the default audit (25 s) and request (30 s) timeouts.
      env:
        layoutName === "large"
          ? {
              STOCKROOM_STATEMENT_TIMEOUT_MS: process.env.STOCKROOM_STATEMENT_TIMEOUT_MS ?? "600000",
              STOCKROOM_REQUEST_TIMEOUT_MS: process.env.STOCKROOM_REQUEST_TIMEOUT_MS ?? "600000",
              STOCKROOM_AUDIT_TIMEOUT_MS: process.env.STOCKROOM_AUDIT_TIMEOUT_MS ?? "590000",
            }
          : undefined,
    });
    log(`server ${server.url} (pid ${server.pid}), driver ${driverName}, ${durationSec} s per run`);

    const context = {
      layout,
      productIds: Array.from({ length: layout.products }, (_, i) => productId(i)),
      storeIds: Array.from({ length: layout.stores }, (_, k) => storeId(k)),
    };
    // Warm up (JIT, pool, caches) on every request kind, unmeasured.
    await drive({
      url: server.url,
      apiKey,
      connections: 20,
      durationSec: quick ? 1 : 3,
      next: requestMaker("mixed", context, Math.random),
    });

    // An integrator's consumer of the event feed, following every write scenario.
    const consumer = options.feed === false ? null : await FeedConsumer.create(server.url, apiKey);
    if (consumer) {
      report.options.feed = { limit: consumer.limit, idleMs: FEED_IDLE_MS };
      log(
        `feed consumer: a viewer key, limit ${consumer.limit}, ${FEED_IDLE_MS} ms sleep after a page that is not full`,
      );
    } else if (options.feed !== false) log("feed consumer: this server has no GET /api/events; not followed");

    let before: Snapshot = await snapshot(client);
    for (const [connections, scenarios] of plan) {
      for (const scenario of scenarios) {
        const follower = writes(scenario) ? consumer : null;
        await checkpoint(client);
        // The consumer starts the run at the head of the feed, the ledger's position taken after.
        await follower?.catchUp();
        const ledgerFrom = follower ? await lastLedgerSeq(client) : "0";
        const pgPids = isLocal(databaseUrl) ? await backendPids(client) : [];
        const cpuBefore = [sampleCpu([server.pid]), sampleCpu(pgPids, false)] as const;
        const load = { url: server.url, apiKey, connections, durationSec };
        const chain = (SCENARIOS[scenario] as { chain?: string[] }).chain;
        // Chained requests (each needs the answer before) cannot be pre-drawn for wrk.
        const running: Promise<LoadResult & Pick<RunRow, "chainsPerSec" | "steps">> = chain
          ? runChained({ ...load, ...chainMaker(scenario, context, Math.random) }).then((r) => ({
              ...r,
              steps: r.steps.map((step, k) => ({ name: chain[k]!, ...step })),
            }))
          : drive({ ...load, next: requestMaker(scenario, context, Math.random) });
        const { result, feed } = follower
          ? await follower.follow(running, () => ledgerIdsAfter(client, ledgerFrom))
          : { result: await running, feed: undefined };
        const cpuAfter = [sampleCpu([server.pid]), sampleCpu(pgPids, false)] as const;
        const perReq = (ms: number) => (result.requests > 0 ? Math.round((ms * 1000) / result.requests) : 0);
        const row: RunRow = {
          scenario,
          connections,
          durationSec,
          ...result,
          serverCpuUsPerReq: perReq(cpuBetween(cpuBefore[0], cpuAfter[0])),
          dbCpuUsPerReq: perReq(cpuBetween(cpuBefore[1], cpuAfter[1])),
          ...(feed ? { feed } : {}),
        };
        report.rows.push(row);
        log(formatRow(row));
        if (feed) log(`  event feed: ${formatFeedRow(row).trimStart()}`);
        if (writes(scenario)) {
          const check = await checkCorrectness(client, { url: server.url, apiKey }, before);
          // The feed's order and completeness are part of being correct.
          const problems = [...check.problems, ...(feed?.problems ?? []).map((p) => `event feed: ${p}`)];
          report.correctness.push({
            after: `${scenario}@${connections}`,
            ok: problems.length === 0,
            problems,
            movements: check.movements,
            auditMs: check.auditMs,
            checkMs: check.ms,
          });
          if (problems.length > 0) throw new BenchCorrectnessError(scenario, connections, problems);
          before = await snapshot(client);
        }
      }
    }
    await server.stop();
    server = undefined;

    if (options.pgbench !== false && pgbenchAvailable()) {
      log("pgbench: the same SQL straight against PostgreSQL ...");
      report.pgbench = await runPgbenchComparisons({
        databaseUrl,
        layout,
        durationSec,
        clients: quick ? [10] : [10, 50],
        modes: quick ? ["prepared"] : ["prepared", "simple"],
        checkout: report.rows.some((r) => r.scenario === "checkout"),
        log,
      });
      // The server is gone; the SQL checks still prove pgbench ran a correct transfer.
      const check = await checkCorrectness(client, null, before);
      report.correctness.push({
        after: "pgbench",
        ok: check.ok,
        problems: check.problems,
        movements: check.movements,
        checkMs: check.ms,
      });
      if (!check.ok) throw new BenchCorrectnessError("pgbench", report.pgbench.clients, check.problems);
    }
    report.ratios = ratios(report);
    return report;
  } finally {
    await server?.stop().catch(() => {});
    await client.end().catch(() => {});
    if (scratch && !options.keep) await scratch.drop().catch(() => {});
    else if (scratch) log(`kept database ${databaseUrl}`);
  }
}

/** Migrates with another checkout's own migrations, so a baseline runs on its own schema. */
function migrateWith(serverRoot: string, url: string) {
  const script = `const { createDatabase } = await import("@stockroom/db");
    const d = await createDatabase({ url: process.env.BENCH_MIGRATE_URL, poolSize: 1 });
    await d.migrate(); await d.close();`;
  const r = spawnSync(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", script],
    {
      cwd: `${serverRoot.replace(/\/$/, "")}/apps/server`,
      env: { ...process.env, BENCH_MIGRATE_URL: url },
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`migrating with ${serverRoot} failed:\n${r.stderr}`);
}

/** The ledger's last row now. */
/**
 * Every run starts right after a checkpoint, when the role may ask for one (a superuser, or
 * pg_checkpoint). Otherwise one falls inside some runs and not others: seeding and each write
 * run write hundreds of MB of WAL, past max_wal_size (1 GB by default) every few runs, and
 * after a checkpoint each first change of a page writes the whole page to the WAL.
 */
async function checkpoint(client: pg.Client): Promise<void> {
  try {
    await client.query("checkpoint");
  } catch {
    // Not allowed: the runs are noisier, nothing else changes.
  }
}

async function lastLedgerSeq(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ seq: string }>(
    "select coalesce(max(seq), 0)::text as seq from movements",
  );
  return rows[0]!.seq;
}

/** The ledger rows written after `seq`: each has a stock.changed event the consumer must read. */
async function ledgerIdsAfter(client: pg.Client, seq: string): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>("select id::text as id from movements where seq > $1", [
    seq,
  ]);
  return rows.map((r) => r.id);
}

/** Backend PIDs only mean something when PostgreSQL runs on this machine. */
const isLocal = (url: string) => ["127.0.0.1", "localhost", "[::1]", ""].includes(new URL(url).hostname);

/** The PostgreSQL backends of the server's pool (same machine only; empty otherwise). */
async function backendPids(client: pg.Client): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>(
    "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
  );
  return rows.map((r) => r.pid);
}

export class BenchCorrectnessError extends Error {
  constructor(
    readonly scenario: string,
    readonly connections: number,
    readonly problems: string[],
  ) {
    super(`CORRECTNESS FAILED after ${scenario} at ${connections} connections:\n  ${problems.join("\n  ")}`);
  }
}

function rowOf(report: BenchReport, scenario: ScenarioName, connections: number) {
  return report.rows.find((r) => r.scenario === scenario && r.connections === connections);
}

function ratios(report: BenchReport): Record<string, number> {
  const out: Record<string, number> = {};
  const round = (x: number) => Math.round(x * 100) / 100;
  for (const name of ["list", "inventory", "alerts", "transfer"] as const) {
    const row = rowOf(report, name, 50);
    if (row) out[`${name}VsOriginal`] = round(row.rps / TARGETS.original[name]);
  }
  const pgb = report.pgbench;
  const list = rowOf(report, "list", 50);
  if (pgb && list && pgb.listTps > 0) out.listVsPgbench = round(list.rps / pgb.listTps);
  const transfer = rowOf(report, "transfer", 50);
  if (pgb && transfer && pgb.transferTps > 0) out.transferVsPgbench = round(transfer.rps / pgb.transferTps);
  if (pgb?.batchTransfersPerSec && transfer)
    out.transferVsPgbenchBatches = round(transfer.rps / pgb.batchTransfersPerSec);
  if (pgb?.textbookTps && transfer) out.transferVsTextbook = round(transfer.rps / pgb.textbookTps);
  const checkout = rowOf(report, "checkout", 50);
  if (pgb?.checkoutTps && checkout?.chainsPerSec)
    out.checkoutVsPgbench = round(checkout.chainsPerSec / pgb.checkoutTps);
  return out;
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

export function formatRow(r: RunRow): string {
  const line = [
    r.scenario.padEnd(10),
    String(r.connections).padStart(5),
    fmt(r.rps, 0).padStart(8),
    fmt(r.p50Ms).padStart(8),
    fmt(r.p99Ms).padStart(8),
    String(r.socketErrors).padStart(7),
    String(r.non2xx).padStart(7),
    String(r.status5xx).padStart(5),
    String(r.serverCpuUsPerReq ?? "").padStart(8),
    String(r.dbCpuUsPerReq ?? "").padStart(7),
  ].join(" ");
  // A chained scenario: each step's own figures below, then the chains per second.
  const steps = (r.steps ?? []).map((s) =>
    [
      `  ${s.name}`.padEnd(10),
      "".padStart(5),
      fmt(s.rps, 0).padStart(8),
      fmt(s.p50Ms).padStart(8),
      fmt(s.p99Ms).padStart(8),
      "".padStart(7),
      String(s.non2xx).padStart(7),
      String(s.status5xx).padStart(5),
    ].join(" "),
  );
  if (r.chainsPerSec !== undefined)
    steps.push(`${"  pairs/s".padEnd(10)} ${"".padStart(5)} ${fmt(r.chainsPerSec, 0).padStart(8)}`);
  return [line, ...steps].join("\n");
}

export const TABLE_HEADER = `${[
  "scenario".padEnd(10),
  "conns".padStart(5),
  "req/s".padStart(8),
  "p50 ms".padStart(8),
  "p99 ms".padStart(8),
  "errors".padStart(7),
  "non2xx".padStart(7),
  "5xx".padStart(5),
  "node µs".padStart(8),
  "pg µs".padStart(7),
].join(" ")}`;

/** A write scenario's event feed figures, one line under FEED_HEADER. */
export function formatFeedRow(r: RunRow): string {
  const f = r.feed!;
  return [
    r.scenario.padEnd(10),
    String(r.connections).padStart(5),
    String(f.ledgerRows).padStart(7),
    String(f.written).padStart(7),
    fmt(f.writtenPerSec, 0).padStart(6),
    String(f.consumedDuringLoad).padStart(8),
    String(f.backlogAtStop).padStart(7),
    String(f.drainMs).padStart(6),
    String(f.lagP50Ms).padStart(6),
    String(f.lagP99Ms).padStart(6),
    String(f.lagMaxMs).padStart(6),
    String(f.pages).padStart(6),
    (f.problems.length === 0 ? "ok" : `${f.problems.length} problems`).padStart(6),
  ].join(" ");
}

export const FEED_HEADER = `${[
  "scenario".padEnd(10),
  "conns".padStart(5),
  "ledger".padStart(7),
  "events".padStart(7),
  "ev/s".padStart(6),
  "read in".padStart(8),
  "backlog".padStart(7),
  "drain".padStart(6),
  "lag50".padStart(6),
  "lag99".padStart(6),
  "lagmax".padStart(6),
  "pages".padStart(6),
  "order".padStart(6),
].join(" ")}`;

/** The summary table, plus the ratios the issue asks for. */
export function formatReport(report: BenchReport): string {
  const lines = [
    `machine: ${report.machine.nproc} cores, ${report.machine.cpu}, ${report.machine.memoryGiB} GiB, node ${report.machine.node}, load avg at start ${report.machine.loadAvgAtStart.join(" ")}`,
    `driver: ${report.options.driver}; ${report.rows[0]?.durationSec ?? "?"} s per run; errors = socket errors + timeouts;`,
    "node µs / pg µs = CPU time per request of the server process(es) / of the PostgreSQL backends",
    "",
    TABLE_HEADER,
    ...report.rows.map(formatRow),
    "",
  ];
  const followed = report.rows.filter((r) => r.feed);
  const feedOptions = report.options.feed as { limit: number; idleMs: number } | "off";
  if (followed.length > 0 && feedOptions !== "off")
    lines.push(
      `event feed, read during each write scenario by a viewer paging GET /api/events (limit ${feedOptions.limit}, at once while`,
      `pages are full, ${feedOptions.idleMs} ms sleep otherwise): ledger = ledger rows written during the run; events = the run's`,
      "events (all types; its stock.changed, one per ledger row, all read); read in = read before the load stopped;",
      "backlog = the rest; drain = ms from the load's end to the last one read; lag = read time − createdAt, ms",
      "",
      FEED_HEADER,
      ...followed.map(formatFeedRow),
      "",
    );
  lines.push(
    `correctness: ${report.correctness.map((c) => `${c.after} ${c.ok ? "ok" : "FAILED"} (${c.auditMs !== undefined ? `audit ${c.auditMs} ms, ` : ""}check ${c.checkMs} ms)`).join(", ") || "no write scenario ran"}`,
  );
  if (report.pgbench) {
    const p = report.pgbench;
    lines.push(
      `pgbench (${p.mode}): list SQL ${fmt(p.listTps, 0)} tps, the server's transfer statement ${fmt(p.transferTps, 0)} tps`,
    );
    if (p.simpleListTps)
      lines.push(
        `pgbench (simple protocol, for reference): list SQL ${fmt(p.simpleListTps, 0)} tps, transfer statement ${fmt(p.simpleTransferTps ?? 0, 0)} tps`,
      );
    if (p.batchTransfersPerSec)
      lines.push(
        `pgbench (prepared, ${PGBENCH_BATCH} transfers per statement, as the server groups queued ones): ${fmt(p.batchTransfersPerSec, 0)} transfers/s`,
      );
    if (p.textbookTps)
      lines.push(
        `pgbench (prepared, the textbook transaction: lock, update, update, insert, commit): ${fmt(p.textbookTps, 0)} transfers/s`,
      );
    if (p.checkoutTps)
      lines.push(
        `pgbench (prepared, the server's reservation create and commit transactions): ${fmt(p.checkoutTps, 0)} pairs/s`,
      );
  }
  const r = report.ratios;
  const show = (label: string, key: string, target?: number) =>
    r[key] !== undefined
      ? `  ${label.padEnd(34)} ${fmt(r[key]!, 2).padStart(6)}${target ? `  (target >= ${target})` : ""}`
      : null;
  lines.push(
    "ratios:",
    ...[
      show("list vs the original (345/s)", "listVsOriginal", TARGETS.readSpeedup),
      show("inventory vs the original (130/s)", "inventoryVsOriginal", TARGETS.readSpeedup),
      show("alerts vs the original (270/s)", "alertsVsOriginal", TARGETS.readSpeedup),
      show("transfer vs the original (115/s)", "transferVsOriginal"),
      show("list API / pgbench same SQL", "listVsPgbench", TARGETS.pgbenchListRatio),
      show("transfer API / pgbench same txn", "transferVsPgbench", TARGETS.pgbenchTransferRatio),
      show(`transfer API / pgbench ${PGBENCH_BATCH} per stmt`, "transferVsPgbenchBatches"),
      show("transfer API / textbook txn", "transferVsTextbook", 1),
      show("checkout pairs API / pgbench", "checkoutVsPgbench"),
    ].filter((l): l is string => l !== null),
  );
  return lines.join("\n");
}
