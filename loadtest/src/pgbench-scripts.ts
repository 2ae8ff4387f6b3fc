import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitOperation, type Placeholder, RESERVATION_SQL, takeOperation } from "@stockroom/api";
import { APPLY_STOCK_SQL, changesJson, type StockOperation, transferOperation } from "@stockroom/db";
import { productIdSql, storeIdSql } from "./seed";

/**
 * The transfer scripts pgbench runs, written at bench time from the very code the server
 * uses: the statement is APPLY_STOCK_SQL, and its JSON parameter is what changesJson makes of
 * transferOperation's legs, with pgbench variables where a request's values go. Nothing here
 * is a copy of the server's SQL, so nothing can drift from it. The textbook transaction is
 * the one hand-written script: the yardstick the grouped statement is measured against.
 */

/** Transfers one execution of the batch script applies. */
export const PGBENCH_BATCH = 8;

const product = (v: string) => `${productIdSql(`:${v}`)}::text`;
const store = (v: string) => storeIdSql(`:${v}`);
/** A uuid made of two random 63-bit pgbench variables. */
const randomUuid = (r1: string, r2: string) =>
  `(lpad(to_hex((:${r1})::bigint), 16, '0') || lpad(to_hex((:${r2})::bigint), 16, '0'))::uuid`;
const transferUuid = (r1: string, r2: string) => `${randomUuid(r1, r2)}::text`;

/** Variables of one transfer of 1 unit of a hot product between two random stores (suffix n). */
const hotVars = (n = "") => [
  `\\set i${n} random(0, :hot - 1)`,
  `\\set a${n} random(0, :stores - 1)`,
  `\\set b${n} random(0, :stores - 2)`,
  `\\set b${n} case when :b${n} >= :a${n} then :b${n} + 1 else :b${n} end`,
  `\\set r${n}x random(0, 9223372036854775806)`,
  `\\set r${n}y random(0, 9223372036854775806)`,
];

/** The same over a cold product, between two of the stores that hold it (scenarios.js levelStores). */
const coldVars = () => [
  "\\set i random(:hot, :products - 1)",
  "\\set k1 random(0, :levels - 1)",
  "\\set k2 random(0, :levels - 2)",
  "\\set k2 case when :k2 >= :k1 then :k2 + 1 else :k2 end",
  "\\set a (:i + :k1 * :step) % :stores",
  "\\set b (:i + :k2 * :step) % :stores",
  "\\set rx random(0, 9223372036854775806)",
  "\\set ry random(0, 9223372036854775806)",
];

/**
 * APPLY_STOCK_SQL with its JSON parameter built in SQL: changesJson's own text for the
 * operations, each marked value replaced by the SQL expression of a pgbench variable.
 */
