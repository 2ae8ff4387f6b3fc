import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * packages/db/sql/: the current source of every SQL function, type and trigger the service
 * defines. Migrations (drizzle/) create tables and record history; these files are installed
 * after them, each whenever its text changed, so the database always runs exactly this text.
 */
export const sqlSourcesFolder = fileURLToPath(new URL("../sql/", import.meta.url));

export interface SqlSource {
  /** The file name, e.g. stock-apply.sql. */
  name: string;
  text: string;
  sha256: string;
  /** The file's statements, split at `--> statement-breakpoint` as in the migrations. */
  statements: string[];
}

export function readSqlSources(folder = sqlSourcesFolder): SqlSource[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => {
      const text = readFileSync(`${folder}${name}`, "utf8");
      return {
        name,
        text,
        sha256: createHash("sha256").update(text).digest("hex"),
        statements: text
          .split("--> statement-breakpoint")
          .map((s) => s.trim())
          .filter((s) => s.replace(/--[^\n]*/g, "").trim() !== ""),
      };
    });
}

/** The one thing the installer needs of a connection: run a statement, get its rows. */
export type RunSql = (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * Installs the files whose text differs from what the database last installed, each in the
 * transaction the caller opened, and records their hashes. The caller holds the migration
 * lock, so replicas starting together install each file once.
 */
export async function installSqlSources(run: RunSql, sources = readSqlSources()): Promise<string[]> {
  const rows = await run("select name, sha256 from stockroom_sql_sources");
  const installed = new Map(rows.map((r) => [String(r.name), String(r.sha256)]));
  const changed: string[] = [];
  for (const source of sources) {
    if (installed.get(source.name) === source.sha256) continue;
    for (const statement of source.statements) await run(statement);
    await run(
      `insert into stockroom_sql_sources (name, sha256) values ($1, $2)
       on conflict (name) do update set sha256 = excluded.sha256, installed_at = now()`,
      [source.name, source.sha256],
    );
    changed.push(source.name);
  }
  return changed;
}

/** The same on a PGlite instance, in one transaction of its own. */
export function installSqlSourcesOnPglite(client: {
  transaction<T>(
    fn: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>,
  ): Promise<T>;
}): Promise<string[]> {
  return client.transaction((tx) =>
    installSqlSources(async (text, params) => (await tx.query<Record<string, unknown>>(text, params)).rows),
  );
}
