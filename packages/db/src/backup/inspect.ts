/** Runs one SQL statement and returns its rows; implemented for pg.Client and PGlite. */
export type QueryFn = <T = Record<string, unknown>>(sql: string) => Promise<T[]>;

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

export interface LedgerDiscrepancy {
  productId: string;
  storeId: string;
  quantity: number;
  ledgerSum: number;
}

export interface LedgerAudit {
  checkedLevels: number;
  /** Levels whose quantity is not the sum of their movements (and ledgers with no level). */
  discrepancies: LedgerDiscrepancy[];
  /** Movements whose quantity_after is not the running sum of deltas in ledger order. */
  runningSumErrors: number;
  /** Stock levels below zero (the CHECK constraint should make this impossible). */
  negativeLevels: number;
}

/** The ledger invariants from DESIGN.md, recomputed in SQL. */
export async function auditLedger(query: QueryFn): Promise<LedgerAudit> {
  const [checked] = await query<{ n: string | number }>(`select count(*) as n from public.stock_levels`);
  const discrepancies = await query<{
    product_id: string;
    store_id: string;
    quantity: string | number;
    ledger_sum: string | number;
  }>(
    `with sums as (
       select product_id, store_id, sum(delta) as s from public.movements group by product_id, store_id
     )
     select l.product_id::text, l.store_id, l.quantity, coalesce(s.s, 0) as ledger_sum
       from public.stock_levels l left join sums s using (product_id, store_id)
      where l.quantity <> coalesce(s.s, 0)
     union all
     select s.product_id::text, s.store_id, 0, s.s
       from sums s
      where s.s <> 0
        and not exists (select 1 from public.stock_levels l where l.product_id = s.product_id and l.store_id = s.store_id)
     order by 1, 2
     limit 1000`,
  );
  const [running] = await query<{ n: string | number }>(
    `select count(*) as n from (
       select quantity_after, sum(delta) over (partition by product_id, store_id order by seq) as running
         from public.movements
     ) m where m.quantity_after <> m.running`,
  );
  const [negative] = await query<{ n: string | number }>(
    `select count(*) as n from public.stock_levels where quantity < 0`,
  );
  return {
    checkedLevels: Number(checked?.n ?? 0),
    discrepancies: discrepancies.map((d) => ({
      productId: d.product_id,
      storeId: d.store_id,
      quantity: Number(d.quantity),
      ledgerSum: Number(d.ledger_sum),
    })),
    runningSumErrors: Number(running?.n ?? 0),
    negativeLevels: Number(negative?.n ?? 0),
  };
}