function applyStatement(operations: StockOperation[], values: Map<string, string>): string {
  // pgbench reads `:name` as a variable even inside a string, so `"count":null` gets a space.
  const json = changesJson(operations)
    .replace(/":(?=[a-z])/g, '": ')
    .replace(/@(\w+)@/g, (_, name: string) => {
      const expr = values.get(name);
      if (!expr) throw new Error(`pgbench script: no expression for ${name}`);
      return `' || ${expr} || '`;
    });
  return `${APPLY_STOCK_SQL.replace("$1", `('${json}')`)};`;
}

/** A transfer of one unit through the server's statement, its values marked for applyStatement. */
function markedTransfer(n: string, values: Map<string, string>): StockOperation {
  values.set(`p${n}`, `${product(`i${n}`)}`);
  values.set(`a${n}`, store(`a${n}`));
  values.set(`b${n}`, store(`b${n}`));
  values.set(`t${n}`, transferUuid(`r${n}x`, `r${n}y`));
  values.set("actor", "(:actor)::text");
  return transferOperation({
    productId: `@p${n}@`,
    sourceStoreId: `@a${n}@`,
    targetStoreId: `@b${n}@`,
    quantity: 1,
    reference: "loadtest",
    transferId: `@t${n}@`,
    actor: "@actor@",
  });
}

const serverTransfer = (vars: string[], comment: string) => {
  const values = new Map<string, string>();
  return [comment, ...vars, applyStatement([markedTransfer("", values)], values)].join("\n");
};

const HOT_COMMENT =
  "-- POST /api/inventory/transfer of 1 unit of a hot product, without an Idempotency-Key, when no other\n-- transfer is waiting: the server's one statement (APPLY_STOCK_SQL), one operation.";
const COLD_COMMENT = "-- The same over a cold product, between two of the stores that hold it.";

function batchScript(): string {
  const values = new Map<string, string>();
  const vars: string[] = [];
  const operations: StockOperation[] = [];
  for (let k = 1; k <= PGBENCH_BATCH; k++) {
    vars.push(...hotVars(String(k)));
    operations.push(markedTransfer(String(k), values));
  }
  return [
    `-- ${PGBENCH_BATCH} key-less transfers that queued behind running ones, applied together by ONE call of`,
    "-- the server's statement, as the group-commit queue sends them. pgbench counts one transaction per batch.",
    ...vars,
    applyStatement(operations, values),
  ].join("\n");
}

/**
 * The textbook transfer: a transaction that locks both levels in store order, updates both,
 * writes the two ledger rows and commits. Four round trips and a commit per transfer.
 */
const textbook = (vars: string[], comment: string) =>
  [
    comment,
    ...vars,
    "\\set lo case when :a < :b then :a else :b end",
    "\\set hi case when :a < :b then :b else :a end",
    "begin;",
    `select quantity from stock_levels where product_id = ${product("i")}::uuid and store_id in (${store("lo")}, ${store("hi")}) order by store_id for update;`,
    `update stock_levels set quantity = quantity - 1, updated_at = now() where product_id = ${product("i")}::uuid and store_id = ${store("a")} and quantity >= 1;`,
    `update stock_levels set quantity = quantity + 1, updated_at = now() where product_id = ${product("i")}::uuid and store_id = ${store("b")};`,
    `insert into movements (product_id, store_id, kind, delta, quantity_after, reference, transfer_id, actor)
  select ${product("i")}::uuid, l.store_id, case when l.store_id = ${store("a")} then 'transfer_out' else 'transfer_in' end::movement_kind,
         case when l.store_id = ${store("a")} then -1 else 1 end, l.quantity, 'loadtest', ${transferUuid("rx", "ry")}::uuid, (:actor)::uuid
  from stock_levels l where l.product_id = ${product("i")}::uuid and l.store_id in (${store("a")}, ${store("b")})
  order by case when l.store_id = ${store("a")} then 0 else 1 end;`,
    "commit;",
  ].join("\n");

/**
 * A Placeholder (see @stockroom/api's RESERVATION_SQL) for pgbench: where the server binds a
 * parameter, the script has the SQL expression of the marked value (`@name@`), a literal for
 * the values every request of the bench sends alike, or an array of those.
 */
function pgbenchPlaceholder(values: Map<string, string>): Placeholder {
  const p: Placeholder = (value) => {
    if (Array.isArray(value)) return `array[${value.map(p).join(", ")}]`;
    if (typeof value === "number") return String(value);
    if (typeof value !== "string") throw new Error(`pgbench script: no literal for ${String(value)}`);
    const marked = /^@(\w+)@$/.exec(value);
    if (!marked) return `'${value.replace(/'/g, "''")}'`;
    const expr = values.get(marked[1]!);
    if (!expr) throw new Error(`pgbench script: no expression for ${marked[1]}`);
    return expr;
  };
  return p;
}

/** One server transaction: BEGIN, its statements (each ended by `;` or `\\gset`), COMMIT. */
const transaction = (statements: string[]) => [
  "begin;",
  ...statements.map((t) => t.trim().replace(/;$/, "")).map((t) => (t.endsWith("\\gset") ? t : `${t};`)),
  "commit;",
];

/**
 * POST /api/reservations of `lines` hot products (1 unit each) at one store, then POST
 * /api/reservations/{id}/commit, without Idempotency-Keys: the server's two transactions,
 * statement for statement, from RESERVATION_SQL and the door's operations
 * (takeOperation, commitOperation). The expiry the insert returns is read back with \gset
 * and sent in the hold, as the server does.
 */
function checkoutScript(lines: 1 | 2): string {
  const values = new Map<string, string>([
    ["id", randomUuid("rx", "ry")],
    ["s", store("s")],
    ["actor", "(:actor)::uuid"],
    ["exp", "(:expires_at)::text"],
    ["p1", `${product("i1")}::uuid`],
    ["p2", `${product("i2")}::uuid`],
    ["lo", `${product("lo")}::uuid`],
    ["hi", `${product("hi")}::uuid`],
  ]);
  const p = pgbenchPlaceholder(values);
  const vars = [
    "\\set s random(0, :stores - 1)",
    "\\set i1 random(0, :hot - 1)",
    "\\set i2 random(0, :hot - 2)",
    "\\set i2 case when :i2 >= :i1 then :i2 + 1 else :i2 end",
    "\\set lo case when :i1 < :i2 then :i1 else :i2 end",
    "\\set hi case when :i1 < :i2 then :i2 else :i1 end",
    "\\set rx random(0, 9223372036854775806)",
    "\\set ry random(0, 9223372036854775806)",
  ];
  const taken = (lines === 1 ? ["@p1@"] : ["@p1@", "@p2@"]).map((productId) => ({ productId, quantity: 1 }));
  // The commit reads the lines back in product order.
  const held = lines === 1 ? taken : ["@lo@", "@hi@"].map((productId) => ({ productId, quantity: 1 }));
  const reservation = { id: "@id@", storeId: "@s@", reference: "loadtest", actor: "@actor@" };
  const create = transaction([
    // The insert's expiry goes into the hold: \gset keeps it as :expires_at.
    `${RESERVATION_SQL.insert(p, { ...reservation, ttlSeconds: 900 }).trim()} \\gset`,
    applyStatement([takeOperation({ ...reservation, lines: taken, expiresAt: "@exp@" })], values),
    RESERVATION_SQL.get(p, "@id@"),
  ]);
  const commit = transaction([
    RESERVATION_SQL.lock(p, "@id@"),
    RESERVATION_SQL.heldLines(p, "@id@"),
    applyStatement(
      [commitOperation({ ...reservation, lines: held, sold: new Map(held.map((l) => [l.productId, 1])) })],
      values,
    ),
    RESERVATION_SQL.committedLines(
      p,
      "@id@",
      held.map((l) => l.productId),
      held.map(() => 1),
    ),
    RESERVATION_SQL.setStatus(p, "@id@", "committed"),
    RESERVATION_SQL.get(p, "@id@"),
  ]);
  return [
    `-- A checkout of ${lines} hot product${lines === 1 ? "" : "s"} at one store: the server's reservation create, then its`,
    "-- commit (two transactions). pgbench counts one transaction per pair.",
    ...vars,
    ...create,
    ...commit,
  ].join("\n");
}

/** Writes the scripts into a new temporary folder and answers their paths by name. */
export function writePgbenchScripts(): Record<
  "transferHot" | "transferCold" | "batch" | "textbookHot" | "textbookCold" | "checkout1" | "checkout2",
  string
> {
  const dir = mkdtempSync(join(tmpdir(), "stockroom-pgbench-"));
  const scripts = {
    transferHot: serverTransfer(hotVars(), HOT_COMMENT),
    transferCold: serverTransfer(coldVars(), COLD_COMMENT),
    batch: batchScript(),
    textbookHot: textbook(hotVars(), "-- The textbook transfer of a hot product (see textbook())."),
    textbookCold: textbook(coldVars(), "-- The textbook transfer of a cold product."),
    checkout1: checkoutScript(1),
    checkout2: checkoutScript(2),
  };
  const paths = {} as Record<keyof typeof scripts, string>;
  for (const [name, text] of Object.entries(scripts) as Array<[keyof typeof scripts, string]>) {
    paths[name] = join(dir, `${name}.sql`);
    writeFileSync(paths[name], `${text}\n`);
  }
  return paths;
}
