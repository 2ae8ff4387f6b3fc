import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createDatabase, rowsOf, sql } from "@stockroom/db";

// PRIVATE PostgreSQL clusters made by a test with initdb (or pg_basebackup from another one),
// on free ports: the only servers a test may stop. The shared server on 5432 is never touched.
// Here (not under test/) so other packages' tests can use them through @stockroom/server/testing.

const run = promisify(execFile);

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function findPgBin(): string | null {
  if (process.env.STOCKROOM_PG_BIN) return process.env.STOCKROOM_PG_BIN;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

const PG_BIN = findPgBin();
const isRoot = process.getuid?.() === 0;

/** null when this machine can run private clusters, else why not. */
export function privateClusterUnavailableReason(): string | null {
  if (!PG_BIN) return "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql";
  for (const tool of ["initdb", "pg_ctl", "pg_basebackup"])
    if (!existsSync(join(PG_BIN, tool))) return `no ${tool} in ${PG_BIN}`;
  if (isRoot && spawnSync("id", ["-u", "postgres"]).status !== 0)
    return "running as root and there is no postgres user to run initdb as";
  if (isRoot && spawnSync("runuser", ["--help"]).error) return "running as root without runuser";
  return null;
}

/** initdb refuses to run as root: run the cluster's tools as postgres then. */
const asPostgres = (tool: string, args: string[]) =>
  isRoot
    ? run("runuser", ["-u", "postgres", "--", join(PG_BIN!, tool), ...args])
    : run(join(PG_BIN!, tool), args);

export interface Cluster {
  port: number;
  url(db: string, appName?: string): string;
  start(): Promise<void>;
  stop(mode: "fast" | "immediate"): Promise<void>;
  /**
   * A standby's WAL replay: pause resolves once replay has stopped (pg_wal_replay_pause()
   * only asks for it), resume once it was asked to go on.
   */
  replay(action: "pause" | "resume"): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A new cluster, started: an empty one (initdb), or with `standbyOf` a streaming replica of
 * that running cluster (pg_basebackup -R: it follows the primary from the moment of the copy).
 */
export async function createPrivateCluster(options: { standbyOf?: Cluster } = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "stockroom-pg-"));
  if (isRoot)
    chownSync(
      dir,
      Number(spawnSync("id", ["-u", "postgres"]).stdout),
      Number(spawnSync("id", ["-g", "postgres"]).stdout),
    );
  const data = join(dir, "data");
  const port = await freePort();
  if (options.standbyOf)
    await asPostgres("pg_basebackup", [
      "-h",
      "127.0.0.1",
      "-p",
      String(options.standbyOf.port),
      "-U",
      "postgres",
      "-D",
      data,
      "-R",
      "-X",
      "stream",
      "--no-sync",
    ]);
  else
    await asPostgres("initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C",
    ]);
  const options_ = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=80`;
  const cluster: Cluster = {
    port,
    url: (db, appName) =>
      `postgres://postgres@127.0.0.1:${port}/${db}${appName ? `?application_name=${appName}` : ""}`,
    start: async () => {
      await asPostgres("pg_ctl", [
        "-D",
        data,
        "-o",
        options_,
        "-l",
        join(dir, "log"),
        "-w",
        "-t",
        "60",
        "start",
      ]);
    },
    stop: async (mode) => {
      await asPostgres("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
    },
    replay: async (action) => {
      const db = await createDatabase({ url: cluster.url("postgres"), poolSize: 1 });
      try {
        if (action === "resume") {
          await db.db.execute(sql`select pg_wal_replay_resume()`);
          return;
        }
        await db.db.execute(sql`select pg_wal_replay_pause()`);
        for (let waited = 0; ; waited += 50) {
          const [row] = rowsOf<{ state: string }>(
            await db.db.execute(sql`select pg_get_wal_replay_pause_state() as state`),
          );
          if (row?.state === "paused") return;
          if (waited > 60_000) throw new Error("replay never paused");
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await db.close();
      }
    },
    destroy: async () => {
      await cluster.stop("immediate").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // If the runner dies, the private cluster must not outlive it.
  process.once("exit", () => {
    const args = ["-D", data, "-m", "immediate", "stop"];
    if (isRoot) spawnSync("runuser", ["-u", "postgres", "--", join(PG_BIN!, "pg_ctl"), ...args]);
    else spawnSync(join(PG_BIN!, "pg_ctl"), args);
  });
  await cluster.start();
  return cluster;
}
