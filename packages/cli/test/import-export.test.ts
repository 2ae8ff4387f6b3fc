import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startTestServer, type TestServer } from "./helpers";

let server: TestServer;
let env: Record<string, string>;
let dir: string;
const cli = (...args: string[]) => runCli(args, { env });
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  server = await startTestServer();
  env = { STOCKROOM_URL: server.url, STOCKROOM_API_KEY: server.apiKey };
  dir = await mkdtemp(join(tmpdir(), "stockroom-csv-"));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const HEADER = "sku,name,description,category,price\n";

describe("products import", () => {
  it("imports a file whose fields need quoting, keeping null and empty descriptions apart", async () => {
    const csv =
      HEADER +
      'RT-1,"Hammer, claw","He said ""sturdy""",tools,18.99\n' +
      'RT-2,Two-line,"line one\nline two",tools,0\n' +
      "RT-3,No description,,tools,5.50\n" +
      'RT-4,Empty description,"",tools,99999999.99\n' +
      'RT-5," Padded ",Ünïcödé — ✓,tools,1.05\r\n';
    await writeFile(file("tricky.csv"), csv);
    const r = await cli("products", "import", file("tricky.csv"), "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      rows: 5,
      created: 5,
      updated: 0,
      failed: [],
      dryRun: false,
      onError: "reject-all",
    });

    const got = async (sku: string) => (await cli("products", "get", sku, "--json")).json();
    expect(await got("RT-1")).toMatchObject({
      name: "Hammer, claw",
      description: 'He said "sturdy"',
      price: 18.99,
    });
    expect(await got("RT-2")).toMatchObject({ description: "line one\nline two", price: 0 });
    expect((await got("RT-3")).description).toBeNull();
    expect((await got("RT-4")).description).toBe("");
    expect(await got("RT-5")).toMatchObject({ name: " Padded ", description: "Ünïcödé — ✓", price: 1.05 });
  });

  it("round-trips: export, import the export (all updates), export again gives the same bytes", async () => {
    const first = await cli("products", "export", "--output", file("a.csv"), "--json");
    expect(first.code).toBe(0);
    const { rows } = first.json();
    expect(rows).toBeGreaterThan(60);
    const a = await readFile(file("a.csv"), "utf8");
    expect(a.startsWith(HEADER)).toBe(true);
    expect(a).toContain('RT-1,"Hammer, claw","He said ""sturdy""",tools,18.99\n');
    expect(a).toContain("RT-3,No description,,tools,5.50\n");
    expect(a).toContain('RT-4,Empty description,"",tools,99999999.99\n');

    const again = await cli("products", "import", file("a.csv"), "--json");
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ rows, created: 0, updated: rows, failed: [] });

    // Export to stdout this time: the same CSV, byte for byte.
    const second = await cli("products", "export");
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(a);
  });

  it("imports a spreadsheet's BOM + CRLF file, and exports the same values with LF line ends", async () => {
    const lines = [
      "sku,name,description,category,price",
      'XL-1,"Crème brûlée, 日本","two\r\nlines",xl-crlf,3.00',
      'XL-2,"""Quoted"" 🧰",,xl-crlf,4.10',
      'XL-3,Tabs	inside,"",xl-crlf,0.01',
    ];
    await writeFile(file("excel.csv"), `\uFEFF${lines.join("\r\n")}\r\n`);
    const r = await cli("products", "import", file("excel.csv"), "--json");
    expect(r.stderr).toBe("");
    expect(r.json()).toMatchObject({ rows: 3, created: 3, failed: [] });
    expect((await cli("products", "get", "XL-1", "--json")).json()).toMatchObject({
      name: "Crème brûlée, 日本",
      description: "two\r\nlines",
    });
    const exported = await cli("products", "export", "--category", "xl-crlf");
    expect(exported.stdout).toBe(`${lines.join("\n")}\n`);
  });

  it("with reject-all writes nothing when a row is bad, and reports each bad row", async () => {
    const csv =
      HEADER +
      "RJ-1,Fine,,tools,1\n" + // row 2
      "bad sku,Bad sku,,tools,1\n" + // row 3
      "RJ-2,Bad price,,tools,1.234\n" + // row 4
      "rj-1,Duplicate,,tools,2\n" + // row 5
      "RJ-3,Too few fields\n"; // row 6
    await writeFile(file("bad.csv"), csv);
    const r = await cli("products", "import", file("bad.csv"));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Created 0, updated 0, 4 failed, of 5 rows\./);
    expect(r.stderr).toMatch(/ROW\s+SKU\s+CODE\s+DETAIL/);
    expect(r.stderr).toMatch(/\n\s*3\s+bad sku\s+VALIDATION_FAILED\s+sku: /);
    expect(r.stderr).toMatch(/\n\s*4\s+RJ-2\s+VALIDATION_FAILED\s+price: /);
    expect(r.stderr).toMatch(/\n\s*5\s+rj-1\s+VALIDATION_FAILED\s+Duplicate sku; it is also on row 2/);
    expect(r.stderr).toMatch(/\n\s*6\s+RJ-3\s+VALIDATION_FAILED\s+Expected 5 fields, found 2/);
    expect(r.stderr).toMatch(/error IMPORT_FAILED: 4 of 5 rows failed/);
    expect(r.stderr).toMatch(/hint Nothing was written/);
    expect((await cli("products", "get", "RJ-1")).code).toBe(1);
  });

  it("with skip-failed writes the good rows and lists the others (JSON on stdout, report on stderr)", async () => {
    const r = await cli("products", "import", file("bad.csv"), "--on-error", "skip-failed", "--json");
    expect(r.code).toBe(1);
    const summary = r.json();
    expect(summary).toMatchObject({ rows: 5, created: 1, updated: 0, onError: "skip-failed" });
    expect(summary.failed.map((f: { row: number }) => f.row)).toEqual([3, 4, 5, 6]);
    expect(summary.failed[0]).toEqual({
      row: 3,
      sku: "bad sku",
      code: "VALIDATION_FAILED",
      detail: expect.any(String),
    });
    expect(r.stderr).toMatch(/error IMPORT_FAILED: 4 of 5 rows failed and were skipped/);
    expect((await cli("products", "get", "RJ-1", "--json")).json()).toMatchObject({ name: "Fine" });
  });

  it("--dry-run checks the file and counts creates and updates without writing", async () => {
    await writeFile(file("dry.csv"), `${HEADER}RJ-1,Renamed,,tools,1\nDRY-NEW,New,,tools,2\n`);
    const r = await cli("products", "import", file("dry.csv"), "--dry-run", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      dryRun: true,
      rows: 2,
      created: 1,
      updated: 1,
      unchanged: 0,
      failed: [],
    });
    expect((await cli("products", "get", "DRY-NEW")).code).toBe(1);
    expect((await cli("products", "get", "RJ-1", "--json")).json().name).toBe("Fine");
    const bad = await cli("products", "import", file("bad.csv"), "--dry-run");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^Dry run: would create 0, update 0, leave 1 unchanged, 4 failed, of 5 rows \(nothing written\)\./,
    );
  });

  it("--dry-run of an unchanged export says every row is unchanged", async () => {
    const exported = await cli("products", "export");
    expect(exported.code).toBe(0);
    await writeFile(file("same.csv"), exported.stdout);
    const json = (await cli("products", "import", file("same.csv"), "--dry-run", "--json")).json();
    const rows = json.rows as number;
    expect(rows).toBeGreaterThan(3);
    expect(json).toMatchObject({ created: 0, updated: 0, unchanged: rows, failed: [] });
    const r = await cli("products", "import", file("same.csv"), "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Dry run: would create 0, update 0, leave ${rows} unchanged, 0 failed, of ${rows} rows (nothing written).`,
    );
  });

  it("reads stdin with '-', and refuses a file without the needed columns", async () => {
    const r = await runCli(["products", "import", "-", "--json"], {
      env,
      stdin: `${HEADER}STDIN-1,From stdin,,tools,3\n`,
    });
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ created: 1 });
    await writeFile(file("cols.csv"), "sku,title,price\nA,B,1\n");
    const cols = await cli("products", "import", file("cols.csv"));
    expect(cols.code).toBe(2);
    expect(cols.stderr).toMatch(/error USAGE: Unknown column 'title'/);
  });

  it("imports 10,000 rows in chunks within seconds", async () => {
    let csv = HEADER;
    for (let i = 0; i < 10_000; i++)
      csv += `BULK-${String(i).padStart(5, "0")},Bulk item ${i},${i % 3 === 0 ? "" : `"Desc, ${i}"`},bulk,${(i % 5000) + 0.99}\n`;
    await writeFile(file("bulk.csv"), csv);
    const started = Date.now();
    const r = await cli("products", "import", file("bulk.csv"), "--json");
    const seconds = (Date.now() - started) / 1000;
    expect(r.stderr).toBe("");
    expect(r.json()).toMatchObject({ rows: 10_000, created: 10_000, failed: [] });
    const page = (await cli("products", "list", "--category", "bulk", "--limit", "1", "--json")).json();
    expect(page.total).toBe(10_000);
    // "Seconds, not minutes": a generous bound for a loaded 2-core machine, not a benchmark.
    console.log(`10,000-row import took ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(60);
  });

  it("exports those 10,000 rows by cursor, page after page, and a dry run of the export finds them all", async () => {
    // Past the offset bound (10,000): the export and the dry run's sku listing both walk by cursor.
    const r = await cli(
      "products",
      "export",
      "--category",
      "bulk",
      "--output",
      file("bulk-export.csv"),
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ rows: 10_000 });
    const lines = (await readFile(file("bulk-export.csv"), "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(10_001);
    const skus = lines.slice(1).map((l) => l.split(",")[0]);
    expect(skus).toEqual(Array.from({ length: 10_000 }, (_, i) => `BULK-${String(i).padStart(5, "0")}`));
    const dry = await cli("products", "import", file("bulk-export.csv"), "--dry-run", "--json");
    expect(dry.json()).toMatchObject({
      dryRun: true,
      rows: 10_000,
      created: 0,
      updated: 0,
      unchanged: 10_000,
      failed: [],
    });
  });

  it("a price filter over those rows says its total is a lower bound, and --exact-total counts them", async () => {
    const bounded = await cli("products", "list", "--category", "bulk", "--price-min", "0", "--limit", "1");
    expect(bounded.code, bounded.stderr).toBe(0);
    expect(bounded.stderr).toMatch(/1–1 of at least 1001 · next page: --offset 1/);
    const exact = await cli(
      "products",
      "list",
      "--category",
      "bulk",
      "--price-min",
      "0",
      "--limit",
      "1",
      "--exact-total",
    );
    expect(exact.stderr).toMatch(/1–1 of 10000 · next page/);
    const json = (await cli("products", "list", "--category", "bulk", "--price-min", "0", "--json")).json();
    expect(json).toMatchObject({ total: 1001, totalExact: false });
  });
});

describe("the binary", () => {
  it("also runs straight from the TypeScript source (a fresh clone before any build)", async () => {
    const r = await runCli(["stores", "list", "--json"], { env: { ...env, STOCKROOM_CLI_FROM_SOURCE: "1" } });
    expect(r.code).toBe(0);
    expect(r.json().items.length).toBeGreaterThan(0);
  });
});
