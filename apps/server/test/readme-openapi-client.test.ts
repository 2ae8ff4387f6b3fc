import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../src/testing";
import { codeBlocks, markedBlock } from "./markdown";

/**
 * The README's typed REST client, as a newcomer follows it: the README's own generator
 * command (openapi-typescript) against a live server's /openapi.json, the README's own
 * example code (taken from the README by its marker) in a project of its own, a strict
 * type-check, and a run against the server. The README and this test cannot drift apart.
 */
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const serverPackage = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
const tsc = require.resolve("typescript/bin/tsc");

const example = markedBlock("README.md", "example: openapi-fetch");
const setup = codeBlocks("README.md").find((b) => b.code.includes("npx openapi-typescript "));

let server: TestServer;
let project: string;

/** Where this package's own dependency `name` is installed. */
const installed = (name: string) =>
  realpath(fileURLToPath(new URL(`../node_modules/${name}`, import.meta.url)));

/** `node_modules/<name>` of the project points at the copy this package has installed. */
async function linkPackage(name: string) {
  const target = await installed(name);
  await mkdir(join(project, "node_modules", name, ".."), { recursive: true });
  await symlink(target, join(project, "node_modules", name), "dir");
}

beforeAll(async () => {
  server = await startTestServer();
  project = await mkdtemp(join(tmpdir(), "stockroom-openapi-client-"));
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "client", private: true, type: "module" }),
  );
  await linkPackage("openapi-fetch");
  await linkPackage("@types/node");
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

describe("README: openapi-typescript + openapi-fetch client", () => {
  it("installs the versions this repository tests with", () => {
    expect(setup, "a README sh block running npx openapi-typescript").toBeDefined();
    for (const name of ["openapi-fetch", "openapi-typescript"]) {
      expect(setup!.code).toContain(`${name}@${serverPackage.devDependencies[name]}`);
    }
  });

  it("generates the types with the README's command, type-checks strictly and runs", async () => {
    // The README's command, run with the pinned generator this package installs; the
    // server answers on another port than the README's 8000.
    const command = setup!.code.split("\n").find((l) => l.startsWith("npx openapi-typescript "))!;
    const args = command
      .replace(/^npx openapi-typescript /, "")
      .replaceAll("http://localhost:8000", server.url)
      .split(/\s+/)
      .filter(Boolean);
    await run(process.execPath, [join(await installed("openapi-typescript"), "bin/cli.js"), ...args], {
      cwd: project,
    });

    await writeFile(join(project, "example.ts"), example.code);
    // Beside the README's code: the generated types are real, not `any`.
    await writeFile(
      join(project, "probes.ts"),
      `import createClient from "openapi-fetch";
import type { paths, components } from "./stockroom-api.js";
const api = createClient<paths>({ baseUrl: "http://localhost:8000/api" });
type IsAny<T> = 0 extends 1 & T ? true : false;
export async function probes() {
  const { data } = await api.GET("/products/{id}", { params: { path: { id: "x" } } });
  const notAny: IsAny<typeof data> = false;
  const price: number | undefined = data?.price;
  // @ts-expect-error sort is one of the document's values
  await api.GET("/products", { params: { query: { sort: "cheapest" } } });
  // @ts-expect-error a product needs a name, a category and a price
  await api.POST("/products", { body: { sku: "X-1" } });
  // @ts-expect-error no such path
  await api.GET("/warehouses");
  // @ts-expect-error a transfer's quantity is a number
  await api.POST("/inventory/transfer", { body: { productId: "p", sourceStoreId: "a", targetStoreId: "b", quantity: "5" } });
  // @ts-expect-error not a code the API sends
  const code: components["schemas"]["Problem"]["code"] = "OOPS";
  return [notAny, price, code];
}
`,
    );
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          skipLibCheck: false,
          types: ["node"],
          outDir: "out",
        },
        include: ["*.ts"],
      }),
    );
    const check = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).then(
      () => "",
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ""}${e.stderr ?? ""}`,
    );
    expect(check, "tsc --strict on the README's example").toBe("");

    const { stdout } = await run(process.execPath, ["out/example.js"], {
      cwd: project,
      env: { ...process.env, STOCKROOM_URL: server.url, STOCKROOM_API_KEY: server.apiKey },
    });
    const lines = stdout.trim().split("\n");

    const expected = await fetch(`${server.url}/api/products?category=tools&sort=-price&limit=3`, {
      headers: { Authorization: `Bearer ${server.apiKey}` },
    }).then((r) => r.json() as Promise<{ items: { sku: string; price: number; name: string }[] }>);
    expect(expected.items).toHaveLength(3);
    expect(lines.slice(0, 3)).toEqual(expected.items.map((p) => `${p.sku} ${p.price} ${p.name}`));
    expect(lines[3]).toMatch(/^201 DEMO-\d+$/);
    const sku = lines[3]!.split(" ")[1];
    expect(lines[4]).toMatch(new RegExp(`^409 SKU_TAKEN .*${sku}`));
    expect(lines).toHaveLength(5);
  }, 120_000);
});
