import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
const TSX = join(SERVER_DIR, "node_modules/.bin/tsx");

describe("loadConfig", () => {
  const failure = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(env)}`);
  };

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "80.5"],
    ["DATABASE_URL", "mysql://root@localhost/db"],
    ["DATABASE_URL", "not a url"],
    ["STOCKROOM_DEMO", "maybe"],
    ["STOCKROOM_DEMO", "TRUE!"],
    ["LOG_LEVEL", "loud"],
    ["LOG_LEVEL", "INFO "],
    ["STOCKROOM_BOOTSTRAP_KEY", "short"],
    ["DATABASE_REPLICA_URL", "mysql://replica/db"],
    ["STOCKROOM_REPLICA_MAX_LAG_MS", "-5"],
    ["STOCKROOM_REPLICA_CHECK_MS", "10"],
    ["STOCKROOM_READ_YOUR_WRITES_MS", "soon"],
    ["STOCKROOM_WEBHOOK_LEASE_MS", "soon"],
    ["STOCKROOM_WEBHOOK_LEASE_MS", "10000"],
  ])("refuses %s=%j with a message naming the variable", (name, value) => {
    const message = failure({ [name]: value });
    expect(message).toContain(name);
    // Only the bad variable is blamed.
    for (const other of ["PORT", "DATABASE_URL", "STOCKROOM_DEMO", "LOG_LEVEL"])
      if (other !== name) expect(message).not.toContain(`${other}:`);
  });

  it("takes a read replica only beside a PostgreSQL primary", () => {
    const message = failure({ DATABASE_REPLICA_URL: "postgres://replica:5432/stock" });
    expect(message).toContain("DATABASE_REPLICA_URL: Needs DATABASE_URL");
    expect(
      loadConfig({
        DATABASE_URL: "postgres://primary/stock",
        DATABASE_REPLICA_URL: "postgres://replica/stock",
      }),
    ).toMatchObject({
      DATABASE_REPLICA_URL: "postgres://replica/stock",
      STOCKROOM_REPLICA_MAX_LAG_MS: 2000,
      STOCKROOM_REPLICA_CHECK_MS: 1000,
      STOCKROOM_READ_YOUR_WRITES_MS: 5000,
    });
    expect(loadConfig({ DATABASE_REPLICA_URL: "" }).DATABASE_REPLICA_URL).toBeUndefined();
  });

  it("keeps a webhook delivery's lease longer than its attempt's timeout", () => {
    expect(loadConfig({}).STOCKROOM_WEBHOOK_LEASE_MS).toBe(30_000);
    expect(loadConfig({ STOCKROOM_WEBHOOK_LEASE_MS: "11000" }).STOCKROOM_WEBHOOK_LEASE_MS).toBe(11_000);
    for (const ms of ["10000", "5000", "0"])
      expect(failure({ STOCKROOM_WEBHOOK_LEASE_MS: ms })).toContain(
        "STOCKROOM_WEBHOOK_LEASE_MS: Must be longer than a webhook attempt's timeout (10000 ms) with 1000 ms to spare for recording it: at least 11000",
      );
  });

  it("keeps the audit's timeout below the request's, so an audit answers before its request is cut", () => {
    expect(loadConfig({}).STOCKROOM_AUDIT_TIMEOUT_MS).toBe(25_000);
    expect(
      loadConfig({ STOCKROOM_AUDIT_TIMEOUT_MS: "100000", STOCKROOM_REQUEST_TIMEOUT_MS: "120000" })
        .STOCKROOM_AUDIT_TIMEOUT_MS,
    ).toBe(100_000);
    expect(failure({ STOCKROOM_AUDIT_TIMEOUT_MS: "30000" })).toContain(
      "STOCKROOM_AUDIT_TIMEOUT_MS: Must be below STOCKROOM_REQUEST_TIMEOUT_MS (30000)",
    );
    expect(failure({ STOCKROOM_REQUEST_TIMEOUT_MS: "20000" })).toContain("STOCKROOM_AUDIT_TIMEOUT_MS");
  });

  it("names every bad variable at once", () => {
    const message = failure({ PORT: "abc", LOG_LEVEL: "loud", STOCKROOM_DEMO: "maybe" });
    for (const name of ["PORT", "LOG_LEVEL", "STOCKROOM_DEMO"]) expect(message).toContain(name);
  });

  it("has the documented defaults and reads good values", () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8000,
      HOST: "0.0.0.0",
      DATABASE_URL: undefined,
      STOCKROOM_DATA_DIR: "./data",
      STOCKROOM_BOOTSTRAP_KEY: undefined,
      STOCKROOM_DEMO: true,
      LOG_LEVEL: "info",
    });
    expect(
      loadConfig({
        PORT: "0",
        DATABASE_URL: "postgresql://u:p@db:5432/stock",
        STOCKROOM_DEMO: "false",
        LOG_LEVEL: "warn",
        STOCKROOM_DATA_DIR: "/tmp/x",
        STOCKROOM_BOOTSTRAP_KEY: "sk_live_0123456789",
      }),
    ).toMatchObject({
      PORT: 0,
      DATABASE_URL: "postgresql://u:p@db:5432/stock",
      STOCKROOM_DEMO: false,
      LOG_LEVEL: "warn",
      STOCKROOM_DATA_DIR: "/tmp/x",
      STOCKROOM_BOOTSTRAP_KEY: "sk_live_0123456789",
    });
    expect(loadConfig({ DATABASE_URL: "", PORT: "" })).toMatchObject({ DATABASE_URL: undefined, PORT: 8000 });
    expect(loadConfig({ STOCKROOM_DEMO: "0" }).STOCKROOM_DEMO).toBe(false);
  });
});

/**
 * The real entry point with only the given environment. `viaCli` runs it as `pnpm start`
 * does, through the tsx CLI; otherwise tsx is loaded into one node process, because the CLI
 * relays SIGTERM to its child and SIGKILLs it when the child does not acknowledge within
 * 30 ms, which a loaded machine misses, and a graceful exit could not be asserted.
 */
function startMain(env: Record<string, string>, viaCli = false) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !k.startsWith("STOCKROOM_") &&
        !["DATABASE_URL", "DATABASE_REPLICA_URL", "PORT", "HOST", "LOG_LEVEL", "NODE_OPTIONS"].includes(k),
    ),
  );
  const child = spawn(
    viaCli ? TSX : process.execPath,
    viaCli ? ["src/main.ts"] : ["--import", "tsx", "src/main.ts"],
    {
      cwd: SERVER_DIR,
      env: { ...clean, HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    /** Resolves with the URL once the banner is printed. */
    async listening(): Promise<string> {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        // The banner is printed in one write; wait for its end.
        if (match && stdout.includes("API docs:")) return match[1]!;
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr}${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`did not start: ${stderr}${stdout}`);
    },
    async stop(): Promise<number | null> {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

const KEY = /sk_live_[A-Za-z0-9_-]{20,}/g;

describe("the entry point", () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "stockroom-data-"));
    dirs.push(dir);
    return dir;
  };
  const start = (env: Record<string, string>, viaCli = false) => {
    const s = startMain(env, viaCli);
    children.push(s.child);
    return s;
  };
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const get = async (url: string, key?: string) => {
    const res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    // biome-ignore lint/suspicious/noExplicitAny: JSON from the server; the assertions check its shape
    return { status: res.status, body: (await res.json()) as any };
  };

  it("exits non-zero on a bad PORT, naming it on stderr", async () => {
    const s = start({ PORT: "abc", STOCKROOM_DATA_DIR: tempDir() }, true);
    expect(await s.exited).not.toBe(0);
    expect(s.err()).toContain("PORT");
    expect(s.err()).not.toMatch(/\n\s+at /);
    expect(s.out()).not.toContain("listening");
  });

  // Each start opens PGlite (a fresh data dir takes seconds, far more on a loaded machine).
  it("prints a generated admin key once, on the first start only, and loads the demo", async () => {
    const dataDir = tempDir();
    const first = start({ PORT: "0", STOCKROOM_DATA_DIR: dataDir });
    const url = await first.listening();
    const keys = first.out().match(KEY) ?? [];
    expect(keys.length).toBeGreaterThan(0);
    const secret = keys[0]!;
    expect(new Set(keys)).toEqual(new Set([secret]));
    expect((await get(`${url}/health`)).body).toEqual({ status: "ok" });
    expect((await get(`${url}/api/keys`, secret)).status).toBe(200);
    const products = await get(`${url}/api/products`, secret);
    expect(products.status).toBe(200);
    expect(products.body.total).toBeGreaterThanOrEqual(40);
    expect((await get(`${url}/api/stores`, secret)).body.total).toBeGreaterThanOrEqual(3);
    expect((await get(`${url}/api/products`)).status).toBe(401);
    // Requests were logged, but neither the key nor the header ever was.
    const logLines = first
      .out()
      .split("\n")
      .filter((l) => l.startsWith("{"));
    expect(logLines.some((l) => l.includes('"route":"GET /api/products"'))).toBe(true);
    for (const line of logLines) {
      expect(line).not.toContain(secret);
      expect(line.toLowerCase()).not.toMatch(/authorization|bearer/);
    }
    expect(first.out().match(/admin key was created/g)).toHaveLength(1);
    expect(await first.stop()).toBe(0);

    const second = start({ PORT: "0", STOCKROOM_DATA_DIR: dataDir });
    const url2 = await second.listening();
    expect(second.out()).not.toMatch(KEY);
    // The first key is not shown again, but the way to another one is.
    expect(second.out()).toContain("Lost it? Start with");
    expect(second.out()).toContain("STOCKROOM_BOOTSTRAP_KEY=");
    expect((await get(`${url2}/api/keys`, secret)).body.items).toHaveLength(1);
    expect((await get(`${url2}/api/products`, secret)).body.total).toBe(products.body.total);
    expect(await second.stop()).toBe(0);
  }, 240_000);

  it("honours STOCKROOM_BOOTSTRAP_KEY and STOCKROOM_DEMO=false", async () => {
    const bootstrap = "sk_live_operator_chosen_secret_0001";
    const s = start({
      PORT: "0",
      STOCKROOM_DATA_DIR: tempDir(),
      STOCKROOM_DEMO: "false",
      STOCKROOM_BOOTSTRAP_KEY: bootstrap,
    });
    const url = await s.listening();
    expect(s.out()).not.toContain(bootstrap);
    expect(s.out()).not.toMatch(KEY);
    const keys = await get(`${url}/api/keys`, bootstrap);
    expect(keys.status).toBe(200);
    expect(keys.body.items).toMatchObject([{ role: "admin", revokedAt: null }]);
    expect((await get(`${url}/api/products`, bootstrap)).body).toMatchObject({ items: [], total: 0 });
    expect((await get(`${url}/api/stores`, bootstrap)).body).toMatchObject({ items: [], total: 0 });
    expect(await s.stop()).toBe(0);
  }, 150_000);
});
