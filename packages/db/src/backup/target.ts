import { resolve } from "node:path";

/** Where a backup comes from or a restore goes to. */
export type DatabaseTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** The database the server would use with this environment: DATABASE_URL, else STOCKROOM_DATA_DIR. */
export function targetFromEnv(env: Record<string, string | undefined> = process.env): DatabaseTarget {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: "postgres", url };
  return { kind: "pglite", dataDir: env.STOCKROOM_DATA_DIR?.trim() || "./data" };
}

/** `postgres://…` is PostgreSQL; anything else is a PGlite data directory (or memory://). */
export function parseTarget(value: string): DatabaseTarget {
  if (POSTGRES_URL.test(value)) return { kind: "postgres", url: value };
  return { kind: "pglite", dataDir: value };
}

/** For logs and messages: the password never shows. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "postgres") return redactUrl(target.url);
  return target.dataDir.includes("://") ? target.dataDir : `PGlite at ${resolve(target.dataDir)}`;
}

export const redactUrl = (url: string) => url.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, "//$1:***@");

/**
 * libpq arguments for a URL: the password moves to PGPASSWORD so it never appears in the
 * process list, and query parameters only node-postgres understands are dropped.
 */
export function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const env: Record<string, string> = {};
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  parsed.password = "";
  for (const key of [...parsed.searchParams.keys()])
    if (!LIBPQ_PARAMS.has(key)) parsed.searchParams.delete(key);
  return { dbname: parsed.toString(), env };
}

const LIBPQ_PARAMS = new Set([
  "sslmode",
  "sslcert",
  "sslkey",
  "sslrootcert",
  "sslcrl",
  "application_name",
  "connect_timeout",
  "options",
  "target_session_attrs",
  "host",
  "port",
  "user",
  "dbname",
  "passfile",
  "channel_binding",
  "gssencmode",
]);

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
