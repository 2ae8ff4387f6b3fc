import type { QueryFn } from "../invariants";

export type { QueryFn };

const USER_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every user table as "schema.table", sorted. */
export async function userTables(query: QueryFn): Promise<string[]> {
  const rows = await query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and ${USER_SCHEMAS}
      order by 1`,
  );
  return rows.map((r) => r.name);
}

export const quoteTable = (qualified: string) => {
  const dot = qualified.indexOf(".");
  return `${ident(qualified.slice(0, dot))}.${ident(qualified.slice(dot + 1))}`;
};

export async function rowCounts(query: QueryFn): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await userTables(query)) {
    const [row] = await query<{ n: string | number }>(`select count(*) as n from ${quoteTable(table)}`);
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

export async function migrationCount(query: QueryFn): Promise<number> {
  const [exists] = await query<{ t: string | null }>(
    `select to_regclass('drizzle.__drizzle_migrations')::text as t`,
  );
  if (!exists?.t) return 0;
  const [row] = await query<{ n: string | number }>(`select count(*) as n from drizzle.__drizzle_migrations`);
  return Number(row?.n ?? 0);
}

export async function serverVersion(query: QueryFn): Promise<{ text: string; num: number }> {
  const [row] = await query<{ v: string; n: string }>(
    `select current_setting('server_version') as v, current_setting('server_version_num') as n`,
  );
  return { text: row?.v ?? "unknown", num: Number(row?.n ?? 0) };
}

/** What is already in a database: user schemas other than an empty public, relations, types. */
export async function existingObjects(query: QueryFn): Promise<{ schemas: string[]; objects: string[] }> {
  const schemas = await query<{ s: string }>(
    `select n.nspname as s from pg_namespace n where ${USER_SCHEMAS} order by 1`,
  );
  const objects = await query<{ o: string }>(
    `select n.nspname || '.' || c.relname as o
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where ${USER_SCHEMAS} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
     union all
     select n.nspname || '.' || t.typname
       from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where ${USER_SCHEMAS} and t.typtype in ('e', 'd', 'c') and t.typrelid = 0
     order by 1`,
  );
  return { schemas: schemas.map((r) => r.s), objects: objects.map((r) => r.o) };
}

/** SQL that empties a database: every user schema dropped, a fresh public created. */
export function wipeSql(schemas: string[]): string {
  return [
    ...schemas.map((s) => `DROP SCHEMA IF EXISTS ${ident(s)} CASCADE;`),
    "CREATE SCHEMA public AUTHORIZATION pg_database_owner;",
    "GRANT USAGE ON SCHEMA public TO PUBLIC;",
    "",
  ].join("\n");
}
