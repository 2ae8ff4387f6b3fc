import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { codeBlocks } from "@stockroom/server/markdown";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./server";

/**
 * The SDK as a stranger gets it: `pnpm pack`, then `npm install` of the tarball into a
 * project outside the workspace, a strict type-check (skipLibCheck false) with probes
 * that fail if the types go missing or turn into `any`, and a live call.
 */
const run = promisify(execFile);
const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

let consumer: string;
let packDir: string;
let server: TestServer;

/**
 * The TypeScript examples of the SDK's README (each block continues the one before: one
 * module) and the SDK block of the repository's README (the one importing @stockroom/sdk;
 * its other one is the REST client's), as written, but for the server's address: theirs is
 * http://localhost:8000.
 */
const tsBlocks = (file: string) =>
  codeBlocks(file)
    .filter((b) => b.lang === "ts")
    .map((b) => b.code);
const sdkReadme = tsBlocks("packages/sdk/README.md").join("\n");
const rootReadme = tsBlocks("README.md").filter((code) => code.includes('from "@stockroom/sdk"'));

/** Probes shared by the ESM and the CommonJS consumer; `main` runs them against a live server. */
const consumerBody = `type IsAny<T> = 0 extends 1 & T ? true : false;

async function main() {
  const client = createStockroomClient({ url: process.env.STOCKROOM_URL!, apiKey: process.env.STOCKROOM_API_KEY! });
  const page = await client.products.list({ limit: 2, sort: "sku" });

  const pageNotAny: IsAny<typeof page> = false;
  const priceNotAny: IsAny<(typeof page.items)[number]["price"]> = false;
  const price: number = page.items[0]!.price;
  // @ts-expect-error a product is not a number: the output type is real
  const wrongOutput: number = page.items[0];
  // @ts-expect-error limit is a number
  void (() => client.products.list({ limit: "2" }));
  // @ts-expect-error a product needs name, category and price
  void (() => client.products.create({ sku: "X-1" }));
  // @ts-expect-error no such procedure
  void (() => client.products.explode());
  // @ts-expect-error reason is one of a fixed set
  void (() => client.inventory.adjust({ productId: "p", storeId: "s", delta: 1, reason: "stolen" }));
  // @ts-expect-error a query takes no idempotency key
  void (() => client.stores.list(undefined, { idempotencyKey: "k" }));
  void (() => client.stores.create({ id: "s", name: "S" }, { idempotencyKey: "k" }));
  // @ts-expect-error batch is a boolean
  void (() => createStockroomClient({ url: "http://x", apiKey: "k", batch: "yes" }));

  type Level = RouterOutputs["inventory"]["transfer"]["source"];
  const levelNotAny: IsAny<Level> = false;
  type Held = RouterOutputs["reservations"]["create"];
  const heldNotAny: IsAny<Held> = false;
  const heldStatus: Held["status"] = "committed";
  // @ts-expect-error a reservation's status is one of a fixed set
  const badStatus: Held["status"] = "open";
  // @ts-expect-error a reservation line's quantity is a number
  void (() => client.reservations.create({ storeId: "s", lines: [{ productId: "p", quantity: "1" }] }));
  void (() => client.reservations.commit({ id: "r", lines: [{ productId: "p", quantity: 1 }] }, { idempotencyKey: "k" }));
  const notActive: StockroomErrorCode = "RESERVATION_NOT_ACTIVE";
  const code: StockroomErrorCode = "INSUFFICIENT_STOCK";
  // @ts-expect-error not a code the API sends
  const badCode: StockroomErrorCode = "OOPS";

  // Five reads of one tick: one batched request.
  const [stores, alerts] = await Promise.all([
    client.stores.list(),
    client.inventory.alerts({ storeId: "store1" }),
    client.products.list({ limit: 1 }),
    client.movements.list({ limit: 1 }),
    client.keys.list(),
  ]);

  let errorCode: StockroomErrorCode | null = null;
  try {
    await client.products.create({ sku: page.items[0]!.sku, name: "dup", category: "x", price: 1 });
  } catch (e) {
    if (e instanceof StockroomError) errorCode = e.code;
  }
  console.log(
    JSON.stringify({ count: page.items.length, total: page.total, price, errorCode, code, stores: stores.items.length, alerts: alerts.items.length }),
  );
  void [pageNotAny, priceNotAny, wrongOutput, levelNotAny, badCode, heldNotAny, heldStatus, badStatus, notActive];
}
`;

