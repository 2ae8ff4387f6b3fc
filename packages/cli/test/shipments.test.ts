import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startTestServer, type TestServer, testBackends } from "./helpers";

const backends = await testBackends();

describe.each(backends)("stockroom shipments (%s)", (backend) => {
  let server: TestServer;
  let env: Record<string, string>;
  let dir: string;
  const cli = (...args: string[]) => runCli(args, { env });
  const wh = "ship-wh";
  const shop = "ship-s1";
  const ids: Record<string, string> = {};
  // The shipment the flow below drafts, ships, receives and closes.
  let id: string;

  beforeAll(async () => {
    server = await startTestServer({}, { backend });
    env = { STOCKROOM_URL: server.url, STOCKROOM_API_KEY: server.apiKey };
    dir = await mkdtemp(join(tmpdir(), "stockroom-shipments-"));
    for (const store of [wh, shop])
      expect((await cli("stores", "create", store, "--name", store)).code).toBe(0);
    for (const sku of ["SHIP-A", "SHIP-B", "SHIP-C"]) {
      const made = await cli(
        "products",
        "create",
        "--sku",
        sku,
        "--name",
        `Boxed ${sku}`,
        "--category",
        "tests",
        "--price",
        "4",
        "--json",
      );
      expect(made.code).toBe(0);
      ids[sku] = made.json().id;
    }
    for (const [sku, n] of [
      ["SHIP-A", "50"],
      ["SHIP-B", "20"],
    ] as const)
      expect(
        (await cli("stock", "adjust", sku, "--store", wh, "--delta", n, "--reason", "received")).code,
      ).toBe(0);
  });
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const level = async (store: string, sku: string) => {
    const items = (await cli("stock", "show", store, "--q", sku, "--json")).json().items;
    if (items.length === 0) return { quantity: 0, available: 0, incoming: 0 };
    const { quantity, available, incoming } = items[0];
    return { quantity, available, incoming };
  };
  const csvFile = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it("drafts from --line (sku or id, a product twice is one line), ships it, and the target shows it incoming", async () => {
    const drafted = await cli(
      "shipments",
      "create",
      "--from",
      wh,
      "--to",
      shop,
      "--line",
      "SHIP-A=4",
      "--line",
      `${ids["SHIP-A"]}=6,SHIP-B=4`,
      "--reference",
      "truck 17",
      "--json",
    );
    expect(drafted.code).toBe(0);
    expect(drafted.stderr).toBe("");
    const d = drafted.json();
    id = d.id;
    expect(d).toMatchObject({
      sourceStoreId: wh,
      targetStoreId: shop,
      status: "draft",
      reference: "truck 17",
    });
    expect(d.lines).toEqual(
      expect.arrayContaining([
        { productId: ids["SHIP-A"], quantity: 10, received: 0, rejected: 0, lost: 0, inTransit: 0 },
        { productId: ids["SHIP-B"], quantity: 4, received: 0, rejected: 0, lost: 0, inTransit: 0 },
      ]),
    );
    // A draft holds nothing.
    expect(await level(wh, "SHIP-A")).toEqual({ quantity: 50, available: 50, incoming: 0 });

    const shipped = await cli("shipments", "ship", id);
    expect(shipped.code).toBe(0);
    expect(shipped.stdout).toMatch(`Shipped: 14 units in transit from ${wh} to ${shop}`);
    expect(shipped.stdout).toMatch(/status:\s+in_transit/);
    expect(shipped.stdout).toMatch(/^SKU\s+SHIPPED\s+RECEIVED\s+REJECTED\s+LOST\s+IN TRANSIT\s+PRODUCT$/m);
    expect(shipped.stdout).toMatch(
      new RegExp(`^SHIP-A\\s+10\\s+0\\s+0\\s+0\\s+10\\s+${ids["SHIP-A"]}$`, "m"),
    );
    expect(await level(wh, "SHIP-A")).toEqual({ quantity: 40, available: 40, incoming: 0 });
    expect(await level(shop, "SHIP-A")).toEqual({ quantity: 0, available: 0, incoming: 10 });
    const table = await cli("stock", "show", shop, "--q", "SHIP-B");
    expect(table.stdout.split("\n")[0]).toMatch(/\bAVAIL\s+INCOMING\s+MIN\b/);
    expect(table.stdout).toMatch(/SHIP-B\s+Boxed SHIP-B\s+ship-s1\s+0\s+0\s+0\s+4\s+0/);

    const ledger = (await cli("movements", "--shipment", id, "--json")).json().items;
    expect(ledger).toHaveLength(2);
    for (const m of ledger) expect(m).toMatchObject({ kind: "transfer_out", storeId: wh, shipmentId: id });
  });

  it("receives a dock's CSV: rows of one sku summed, reasons joined, the receipt id taken from the file", async () => {
    const text = [
      "sku,accepted,rejected,reason",
      "SHIP-A,3,,",
      "ship-a,2,1,damaged",
      "SHIP-B,2,1,wrong item",
      "SHIP-A,,1,box crushed",
      "SHIP-A,1,1,damaged",
      "",
    ].join("\n");
    const file = await csvFile("dock-1.csv", text);
    const receiptId = `csv-${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;

    const human = await cli("shipments", "receive", id, "--csv", file);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      `Received at ${shop} (receipt ${receiptId}): 8 accepted, 4 rejected; 2 still in transit, status partially_received`,
    );
    expect(human.stdout).toMatch(/^SHIP-A\s+10\s+6\s+3\s+0\s+1\s+/m);
    expect(human.stdout).toMatch(/^RECEIPT\s+TIME\s+SKU\s+ACCEPTED\s+REJECTED\s+REASON$/m);
    expect(human.stdout).toMatch(
      new RegExp(`^${receiptId}\\s+\\S+\\s+SHIP-A\\s+6\\s+3\\s+damaged; box crushed$`, "m"),
    );

    const shown = (await cli("shipments", "show", id, "--json")).json();
    expect(shown.status).toBe("partially_received");
    expect(shown.receipts).toHaveLength(1);
    expect(shown.receipts[0]).toMatchObject({ receiptId });
    expect(shown.receipts[0].lines).toEqual(
      expect.arrayContaining([
        { productId: ids["SHIP-A"], accepted: 6, rejected: 3, reason: "damaged; box crushed" },
        { productId: ids["SHIP-B"], accepted: 2, rejected: 1, reason: "wrong item" },
      ]),
    );
    expect(await level(shop, "SHIP-A")).toEqual({ quantity: 6, available: 6, incoming: 1 });
    expect(await level(shop, "SHIP-B")).toEqual({ quantity: 2, available: 2, incoming: 1 });

    // The same bytes again, here through stdin: the same receipt id, a replay that changes nothing.
    const again = await runCli(["shipments", "receive", id, "--csv", "-", "--json"], {
      env,
      stdin: await readFile(file, "utf8"),
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(`Receipt ${receiptId} was booked at`);
    expect(again.stderr).toMatch(/changed nothing/);
    expect(again.json()).toEqual(shown);
    expect(await level(shop, "SHIP-A")).toEqual({ quantity: 6, available: 6, incoming: 1 });
    expect((await cli("shipments", "show", id, "--json")).json().receipts).toHaveLength(1);
  });

  it("refuses a CSV with bad rows, naming their lines, and receives nothing", async () => {
    const before = await level(shop, "SHIP-A");
    const many = await csvFile(
      "bad.csv",
      "sku,accepted,rejected,reason\nSHIP-A,1\nNO-SUCH-SKU,1,0,\nSHIP-B,two,0,\nSHIP-A,0,-1,torn\nSHIP-B,1,0,torn,extra\n",
    );
    const r = await cli("shipments", "receive", id, "--csv", many);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error BAD_RECEIPT_CSV: 4 rows of the file cannot be booked, the first on line 3: unknown sku NO-SUCH-SKU$/m,
    );
    expect(r.stderr).toMatch(/^\s*4\s+SHIP-B\s+accepted must be a whole number, got 'two'$/m);
    expect(r.stderr).toMatch(/^\s*5\s+SHIP-A\s+rejected must be at least 0, got -1$/m);
    expect(r.stderr).toMatch(/^\s*6\s+SHIP-B\s+expected at most 4 fields, found 5$/m);
    expect(r.stderr).toMatch(/hint Nothing was received/);

    const one = await csvFile("one-bad.csv", "sku,accepted\nSHIP-A,1.5\n");
    const single = await cli("shipments", "receive", id, "--csv", one);
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(
      /^error BAD_RECEIPT_CSV: line 2 of the file: accepted must be a whole number, got '1.5'$/m,
    );

    const header = await csvFile("header.csv", "sku,qty\nSHIP-A,1\n");
    const wrong = await cli("shipments", "receive", id, "--csv", header);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /^error USAGE: Unknown column 'qty' in the header; the columns are sku,accepted,rejected,reason/,
    );
    const missing = await cli("shipments", "receive", id, "--csv", join(dir, "nowhere.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read .*nowhere\.csv: no such file/);

    expect(await level(shop, "SHIP-A")).toEqual(before);
    expect((await cli("shipments", "show", id, "--json")).json().receipts).toHaveLength(1);
  });

  it("refuses more than is in transit (OVER_RECEIPT) and what the state does not allow (INVALID_STATE), with hints", async () => {
    const over = await cli("shipments", "receive", id, "--receipt", "dock-2", "--line", "SHIP-A=1/1");
    expect(over.code).toBe(1);
    expect(over.stdout).toBe("");
    expect(over.stderr).toMatch(
      `error OVER_RECEIPT: Shipment ${id} has 1 units of product ${ids["SHIP-A"]} in transit; cannot accept 1 and reject 1`,
    );
    expect(over.stderr).toMatch(/hint More than is still in transit .*stockroom shipments show <id>/);

    const stranger = await cli("shipments", "receive", id, "--receipt", "dock-2", "--line", "SHIP-C=1");
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(`error OVER_RECEIPT: Product ${ids["SHIP-C"]} is not on shipment ${id}`);

    const rest = await cli("shipments", "receive", id, "--receipt", "dock-2", "--line", "SHIP-A=1", "--json");
    expect(rest.code).toBe(0);
    expect(rest.json().status).toBe("partially_received");

    const draftOnly = await cli("shipments", "cancel", id);
    expect(draftOnly.code).toBe(1);
    expect(draftOnly.stderr).toMatch(
      `error INVALID_STATE: Shipment ${id} is partially_received; cancel needs a shipment that is draft`,
    );
    expect(draftOnly.stderr).toMatch(/hint Not in this state: .*stockroom shipments show <id>/);

    const closed = await cli("shipments", "close", id, "--reason", "fell off the truck");
    expect(closed.code).toBe(0);
    expect(closed.stdout).toMatch(/^Closed: 1 units written off as lost$/m);
    expect(closed.stdout).toMatch(/closeReason:\s+fell off the truck/);
    expect(closed.stdout).toMatch(/^SHIP-B\s+4\s+2\s+1\s+1\s+0\s+/m);
    expect(await level(shop, "SHIP-B")).toEqual({ quantity: 2, available: 2, incoming: 0 });

    const late = await cli("shipments", "receive", id, "--receipt", "dock-3", "--line", "SHIP-B=1");
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/^error INVALID_STATE: .* is closed; receive needs/);
    const twice = await cli("shipments", "close", id, "--reason", "again", "--json");
    expect(twice.code).toBe(1);
    expect(twice.stdout).toBe("");
    expect(twice.stderr).toMatch(/^error INVALID_STATE: /);
  });

  it("cancels a draft, which then cannot be shipped; a short ship moves nothing", async () => {
    const d = (
      await cli("shipments", "create", "--from", wh, "--to", shop, "--line", "SHIP-C=1", "--json")
    ).json();
    const short = await cli("shipments", "ship", d.id);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(
      /^error INSUFFICIENT_STOCK: Insufficient stock in store ship-wh. Available: 0/,
    );
    const cancelled = await cli("shipments", "cancel", d.id);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/^Cancelled$/m);
    expect(cancelled.stdout).toMatch(/status:\s+cancelled/);
    const ship = await cli("shipments", "ship", d.id);
    expect(ship.code).toBe(1);
    expect(ship.stderr).toMatch(
      `error INVALID_STATE: Shipment ${d.id} is cancelled; ship needs a shipment that is draft`,
    );
  });

  it("lists with filters, as a table and as the API's page", async () => {
    const page = (await cli("shipments", "list", "--from", wh, "--to", shop, "--json")).json();
    expect(Object.keys(page).sort()).toEqual(["items", "limit", "offset", "total"]);
    expect(page.items.map((s: { status: string }) => s.status)).toEqual(["cancelled", "closed"]);
    const closed = (
      await cli("shipments", "list", "--status", "closed", "--product", "SHIP-B", "--json")
    ).json();
    expect(closed.items.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await cli("shipments", "list", "--to", wh, "--json")).json().items).toEqual([]);
    const table = await cli("shipments", "list", "--reference", "truck 17");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+FROM\s+TO\s+STATUS\s+LINES\s+UNITS\s+IN TRANSIT\s+REFERENCE\s+CREATED$/,
    );
    expect(table.stdout).toMatch(
      new RegExp(`^${id}\\s+ship-wh\\s+ship-s1\\s+closed\\s+2\\s+14\\s+0\\s+truck 17\\s+`, "m"),
    );
    const bad = await cli("shipments", "list", "--status", "lost");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status must be one of draft, in_transit/);
  });

  it("says how to call receive when it is called wrong", async () => {
    const neither = await cli("shipments", "receive", id, "--receipt", "x");
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/Give --line <product>=<accepted>\[\/<rejected>\] or --csv <file>/);
    const both = await cli("shipments", "receive", id, "--line", "SHIP-A=1", "--csv", "x.csv");
    expect(both.code).toBe(2);
    const noReceipt = await cli("shipments", "receive", id, "--line", "SHIP-A=1");
    expect(noReceipt.code).toBe(2);
    expect(noReceipt.stderr).toMatch(/--receipt is required/);
    const help = await cli("shipments", "receive", "--help");
    expect(help.stdout).toMatch(/csv-<first 16 hex of the file's sha256>/);
    expect(help.stdout).toMatch(/safe replay/);
  });

  it("audits levels, reservations and shipments alike", async () => {
    const r = await cli("audit", "--full", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      discrepancies: [],
      reservedDiscrepancies: [],
      incomingDiscrepancies: [],
    });
  });
});
