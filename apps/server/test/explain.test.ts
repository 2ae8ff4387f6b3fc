import { createHash } from "node:crypto";
import { KeyAuthenticator, type Runtime } from "@stockroom/api";
import { sql } from "@stockroom/db";
import { createTestDatabase, postgresUnavailableReason, type ScratchDatabase } from "@stockroom/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { addKey } from "./helpers";

/**
 * The main read queries must use indexes at scale, on two datasets loaded with bulk SQL: a
 * catalogue (100,000 products, 200,000 stock levels in 20 stores) and a chain, the bench's
 * large layout (`pnpm bench --layout large`) scaled down tenfold: 20,000 products, 100 stores,
 * 200 hot products stocked in every store and the rest in 10 stores each (218,000 levels),
 * two ledger rows per level. Every statement a request sends is captured from the database
 * session, explained with its real parameters, and a sequential scan of a large table fails
 * the test. Each is explained twice: as planned for these values (a custom plan) and as the
 * generic plan the server's connections use for any values (STOCKROOM_DB_GENERIC_PLANS,
 * plan_cache_mode = force_generic_plan), since a generic plan cannot see that a filter is
 * selective. (Plans only: no timing is asserted.)
 */
const reason = await postgresUnavailableReason();
if (reason) console.warn(`\n[explain.test] SKIPPING the EXPLAIN checks, they need PostgreSQL: ${reason}\n`);

const LARGE = new Set(["products", "stock_levels", "movements"]);
/** The trigram indexes of text search `q` (migration 0010). */
const TRIGRAM = new Set(["products_live_name_trgm_idx", "products_live_sku_trgm_idx"]);