const esmSource = `import { createStockroomClient, StockroomError, type RouterOutputs, type StockroomErrorCode } from "@stockroom/sdk";
${consumerBody}
await main();
`;

// Compiled to require("@stockroom/sdk"): resolved through the "require" condition and its index.d.cts.
const cjsSource = `import { createStockroomClient, StockroomError, type RouterOutputs, type StockroomErrorCode } from "@stockroom/sdk";
${consumerBody}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
`;

beforeAll(async () => {
  packDir = await mkdtemp(join(tmpdir(), "stockroom-sdk-pack-"));
  consumer = await mkdtemp(join(tmpdir(), "stockroom-sdk-consumer-"));
  // prepack builds dist with tsup.
  await run("pnpm", ["pack", "--pack-destination", packDir], { cwd: sdkDir, maxBuffer: 16 * 1024 * 1024 });
  const tarball = (await readdir(packDir)).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`pnpm pack left no tarball in ${packDir}`);
  await writeFile(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      join(packDir, tarball),
      "@types/node@20.19.43",
    ],
    { cwd: consumer, maxBuffer: 16 * 1024 * 1024 },
  );
  server = await startTestServer();
}, 300_000);

afterAll(async () => {
  await server?.close();
  await rm(packDir, { recursive: true, force: true });
  await rm(consumer, { recursive: true, force: true });
});

async function typecheck(tsconfig: object, files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(consumer, name)), { recursive: true });
    await writeFile(join(consumer, name), text);
  }
  await writeFile(join(consumer, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  return run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: consumer }).then(
    () => ({ ok: true, output: "" }),
    (e: { stdout?: string; stderr?: string }) => ({
      ok: false,
      output: `${e.stdout ?? ""}${e.stderr ?? ""}`,
    }),
  );
}

async function expectLiveRun(script: string) {
  const { stdout } = await run(process.execPath, [script], {
    cwd: consumer,
    env: { ...process.env, STOCKROOM_URL: server.url, STOCKROOM_API_KEY: server.apiKey },
  });
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({ count: 2, errorCode: "SKU_TAKEN" });
  expect(result.total).toBeGreaterThan(2);
  expect(typeof result.price).toBe("number");
  expect(result.stores).toBeGreaterThan(0);
}

const nodeConfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022"],
    types: ["node"],
    strict: true,
    skipLibCheck: false,
    outDir: "out",
  },
  include: ["src/consumer.ts"],
};

