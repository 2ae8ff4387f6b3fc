import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../src/client";
import { checkInvariants, invariantProblems, queryOf } from "../src/invariants";
import { installSqlSources, readSqlSources } from "../src/sql-sources";
import { createTestDatabase, type ScratchDatabase, testBackends } from "../src/testing";

// Every SQL function, trigger and type the service defines has ONE current source, a file in
// packages/db/sql/. These tests hold the database to those files.

const sources = readSqlSources();
const FUNCTION = /CREATE (?:OR REPLACE )?FUNCTION (\w+)\([\s\S]*?AS \$\$([\s\S]*?)\$\$;/g;
const TRIGGER = /CREATE (?:OR REPLACE )?TRIGGER (\w+) [\s\S]*? ON (\w+)[\s\S]*?EXECUTE FUNCTION (\w+)\(\)/g;
const TYPE = /CREATE TYPE (\w+) AS \(([\s\S]*?)\n\);/g;

const functions = sources.flatMap((s) =>
  [...s.text.matchAll(FUNCTION)].map((m) => ({ name: m[1]!, body: m[2]! })),
);
const triggers = sources.flatMap((s) =>
  [...s.text.matchAll(TRIGGER)].map((m) => ({ name: m[1]!, table: m[2]!, fn: m[3]! })),
);
const types = sources.flatMap((s) =>
  [...s.text.matchAll(TYPE)].map((m) => ({
    name: m[1]!,
    attributes: m[2]!
      .split("\n")
      .map((l) => l.replace(/--.*$/, "").trim())
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[0]!),
  })),
);

describe("the SQL source files", () => {
  it("define the primitive, its types and every counter trigger", () => {
    expect(functions.map((f) => f.name)).toContain("stockroom_apply");
    expect(types.map((t) => t.name).sort()).toEqual(["stockroom_change", "stockroom_outcome"]);
    expect(triggers.length).toBeGreaterThanOrEqual(7);
    // No function is defined twice: one source each.
    expect(new Set(functions.map((f) => f.name)).size).toBe(functions.length);
  });

  it("are installed again only when their text changed", async () => {
    const ran: string[] = [];
    const recorded = new Map(sources.map((s) => [s.name, s.sha256]));
    recorded.set(sources[0]!.name, "an older text");
    const run = async (text: string, params?: unknown[]) => {
      if (text.startsWith("select name, sha256"))
        return [...recorded].map(([name, sha256]) => ({ name, sha256 }));
      ran.push(params ? `record ${params[0]}` : text);
      return [];
    };
    expect(await installSqlSources(run, sources)).toEqual([sources[0]!.name]);
    expect(ran).toEqual([...sources[0]!.statements, `record ${sources[0]!.name}`]);
  });
});

const backends = await testBackends();

describe.each(backends)("the database's definitions on %s", (backend) => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createTestDatabase(backend);
  });
  afterAll(() => scratch?.drop());

  it("equal the files: every function's text, every trigger, every type", async () => {
    const db = scratch.database.db;
    const installed = rowsOf<{ name: string; body: string }>(
      await db.execute(sql`
        select p.proname as name, p.prosrc as body from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname like 'stockroom\\_%'`),
    );
    // Nothing installed that has no source (an old function a migration forgot to drop) ...
    expect(installed.map((f) => f.name).sort()).toEqual(functions.map((f) => f.name).sort());
    // ... and each the very text of its file.
    for (const f of functions) expect(installed.find((i) => i.name === f.name)?.body, f.name).toBe(f.body);

    const installedTriggers = rowsOf<{ name: string; tbl: string; fn: string }>(
      await db.execute(sql`
        select t.tgname as name, c.relname as tbl, p.proname as fn from pg_trigger t
        join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
        where not t.tgisinternal`),
    );
    expect(installedTriggers.map((t) => `${t.name} ${t.tbl} ${t.fn}`).sort()).toEqual(
      triggers.map((t) => `${t.name} ${t.table} ${t.fn}`).sort(),
    );

    for (const t of types) {
      const attributes = rowsOf<{ name: string }>(
        await db.execute(sql`
          select a.attname as name from pg_type ty join pg_attribute a on a.attrelid = ty.typrelid
          where ty.typname = ${t.name} and a.attnum > 0 and not a.attisdropped order by a.attnum`),
      );
      expect(
        attributes.map((a) => a.name),
        t.name,
      ).toEqual(t.attributes);
    }
  });

  it("record the hash of each file installed", async () => {
    const rows = rowsOf<{ name: string; sha256: string }>(
      await scratch.database.db.execute(sql`select name, sha256 from stockroom_sql_sources order by name`),
    );
    expect(rows).toEqual(sources.map((s) => ({ name: s.name, sha256: s.sha256 })));
  });

  it("count the levels per store and category again when counters.sql is installed (the upgrade window)", async () => {
    const db = scratch.database.db;
    await db.execute(sql`insert into stores (id, name) values ('up', 'Upgrade')`);
    await db.execute(sql`insert into products (id, sku, name, category, price) values
      ('00000000-0000-4000-8000-00000000a001', 'UP-1', 'Up 1', 'upgrades', 1),
      ('00000000-0000-4000-8000-00000000a002', 'UP-2', 'Up 2', 'upgrades', 1)`);
    await db.execute(sql`insert into stock_levels (product_id, store_id, quantity) values
      ('00000000-0000-4000-8000-00000000a001', 'up', 0)`);
    // A level written while the triggers of the release before were installed: they counted
    // it for its store, not for its store and category.
    await db.execute(sql`insert into stock_levels (product_id, store_id, quantity) values
      ('00000000-0000-4000-8000-00000000a002', 'up', 0)`);
    await db.execute(
      sql`update store_category_counts set levels = levels - 1 where store_id = 'up' and category = 'upgrades'`,
    );
    const check = async () => invariantProblems(await checkInvariants(queryOf(db)));
    expect(await check()).toEqual(["counters: store and category up/upgrades differs from a recount"]);

    const counters = sources.find((s) => s.name === "counters.sql")!;
    await db.transaction(async (tx) => {
      for (const statement of counters.statements) await tx.execute(sql.raw(statement));
    });
    expect(await check()).toEqual([]);
    const [row] = rowsOf<{ levels: number }>(
      await db.execute(
        sql`select levels from store_category_counts where store_id = 'up' and category = 'upgrades'`,
      ),
    );
    expect(row?.levels).toBe(2);
  });
});
