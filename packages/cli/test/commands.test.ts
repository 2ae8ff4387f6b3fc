import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, runCli, startTestServer, type TestServer } from "./helpers";

let server: TestServer;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, { env });

beforeAll(async () => {
  server = await startTestServer();
  env = { STOCKROOM_URL: server.url, STOCKROOM_API_KEY: server.apiKey };
});
afterAll(() => server?.close());

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
const ANSI = /\u001b\[/;

describe("help, usage errors and exit codes", () => {
  it("prints help with every command and exits 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of [
      "products",
      "stores",
      "stock",
      "reservations",
      "alerts",
      "movements",
      "audit",
      "keys",
      "db",
    ])
      expect(r.stdout).toContain(c);
    const sub = await runCli(["stock", "transfer", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--from/);
    expect(sub.stdout).toMatch(/--qty/);
  });

  it("prints its version", async () => {
    const r = await runCli(["--version"]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([
    [["nope"], /error USAGE: Unknown command 'nope'/],
    [["products"], /error USAGE: 'stockroom products' needs a sub-command/],
    [["products", "list", "--colour"], /error USAGE: Unknown option '--colour'/],
    [["products", "get"], /error USAGE: .*PRODUCT/],
    [
      ["stock", "transfer", "HAM-16", "--from", "store1", "--to", "store2", "--qty", "lots"],
      /--qty must be a whole number/,
    ],
    [
      ["stock", "adjust", "HAM-16", "--store", "store1", "--delta", "2", "--reason", "stolen"],
      /--reason must be one of received/,
    ],
    [["stock", "set", "store1", "HAM-16"], /Give --min, --quantity or both/],
    [["products", "import", "/no/such/file.csv"], /Cannot read \/no\/such\/file\.csv: no such file/],
    [["products", "list", "--limit", "500"], /--limit must be at most 100/],
    [["reservations", "create", "--store", "store1"], /Give at least one --line <product>=<qty>/],
    [["reservations", "create", "--store", "store1", "--line", "HAM-16"], /--line takes <product>=<qty>/],
    [
      ["reservations", "create", "--store", "store1", "--line", "HAM-16=0"],
      /--line HAM-16 must be at least 1/,
    ],
    [
      ["reservations", "create", "--store", "store1", "--line", "HAM-16=1", "--ttl", "90000"],
      /--ttl must be at most 86400/,
    ],
    [["reservations", "list", "--status", "open"], /--status must be one of active, committed/],
    [["reservations", "extend", "00000000-0000-4000-8000-000000000001"], /Missing required argument: --ttl/],
  ])("exits 2 on a usage error: %j", async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 without an API key, pointing at STOCKROOM_API_KEY", async () => {
    const r = await runCli(["products", "list"], {
      env: { STOCKROOM_URL: server.url, STOCKROOM_API_KEY: "" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/STOCKROOM_API_KEY/);
  });

  it("exits 3 when the server cannot be reached, with a hint", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await runCli(["products", "list", "--url", url, "--api-key", "k", "--json"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error NETWORK_ERROR: .*ECONNREFUSED/);
    expect(r.stderr).toContain(`Is the server running at ${url}?`);
  });

  it("exits 1 on an API error, with the code and detail on stderr and nothing on stdout", async () => {
    const r = await runCli(["products", "list", "--json"], {
      env: { ...env, STOCKROOM_API_KEY: "wrong-key-123" },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error UNAUTHORIZED: /);
    expect(r.stderr).toMatch(/hint Check --api-key/);
  });

  it("--url and --api-key override the environment", async () => {
    const r = await runCli(["stores", "list", "--url", server.url, "--api-key", server.apiKey, "--json"], {
      env: { STOCKROOM_URL: "http://127.0.0.1:1", STOCKROOM_API_KEY: "nope" },
    });
    expect(r.code).toBe(0);
    expect(r.json().items.length).toBeGreaterThan(0);
  });

  it("colours a table only when asked, and never with NO_COLOR", async () => {
    const forced = await runCli(["stores", "list"], { env: { ...env, NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(forced.stdout).toMatch(ANSI);
    const plain = await runCli(["stores", "list"], { env: { ...env, NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toMatch(ANSI);
    const errors = await runCli(["products", "get", "NOPE"], {
      env: { ...env, NO_COLOR: "1", FORCE_COLOR: "1" },
    });
    expect(errors.stderr).not.toMatch(ANSI);
    // A pipe is not a terminal: plain text without being told.
    const piped = await runCli(["stores", "list"], { env: { ...env, NO_COLOR: undefined } });
    expect(piped.stdout).not.toMatch(ANSI);
  });
});

describe("products", () => {
  it("lists as a table for people and as the API's page with --json", async () => {
    const table = await cli("products", "list", "--limit", "3", "--sort", "sku");
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^SKU\s+NAME\s+CATEGORY\s+PRICE\s+STOCK\s+ID$/);
    const json = await cli("products", "list", "--limit", "3", "--sort", "sku", "--json");
    expect(json.code).toBe(0);
    expect(json.stderr).toBe("");
    const page = json.json();
    expect(Object.keys(page).sort()).toEqual([
      "items",
      "limit",
      "nextCursor",
      "offset",
      "total",
      "totalExact",
    ]);
    expect(page.items).toHaveLength(3);
    expect(page.items[0]).toEqual(
      expect.objectContaining({ id: expect.any(String), sku: expect.any(String), price: expect.any(Number) }),
    );
    expect(table.stdout).toContain(page.items[0].sku);
  });

  it("filters by category, text and price", async () => {
    const r = await cli(
      "products",
      "list",
      "--category",
      "tools",
      "--q",
      "hammer",
      "--price-max",
      "20",
      "--json",
    );
    const items = r.json().items as { sku: string; category: string; price: number }[];
    expect(items.map((p) => p.sku)).toEqual(["HAM-16"]);
  });

  it("creates, gets by sku or id, updates and deletes", async () => {
    const created = await cli(
      "products",
      "create",
      "--sku",
      "CLI-1",
      "--name",
      "CLI widget",
      "--category",
      "tests",
      "--price",
      "12.5",
      "--json",
    );
    expect(created.code).toBe(0);
    const product = created.json();
    expect(product).toMatchObject({ sku: "CLI-1", price: 12.5, description: null });

    const bySku = await cli("products", "get", "cli-1", "--json");
    expect(bySku.json()).toEqual(product);
    const byId = await cli("products", "get", product.id);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toMatch(/sku:\s+CLI-1/);
    expect(byId.stdout).toMatch(/price:\s+12\.50/);

    const updated = await cli(
      "products",
      "update",
      "CLI-1",
      "--price",
      "13",
      "--description",
      "Now described",
      "--json",
    );
    expect(updated.json()).toMatchObject({ id: product.id, price: 13, description: "Now described" });

    const deleted = await cli("products", "delete", "CLI-1", "--json");
    expect(deleted.json()).toEqual({ id: product.id, sku: "CLI-1", deleted: true });
    const gone = await cli("products", "get", product.id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error NOT_FOUND: /);
  });

  it("reports a taken sku and the server's validation issues", async () => {
    const taken = await cli(
      "products",
      "create",
      "--sku",
      "ham-16",
      "--name",
      "Dup",
      "--category",
      "tools",
      "--price",
      "1",
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^error SKU_TAKEN: /);
    expect(taken.stderr).toMatch(/hint .*products update/);
    const invalid = await cli(
      "products",
      "create",
      "--sku",
      "X-9",
      "--name",
      "X",
      "--category",
      "tools",
      "--price",
      "1.234",
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^error VALIDATION_FAILED: /);
    expect(invalid.stderr).toMatch(/\n {2}price: .*two decimals/);
  });

  it("refuses an update with nothing to change", async () => {
    const r = await cli("products", "update", "HAM-16");
    expect(r.code).toBe(2);
  });
});

describe("stores", () => {
  it("creates, gets, renames, refuses to delete with stock, then deletes", async () => {
    const created = await cli("stores", "create", "cli-store", "--name", "CLI store", "--json");
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ id: "cli-store", name: "CLI store" });
    const dup = await cli("stores", "create", "cli-store", "--name", "Again");
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^error STORE_EXISTS: /);
    const renamed = await cli("stores", "update", "cli-store", "--name", "Renamed", "--json");
    expect(renamed.json().name).toBe("Renamed");
    expect((await cli("stores", "get", "cli-store")).stdout).toMatch(/name:\s+Renamed/);

    await cli("stock", "adjust", "HAM-20", "--store", "cli-store", "--delta", "2", "--reason", "received");
    const busy = await cli("stores", "delete", "cli-store");
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/^error STORE_NOT_EMPTY: /);
    await cli("stock", "set", "cli-store", "HAM-20", "--quantity", "0");
    const deleted = await cli("stores", "delete", "cli-store", "--json");
    expect(deleted.code).toBe(0);
    expect(deleted.json()).toEqual({ id: "cli-store", deleted: true });
  });
});

describe("stock, alerts, movements, audit", () => {
  it("sets a minimum and a count, adjusts, transfers, and shows the levels", async () => {
    const set = await cli("stock", "set", "store1", "DRL-18V", "--min", "5", "--quantity", "10", "--json");
    expect(set.code).toBe(0);
    expect(set.json()).toMatchObject({
      storeId: "store1",
      sku: "DRL-18V",
      quantity: 10,
      minStock: 5,
      belowMin: false,
    });

    const sold = await cli(
      "stock",
      "adjust",
      "DRL-18V",
      "--store",
      "store1",
      "--delta",
      "-7",
      "--reason",
      "sold",
      "--reference",
      "INV-7",
      "--json",
    );
    expect(sold.code).toBe(0);
    expect(sold.json()).toMatchObject({
      level: { quantity: 3, belowMin: true },
      movement: { delta: -7, reason: "sold", reference: "INV-7" },
    });

    const moved = await cli(
      "stock",
      "transfer",
      "DRL-18V",
      "--from",
      "store1",
      "--to",
      "store2",
      "--qty",
      "2",
      "--json",
    );
    expect(moved.code).toBe(0);
    const t = moved.json();
    expect(t).toMatchObject({
      sourceStoreId: "store1",
      targetStoreId: "store2",
      quantity: 2,
      source: { quantity: 1 },
    });

    const human = await cli(
      "stock",
      "transfer",
      "DRL-18V",
      "--from",
      "store2",
      "--to",
      "store1",
      "--qty",
      "1",
    );
    expect(human.stdout).toMatch(/^Moved 1 × DRL-18V from store2 \(now \d+\) to store1 \(now 2\)/);

    const short = await cli(
      "stock",
      "transfer",
      "DRL-18V",
      "--from",
      "store1",
      "--to",
      "store2",
      "--qty",
      "99",
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain(
      "error INSUFFICIENT_STOCK: Insufficient stock in store store1. Available: 2, Required: 99",
    );

    const stale = await cli(
      "stock",
      "adjust",
      "DRL-18V",
      "--store",
      "store1",
      "--delta",
      "1",
      "--reason",
      "correction",
      "--expected",
      "50",
    );
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error STALE_QUANTITY: /);

    const show = await cli("stock", "show", "store1", "--below-min", "--limit", "100", "--json");
    const low = show.json().items as { sku: string; belowMin: boolean }[];
    expect(low.find((l) => l.sku === "DRL-18V")).toBeTruthy();
    expect(low.every((l) => l.belowMin)).toBe(true);
    const table = await cli("stock", "show", "store1", "--q", "DRL-18V");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^SKU\s+NAME\s+STORE\s+QTY\s+RESERVED\s+AVAIL\s+INCOMING\s+MIN\s+LOW$/,
    );
    expect(table.stdout).toMatch(/DRL-18V\s+Cordless drill 18 V\s+store1\s+2\s+0\s+2\s+0\s+5\s+LOW/);

    const unknown = await cli("stock", "show", "no-such-store");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error NOT_FOUND: /);
  });

  it("lists alerts with the shortfall", async () => {
    await cli("stock", "set", "store3", "LVL-24", "--min", "1000");
    const r = await cli("alerts", "--store", "store3", "--limit", "100", "--json");
    expect(r.code).toBe(0);
    const alert = (
      r.json().items as { sku: string; shortfall: number; quantity: number; minStock: number }[]
    ).find((a) => a.sku === "LVL-24");
    expect(alert).toBeTruthy();
    expect(alert!.shortfall).toBe(1000 - alert!.quantity);
    const table = await cli("alerts", "--store", "store3", "--limit", "100");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^STORE\s+SKU\s+NAME\s+QTY\s+RESERVED\s+AVAIL\s+MIN\s+SHORT$/,
    );
  });

  it("reads the ledger by product (sku), store and time", async () => {
    const r = await cli("movements", "--product", "DRL-18V", "--store", "store1", "--since", "1h", "--json");
    expect(r.code).toBe(0);
    const page = r.json();
    expect(Object.keys(page).sort()).toEqual(["items", "nextCursor"]);
    const kinds = (page.items as { kind: string }[]).map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(["count", "adjustment", "transfer_out", "transfer_in"]));
    // The table speaks of skus, as the user asked, not of ids.
    const table = await cli("movements", "--product", "DRL-18V", "--limit", "3");
    const [head, ...rows] = table.stdout.trim().split("\n");
    expect(head).toMatch(/\bSKU$/);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/\sDRL-18V$/);
    const all = await cli("movements", "--limit", "5");
    for (const row of all.stdout.trim().split("\n").slice(1))
      expect(row).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    const future = await cli("movements", "--product", "DRL-18V", "--since", "2999-01-01", "--json");
    expect(future.json().items).toEqual([]);
    const bad = await cli("movements", "--since", "yesterday-ish");
    expect(bad.code).toBe(2);
  });

  it("audits the ledger", async () => {
    const r = await cli("audit", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      mode: "incremental",
      checkedLevels: expect.any(Number),
      discrepancies: [],
      reservedDiscrepancies: [],
      incomingDiscrepancies: [],
    });
    const human = await cli("audit");
    expect(human.stdout).toMatch(
      /^Checked \d+ stock levels, the levels with movements after seq \d+ \(up to \d+\): 0 discrepancies, 0 reserved mismatches, 0 incoming mismatches\. Verified up to seq \d+\./,
    );
    const full = await cli("audit", "--full", "--json");
    expect(full.json()).toMatchObject({ mode: "full", checkedFromSeq: 0, discrepancies: [] });
    expect(full.json().checkedLevels).toBeGreaterThanOrEqual(r.json().checkedLevels);
  });
});

describe("keys", () => {
  it("creates a key whose secret works, lists it, and revokes it", async () => {
    const created = await cli("keys", "create", "--name", "till 1", "--role", "viewer", "--json");
    expect(created.code).toBe(0);
    const key = created.json();
    expect(key).toMatchObject({ name: "till 1", role: "viewer", secret: expect.any(String) });

    const asViewer = { ...env, STOCKROOM_API_KEY: key.secret };
    expect((await runCli(["products", "list", "--limit", "1"], { env: asViewer })).code).toBe(0);
    const forbidden = await runCli(["stores", "create", "x1", "--name", "X"], { env: asViewer });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/^error FORBIDDEN: /);

    const list = await cli("keys", "list", "--json");
    expect((list.json().items as { id: string }[]).map((k) => k.id)).toContain(key.id);
    const revoked = await cli("keys", "revoke", key.id, "--json");
    expect(revoked.json()).toEqual({ id: key.id, revoked: true });
    const after = await runCli(["products", "list"], { env: asViewer });
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^error UNAUTHORIZED: /);
  });
});
