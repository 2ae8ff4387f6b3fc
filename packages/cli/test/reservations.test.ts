import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startTestServer, type TestServer, testBackends } from "./helpers";

const backends = await testBackends();

describe.each(backends)("stockroom reservations (%s)", (backend) => {
  let server: TestServer;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env });
  const store = "cli-res";
  let a: { id: string };

  beforeAll(async () => {
    server = await startTestServer({}, { backend });
    env = { STOCKROOM_URL: server.url, STOCKROOM_API_KEY: server.apiKey };
    expect((await cli("stores", "create", store, "--name", "CLI reservations")).code).toBe(0);
    for (const sku of ["RES-A", "RES-B"]) {
      const made = await cli(
        "products",
        "create",
        "--sku",
        sku,
        "--name",
        `Held ${sku}`,
        "--category",
        "tests",
        "--price",
        "2",
        "--json",
      );
      expect(made.code).toBe(0);
      if (sku === "RES-A") a = made.json();
      const stocked = await cli(
        "stock",
        "adjust",
        sku,
        "--store",
        store,
        "--delta",
        "10",
        "--reason",
        "received",
      );
      expect(stocked.code).toBe(0);
    }
  });
  afterAll(() => server?.close());

  const level = async (sku: string) => {
    const r = await cli("stock", "show", store, "--q", sku, "--json");
    const { quantity, reserved, available } = r.json().items[0];
    return { quantity, reserved, available };
  };

  it("creates from repeated and comma-separated --line (skus or ids), prints only JSON with --json, and shows it", async () => {
    const created = await cli(
      "reservations",
      "create",
      "--store",
      store,
      "--line",
      "RES-A=2",
      "--line",
      `RES-B=1,${a.id}=1`,
      "--ttl",
      "600",
      "--reference",
      "cart cli-1",
      "--json",
    );
    expect(created.code).toBe(0);
    expect(created.stderr).toBe("");
    const r = created.json();
    expect(r).toMatchObject({ storeId: store, status: "active", reference: "cart cli-1" });
    // Two lines naming RES-A (once by sku, once by id) are one line of 3.
    expect(r.lines).toHaveLength(2);
    expect(r.lines).toEqual(
      expect.arrayContaining([
        { productId: a.id, quantity: 3, committed: null },
        { productId: expect.any(String), quantity: 1, committed: null },
      ]),
    );
    expect(Date.parse(r.expiresAt) - Date.parse(r.createdAt)).toBeGreaterThan(599_000);
    expect(await level("RES-A")).toEqual({ quantity: 10, reserved: 3, available: 7 });
    const table = await cli("stock", "show", store, "--q", "RES-A");
    expect(table.stdout).toMatch(/RES-A\s+Held RES-A\s+cli-res\s+10\s+3\s+7\s+0/);

    const shown = await cli("reservations", "show", r.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`id:\\s+${r.id}`));
    expect(shown.stdout).toMatch(/status:\s+active/);
    expect(shown.stdout).toMatch(/^SKU\s+HELD\s+SOLD\s+PRODUCT$/m);
    expect(shown.stdout).toMatch(new RegExp(`^RES-A\\s+3\\s+-\\s+${a.id}$`, "m"));
    expect(shown.stdout).toMatch(/^RES-B\s+1\s+-\s+/m);
    expect((await cli("reservations", "show", r.id, "--json")).json()).toEqual(r);
  });

  it("prints the id, expiry and lines by sku for people", async () => {
    const human = await cli(
      "reservations",
      "create",
      "--store",
      store,
      "--line",
      "RES-B=2",
      "--reference",
      "cart cli-2",
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Reserved in cli-res until \d{4}-\d{2}-\d{2}T/);
    expect(human.stdout).toMatch(/id:\s+[0-9a-f-]{36}/);
    expect(human.stdout).toMatch(/^RES-B\s+2\s+-\s+/m);
  });

  it("lists with filters as a table and as the API's page", async () => {
    const json = await cli("reservations", "list", "--store", store, "--status", "active", "--json");
    expect(json.code).toBe(0);
    const page = json.json();
    expect(Object.keys(page).sort()).toEqual(["items", "limit", "offset", "total"]);
    expect(page.items.map((r: { reference: string }) => r.reference).sort()).toEqual([
      "cart cli-1",
      "cart cli-2",
    ]);
    const byRef = await cli("reservations", "list", "--reference", "cart cli-2", "--json");
    expect(byRef.json().items).toHaveLength(1);
    const table = await cli("reservations", "list", "--store", store, "--limit", "1");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+STORE\s+STATUS\s+LINES\s+UNITS\s+REFERENCE\s+EXPIRES$/,
    );
    expect(table.stdout).toMatch(/cli-res\s+active\s+1\s+2\s+cart cli-2/);
    expect(table.stderr).toMatch(/next page: --offset 1/);
    const none = await cli("reservations", "list", "--store", store, "--status", "committed", "--json");
    expect(none.json().items).toEqual([]);
  });

  it("commits part of a reservation, writes the sale to the ledger, and refuses a second commit", async () => {
    const held = (await cli("reservations", "list", "--reference", "cart cli-1", "--json")).json().items[0];
    const committed = await cli("reservations", "commit", held.id, "--line", "RES-A=2", "--json");
    expect(committed.code).toBe(0);
    const r = committed.json();
    expect(r.status).toBe("committed");
    expect(r.lines).toEqual(
      expect.arrayContaining([
        { productId: a.id, quantity: 3, committed: 2 },
        { productId: expect.any(String), quantity: 1, committed: 0 },
      ]),
    );
    // Two sold, the third released.
    expect(await level("RES-A")).toEqual({ quantity: 8, reserved: 0, available: 8 });

    const ledger = await cli("movements", "--reservation", held.id, "--json");
    expect(ledger.code).toBe(0);
    expect(ledger.json().items).toEqual([
      expect.objectContaining({
        productId: a.id,
        kind: "adjustment",
        reason: "sold",
        delta: -2,
        reservationId: held.id,
      }),
    ]);

    const again = await cli("reservations", "commit", held.id);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(
      new RegExp(`^error RESERVATION_NOT_ACTIVE: Reservation ${held.id} is committed`),
    );
    expect(again.stderr).toMatch(/hint .*reservations show/);
  });

  it("refuses a reservation beyond the available units: exit 1, the code and detail on stderr, nothing held", async () => {
    const before = await level("RES-B");
    const short = await cli(
      "reservations",
      "create",
      "--store",
      store,
      "--line",
      "RES-A=1",
      "--line",
      `RES-B=${before.available + 1}`,
      "--json",
    );
    expect(short.code).toBe(1);
    expect(short.stdout).toBe("");
    expect(short.stderr).toContain(
      `error INSUFFICIENT_STOCK: Insufficient stock in store ${store}. Available: ${before.available}, Required: ${before.available + 1}`,
    );
    expect(short.stderr).toMatch(/hint .*reservations list --store/);
    expect(await level("RES-B")).toEqual(before);
    expect((await level("RES-A")).reserved).toBe(0);

    const unknown = await cli("reservations", "create", "--store", store, "--line", "NO-SUCH-SKU=1");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error NOT_FOUND: Product NO-SUCH-SKU not found/);
  });

  it("extends and releases; a released reservation cannot be released again", async () => {
    const held = (await cli("reservations", "list", "--reference", "cart cli-2", "--json")).json().items[0];
    const extended = await cli("reservations", "extend", held.id, "--ttl", "3600");
    expect(extended.code).toBe(0);
    expect(extended.stdout).toMatch(/^Extended: expires \d{4}-/);
    const after = (await cli("reservations", "show", held.id, "--json")).json();
    expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.parse(held.expiresAt));

    const released = await cli("reservations", "release", held.id, "--json");
    expect(released.code).toBe(0);
    expect(released.json()).toMatchObject({ id: held.id, status: "released" });
    expect((await level("RES-B")).reserved).toBe(0);

    const again = await cli("reservations", "release", held.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error RESERVATION_NOT_ACTIVE: .*released/);
  });

  it("refuses to commit more than is held (OVER_COMMIT)", async () => {
    const held = (
      await cli("reservations", "create", "--store", store, "--line", "RES-A=1", "--json")
    ).json();
    const over = await cli("reservations", "commit", held.id, "--line", "RES-A=2");
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/^error OVER_COMMIT: /);
    expect(over.stderr).toMatch(/hint Commit at most/);
    const sold = await cli("reservations", "commit", held.id);
    expect(sold.code).toBe(0);
    expect(sold.stdout).toMatch(/^Committed: 1 sold from cli-res/);
  });

  it("audits levels and reservations alike", async () => {
    const r = await cli("audit", "--json");
    expect(r.json()).toMatchObject({ discrepancies: [], reservedDiscrepancies: [] });
  });
});
