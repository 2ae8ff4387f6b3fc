import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, spawnServer } from "./child-server";

// Two server processes on one PGlite data directory: the second must be refused while the
// first serves, and a lock left by a killed server must not block the next start.
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "stockroom-lock-server-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("one server process per PGlite data directory", () => {
  it("refuses a second server on the same directory; the first keeps serving", async () => {
    const env = { STOCKROOM_DATA_DIR: dataDir, STOCKROOM_BOOTSTRAP_KEY: "sk_test_lock_0123456789" };
    const first = await spawnServer(env);
    try {
      await expect(spawnServer(env)).rejects.toThrow(
        new RegExp(
          `exited \\(1\\)[\\s\\S]*${escapeRegExp(dataDir)} is in use by PID ${first.pid} \\(server on port 0`,
        ),
      );
      const health = await httpRequest(`${first.url}/health`);
      expect(health.ok && health.status).toBe(200);
      const products = await httpRequest(`${first.url}/api/products`, {
        headers: { authorization: "Bearer sk_test_lock_0123456789" },
      });
      expect(products.ok && products.status).toBe(200);
    } finally {
      first.child.kill("SIGTERM");
      expect((await first.exited).code).toBe(0);
    }
    // A clean stop removes the lock.
    await expect(readFile(join(dataDir, "stockroom.lock"))).rejects.toThrow(/ENOENT/);
  });

  it("starts on a directory whose previous server was killed", async () => {
    const env = { STOCKROOM_DATA_DIR: dataDir, STOCKROOM_BOOTSTRAP_KEY: "sk_test_lock_0123456789" };
    const killed = await spawnServer(env);
    killed.child.kill("SIGKILL");
    await killed.exited;
    const lock = JSON.parse(await readFile(join(dataDir, "stockroom.lock"), "utf8"));
    expect(lock.pid).toBe(killed.pid);
    const next = await spawnServer(env);
    try {
      const products = await httpRequest(`${next.url}/api/products`, {
        headers: { authorization: "Bearer sk_test_lock_0123456789" },
      });
      expect(products.ok && products.status).toBe(200);
      const taken = JSON.parse(await readFile(join(dataDir, "stockroom.lock"), "utf8"));
      expect(taken.pid).toBe(next.pid);
    } finally {
      next.child.kill("SIGTERM");
      await next.exited;
    }
  });
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