interface Captured {
  text: string;
  params: unknown[];
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

/** Whether the plan starts an index scan at a row comparison (a keyset page's bound). */
function rowBoundInIndex(node: PlanNode): boolean {
  return (
    (node["Index Cond"] ?? "").includes("ROW(") || (node.Plans ?? []).some((child) => rowBoundInIndex(child))
  );
}

function seqScans(node: PlanNode, out: string[] = []): string[] {
  if (node["Node Type"] === "Seq Scan" && node["Relation Name"] && LARGE.has(node["Relation Name"]))
    out.push(node["Relation Name"]);
  for (const child of node.Plans ?? []) seqScans(child, out);
  return out;
}

function indexesUsed(node: PlanNode, out: string[] = []): string[] {
  if (node["Index Name"]) out.push(node["Index Name"]);
  for (const child of node.Plans ?? []) indexesUsed(child, out);
  return out;
}

/** Store ids x00, x01, … x99, x100 …: what the requests below name. */
const STORE_ID = (k: string) => `'x' || lpad((${k})::text, greatest(2, length((${k})::text)), '0')`;

/** Products: a sku, a name of hex (so a few hex characters are a selective `q`), 40 categories. */
const productsSql = (n: number) => `insert into products (sku, name, category, price, created_at, updated_at)
  select 'SKU-' || lpad(i::text, 6, '0'), 'Item ' || md5(i::text), 'cat' || (i % 40),
         1 + ((i * 7919) % 100000) / 100.0, now() - make_interval(secs => ${n} - i), now()
  from generate_series(0, ${n - 1}) i`;
const numbered = "(select id, row_number() over (order by created_at) - 1 as n from products)";

const DATASETS = [
  {
    name: "a catalogue: 100k products, 20 stores, 2 levels each",
    seed: [
      `insert into stores (id, name) select ${STORE_ID("k")}, 'Store ' || k from generate_series(0, 19) k`,
      productsSql(100_000),
      `insert into stock_levels (product_id, store_id, quantity, min_stock)
       select p.id, ${STORE_ID("(p.n + g * 7) % 20")}, (p.n * 7 + g * 13) % 200, (p.n * 3 + g * 11) % 80
       from ${numbered} p cross join generate_series(0, 1) g`,
      `insert into movements (product_id, store_id, kind, delta, quantity_after, reason)
       select product_id, store_id, 'adjustment', quantity, quantity, 'received' from stock_levels where quantity > 0`,
    ],
  },
  {
    name: "a chain (the large layout scaled down): 20k products, 100 stores, 200 hot products in every store",
    seed: [
      `insert into stores (id, name) select ${STORE_ID("k")}, 'Store ' || k from generate_series(0, 99) k`,
      productsSql(20_000),
      `insert into stock_levels (product_id, store_id, quantity, min_stock)
       select p.id, ${STORE_ID("s.k")}, case when p.n < 200 then 100000 else (p.n * 7 + s.k * 13) % 40 end,
              (p.n * 3 + s.k * 11) % 80
       from ${numbered} p cross join lateral (
         select k from generate_series(0, 99) k where p.n < 200
         union all
         select (p.n + j * 10) % 100 from generate_series(0, 9) j where p.n >= 200
       ) s(k)`,
      // Received, then some sold: two ledger rows per level, running sums intact.
      `insert into movements (product_id, store_id, kind, delta, quantity_after, reason)
       select product_id, store_id, 'adjustment', v.delta, v.after, v.reason
       from stock_levels l cross join lateral (values
         (1, l.quantity + 5, l.quantity + 5, 'received'), (2, -5, l.quantity, 'sold')) v(n, delta, after, reason)
       order by l.product_id, l.store_id, v.n`,
    ],
  },
];

describe.skipIf(reason !== null).each(DATASETS)(
  "EXPLAIN of the main queries on $name (PostgreSQL)",
  (dataset) => {
    let scratch: ScratchDatabase;
    let app: ReturnType<typeof createApp>;
    let key: string;
    const captured: Captured[] = [];
    type Client = {
      query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
    };
    type Pool = Client & {
      connect(): Promise<Client & { release(): void; escapeLiteral(s: string): string }>;
    };
    let pool: Pool;

    beforeAll(async () => {
      scratch = await createTestDatabase("postgres", { statementTimeoutMs: 600_000 });
      const { db } = scratch.database;
      pool = (db as unknown as { $client: Pool }).$client;
      for (const statement of dataset.seed) await db.execute(sql.raw(statement));
      await db.execute(sql`update products p set total_quantity = s.units
      from (select product_id, sum(quantity)::int as units from stock_levels group by product_id) s where s.product_id = p.id`);
      await db.execute(sql`vacuum analyze`);

      // Every statement the app sends through this session is recorded with its parameters.
      (db as unknown as { session: { logger: unknown } }).session.logger = {
        logQuery: (text: string, params: unknown[]) => captured.push({ text, params }),
      };
      const runtime: Runtime = {
        database: scratch.database,
        keys: new KeyAuthenticator(db, { cacheTtlMs: 60_000 }),
        hooks: {},
      };
      app = createApp({ runtime, logger: pino({ level: "silent" }) });
      key = (await addKey(scratch.database, "admin")).secret;
    }, 600_000);

    afterAll(async () => {
      await scratch?.drop();
    });

    const get = async (path: string) => {
      const res = await app.request(path, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      return res.json() as Promise<{
        items: Array<{ id: string; productId?: string; transferId?: string; category?: string }>;
        nextCursor?: string | null;
        total?: number;
      }>;
    };

    /** Sends the request, then explains every statement it made. */
    async function plansOf(path: string) {
      await get(path); // warm the key cache: only the request's own queries are explained
      captured.length = 0;
      await get(path);
      const statements = captured.filter((c) => !/^\s*(update "api_keys"|begin|commit)/i.test(c.text));
      expect(statements.length, `${path} sent no statement`).toBeGreaterThan(0);
      const planOf = (rows: Array<Record<string, unknown>>) =>
        (rows[0]!["QUERY PLAN"] as Array<{ Plan: PlanNode }>)[0]!.Plan;
      const results = [];
      for (const s of statements) {
        const custom = planOf((await pool.query(`explain (format json) ${s.text}`, s.params)).rows);
        // The generic plan: prepared without values, then explained for these values.
        const client = await pool.connect();
        let generic: PlanNode;
        try {
          await client.query("set plan_cache_mode = force_generic_plan");
          await client.query(`prepare generic_check as ${s.text}`);
          const literal = (v: unknown) =>
            v === null ? "null" : typeof v === "number" ? String(v) : client.escapeLiteral(String(v));
          generic = planOf(
            (
              await client.query(
                `explain (format json) execute generic_check(${s.params.map(literal).join(", ")})`,
              )
            ).rows,
          );
        } finally {
          await client.query("deallocate generic_check").catch(() => {});
          client.release();
        }
        results.push({
          text: s.text.replace(/\s+/g, " ").slice(0, 160),
          seqScans: [...seqScans(custom), ...seqScans(generic).map((t) => `${t} (generic plan)`)],
          /** Whether each plan reads a trigram index (custom, generic). */
          trigram: [custom, generic].map((plan) => indexesUsed(plan).some((i) => TRIGRAM.has(i))),
          rowBound: rowBoundInIndex(custom) && rowBoundInIndex(generic),
          /** The indexes each plan reads (custom, generic). */
          indexes: [indexesUsed(custom), indexesUsed(generic)],
        });
      }
      return results;
    }

    const SORTS = ["name", "-name", "price", "-price", "sku", "-sku", "createdAt", "-createdAt"];
    const productLists = [
      "/api/products",
      ...SORTS.map((s) => `/api/products?sort=${s}&limit=20&offset=40`),
      "/api/products?category=cat7&limit=20",
      ...SORTS.map((s) => `/api/products?category=cat7&sort=${s}&limit=20`),
      "/api/products?category=cat7&priceMin=100&priceMax=250&sort=price&limit=20",
      "/api/products?priceMin=100&priceMax=150&sort=-price&limit=20",
      "/api/products?priceMax=20&limit=20",
      // Selective: about 9 % of these products hold 350 units or more. (stockMin=150 matches
      // most of the catalogue, and counting most of a table is rightly a sequential scan; the
      // planner chose either way from run to run, so that case proved nothing.)
      "/api/products?stockMin=350&limit=20",
      "/api/products?stockMin=350&sort=-price&limit=20",
      "/api/products?category=cat7&stockMin=100&sort=-createdAt&limit=20",
    ];

    it.each(productLists)("%s", async (path) => {
      for (const p of await plansOf(path)) expect(p.seqScans, p.text).toEqual([]);
    });

    // A category's products with stockMin count their matches from the (category,
    // total_quantity) index, not product by product through the category index.
    it("/api/products?category=cat7&stockMin=100 counts from the category and total index", async () => {
      const [list] = await plansOf("/api/products?category=cat7&stockMin=100&sort=-createdAt&limit=20");
      for (const indexes of list!.indexes)
        expect(indexes, list!.text).toContain("products_live_category_total_idx");
    });

    it.each([
      "/api/stores/x03/inventory",
      "/api/stores/x03/inventory?limit=20&offset=200",
      "/api/stores/x03/inventory?belowMin=true",
      "/api/stores/x03/inventory?belowMin=false&limit=50",
      "/api/stores/x03/inventory?category=cat5",
      // q within a category: the store's levels of that category, from their index.
      "/api/stores/x03/inventory?category=cat3&q=sku-012&limit=20",
      "/api/inventory/alerts",
      "/api/inventory/alerts?storeId=x03",
      "/api/inventory/alerts?category=cat5&limit=50",
      "/api/inventory/alerts?limit=20&offset=100",
    ])("%s", async (path) => {
      for (const p of await plansOf(path)) expect(p.seqScans, p.text).toEqual([]);
    });

    // Cursor pages taken deep in each list: the page must start in an index at the cursor's key
    // (a row comparison in the index condition, in both plans), not walk to it.
    const cursorLists = [
      ...SORTS.map((sort) => `/api/products?sort=${sort}`),
      ...SORTS.map((sort) => `/api/products?category=cat7&sort=${sort}`),
      "/api/stores/x03/inventory",
      // The category the store holds most of (each dataset spreads them differently).
      "/api/stores/x03/inventory?category={held}",
      "/api/stores/x03/inventory?belowMin=true",
      "/api/inventory/alerts",
      "/api/inventory/alerts?storeId=x03",
      "/api/inventory/alerts?category=cat5",
    ];

    it.each(cursorLists)("%s with cursor", async (template) => {
      // The category the store holds most levels of.
      const held = (
        await pool.query(
          "select category from stock_levels where store_id = 'x03' group by category order by count(*) desc, category limit 1",
        )
      ).rows[0]!.category;
      const path = template.replace("{held}", String(held));
      const sep = path.includes("?") ? "&" : "?";
      // As deep as the list goes (up to 5,000 rows in), leaving a next page.
      const { total } = await get(`${path}${sep}limit=1`);
      const deep = await get(
        `${path}${sep}limit=20&offset=${Math.max(0, Math.min(5000, Number(total) - 40))}`,
      );
      expect(deep.nextCursor).toEqual(expect.any(String));
      const plans = await plansOf(`${path}${sep}limit=20&cursor=${deep.nextCursor}`);
      expect(plans).toHaveLength(1);
      for (const p of plans) {
        expect(p.seqScans, p.text).toEqual([]);
        expect(p.rowBound, `no row comparison in an index condition: ${p.text}`).toBe(true);
      }
    });

    // Text search `q`: a name fragment that matches one product, a sku prefix that matches 100
    // (case-insensitive). The product list finds them in the trigram indexes whatever the plan.
    const nameFragment = createHash("md5").update("4242").digest("hex").slice(4, 10);
    it.each([
      `/api/products?q=${nameFragment}&limit=20`,
      "/api/products?q=sku-0123&limit=20",
      `/api/products?q=${nameFragment}&sort=-price&limit=20`,
      "/api/products?category=cat3&q=sku-0123&sort=name&limit=20",
    ])("%s reads the trigram indexes", async (path) => {
      const [list, ...others] = await plansOf(path);
      expect(others).toEqual([]);
      expect(list!.seqScans, list!.text).toEqual([]);
      expect(list!.trigram, `custom and generic plan of ${list!.text}`).toEqual([true, true]);
    });

    // A store's inventory filtered by q: the planner reads the matching products from the
    // trigram indexes, or walks the store's levels in sku order (bounded by the store, not the
    // catalogue) when it expects many matches, as a generic plan does. Never a sequential scan.
    it.each([`/api/stores/x03/inventory?q=${nameFragment}`, "/api/stores/x03/inventory?q=sku-0123&limit=20"])(
      "%s",
      async (path) => {
        const plans = await plansOf(path);
        for (const p of plans) expect(p.seqScans, p.text).toEqual([]);
        expect(plans[0]!.trigram[0], `custom plan of ${plans[0]!.text}`).toBe(true);
      },
    );

    it("sees a sequential scan when there is one (a q of 2 characters has no trigram to look up)", async () => {
      const plans = await plansOf("/api/products?q=b4&limit=20");
      const scans = plans.flatMap((p) => p.seqScans);
      expect(scans).toContain("products");
    });

    it("product by id and the movement lists", async () => {
      const product = (await get("/api/products?limit=1&offset=500")).items[0]!;
      const paths = [
        `/api/products/${product.id}`,
        "/api/movements?limit=20",
        `/api/movements?productId=${product.id}`,
        "/api/movements?storeId=x04&limit=20",
        `/api/movements?productId=${product.id}&storeId=x04`,
        "/api/movements?kind=adjustment&limit=20",
        `/api/movements?since=${new Date(Date.now() - 3600_000).toISOString()}&until=${new Date().toISOString()}&limit=20`,
        `/api/movements?transferId=${crypto.randomUUID()}`,
      ];
      for (const path of paths)
        for (const p of await plansOf(path)) expect(p.seqScans, `${path}: ${p.text}`).toEqual([]);
    });
  },
);