// tsc on a strict consumer takes a while on a busy 2-core machine.
describe("the packed SDK in a project outside the workspace", { timeout: 180_000 }, () => {
  it("ships only dist, a README and a manifest that points at them", async () => {
    const pkg = JSON.parse(
      await readFile(join(consumer, "node_modules/@stockroom/sdk/package.json"), "utf8"),
    );
    expect(pkg.types).toBe("./dist/index.d.ts");
    expect(pkg.exports["."]).toEqual({
      import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
      require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" },
    });
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(["@trpc/client", "@trpc/server"]);
    expect(pkg.sideEffects).toBe(false);
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain("@stockroom/api");
    const files = await readdir(join(consumer, "node_modules/@stockroom/sdk"));
    expect(files.sort()).toEqual(["README.md", "dist", "package.json"]);
    // Self-contained declaration files (one for import, one for require): no imports of
    // workspace packages or of drizzle.
    // Nor of @trpc/client: its declarations name DOM types (RequestInfo) that a Node project
    // checking libraries (skipLibCheck false) does not have.
    for (const name of ["index.d.ts", "index.d.cts"]) {
      const dts = await readFile(join(consumer, "node_modules/@stockroom/sdk/dist", name), "utf8");
      expect(dts).not.toMatch(/from ['"](\.|@stockroom\/|@trpc\/client|drizzle-orm|zod)/);
    }
  });

  it("type-checks strictly (skipLibCheck false) with probes that fail on missing or any types, then calls a live server", async () => {
    const checked = await typecheck(nodeConfig, { "src/consumer.ts": esmSource });
    expect(checked.output).toBe("");
    expect(checked.ok).toBe(true);
    await expectLiveRun("out/consumer.js");
  });

  it("type-checks and runs in a CommonJS project too (module node16, a .cts file)", async () => {
    const checked = await typecheck(
      {
        compilerOptions: { ...nodeConfig.compilerOptions, module: "Node16", moduleResolution: "Node16" },
        include: ["src/consumer.cts"],
      },
      { "src/consumer.cts": cjsSource },
    );
    expect(checked.output).toBe("");
    expect(checked.ok).toBe(true);
    expect(await readFile(join(consumer, "out/consumer.cjs"), "utf8")).toContain('require("@stockroom/sdk")');
    await expectLiveRun("out/consumer.cjs");
  });

  it('type-checks and runs in a "type": "commonjs" project (plain .ts files, module node16)', async () => {
    await mkdir(join(consumer, "cjs"), { recursive: true });
    await writeFile(join(consumer, "cjs/package.json"), JSON.stringify({ type: "commonjs" }));
    const checked = await typecheck(
      {
        compilerOptions: {
          ...nodeConfig.compilerOptions,
          module: "Node16",
          moduleResolution: "Node16",
          outDir: "cjs/out",
        },
        include: ["cjs/src/consumer.ts"],
      },
      { "cjs/src/consumer.ts": cjsSource },
    );
    expect(checked.output).toBe("");
    expect(checked.ok).toBe(true);
    expect(await readFile(join(consumer, "cjs/out/consumer.js"), "utf8")).toContain(
      'require("@stockroom/sdk")',
    );
    await expectLiveRun("cjs/out/consumer.js");
  });

  it("type-checks the READMEs' TypeScript examples and runs them against a live server", async () => {
    expect(rootReadme).toHaveLength(1);
    const atServer = (code: string) => code.replaceAll("http://localhost:8000", server.url);
    const checked = await typecheck(
      { ...nodeConfig, include: ["src/readme-sdk.ts", "src/readme-root.ts"] },
      { "src/readme-sdk.ts": atServer(sdkReadme), "src/readme-root.ts": atServer(rootReadme.join("\n")) },
    );
    expect(checked.output).toBe("");
    expect(checked.ok).toBe(true);
    const env = { ...process.env, STOCKROOM_API_KEY: server.apiKey };
    const sdk = await run(process.execPath, ["out/readme-sdk.js"], { cwd: consumer, env });
    // The quick start's refused transfer prints the detail its comment shows.
    const detail = /console\.log\(err\.detail\); \/\/ "(.+)"/.exec(sdkReadme)?.[1];
    expect(detail).toBeDefined();
    expect(sdk.stdout.split("\n")).toContain(detail);
    // The invalid create of "Errors" prints its validation issues, one per field.
    expect(sdk.stdout).toMatch(/^sku: /m);
    expect(sdk.stdout).toMatch(/^price: /m);
    const root = await run(process.execPath, ["out/readme-root.js"], { cwd: consumer, env });
    expect(root.stderr).toBe("");
  });

  it("rejects a wrong input type (the check is real, not skipped)", async () => {
    const bad = `import { createStockroomClient } from "@stockroom/sdk";
const client = createStockroomClient({ url: "http://localhost:8000", apiKey: "k" });
export const p = client.products.create({ sku: "A", name: "A", category: "c", price: "12.50" });
`;
    const checked = await typecheck({ ...nodeConfig, include: ["src/bad.ts"] }, { "src/bad.ts": bad });
    expect(checked.ok).toBe(false);
    expect(checked.output).toMatch(
      /src\/bad\.ts.*error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });

  // @trpc/server's declarations (which carry AppRouter) use Disposable: a browser project
  // without Node types needs the ESNext.Disposable lib, as the README says.
  it("type-checks for a browser (DOM lib, no Node types)", async () => {
    const browser = `import { createStockroomClient, StockroomError } from "@stockroom/sdk";
const client = createStockroomClient({ url: location.origin, apiKey: "k", fetch: window.fetch.bind(window) });
export async function show(el: HTMLElement) {
  try {
    const { items } = await client.inventory.alerts({ storeId: "store1" });
    el.textContent = items.map((a) => \`\${a.sku}: \${a.shortfall}\`).join("\\n");
  } catch (e) {
    if (e instanceof StockroomError) el.textContent = \`\${e.code}: \${e.detail}\`;
  }
}
`;
    const checked = await typecheck(
      {
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          lib: ["ES2022", "DOM", "ESNext.Disposable"],
          types: [],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        include: ["src/browser.ts"],
      },
      { "src/browser.ts": browser },
    );
    expect(checked.output).toBe("");
  });

  it("loads with require() too", async () => {
    await writeFile(
      join(consumer, "cjs.cjs"),
      `const sdk = require("@stockroom/sdk"); console.log(typeof sdk.createStockroomClient, typeof sdk.StockroomError);`,
    );
    const { stdout } = await run(process.execPath, ["cjs.cjs"], { cwd: consumer });
    expect(stdout.trim()).toBe("function function");
  });
});
