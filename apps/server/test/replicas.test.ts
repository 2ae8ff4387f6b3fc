import { readFileSync } from "node:fs";
import { migrationsFolder, rowsOf } from "@stockroom/db";
import { createScratchPostgres } from "@stockroom/db/testing";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { type RunningServer, startServer } from "../src/server";
import { testBackends } from "./helpers";

const backends = await testBackends();
const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, "utf8")) as {
  entries: Array<{ tag: string }>;
};

describe.skipIf(!backends.includes("postgres"))(
  "two replicas starting at once on one fresh PostgreSQL",
  () => {
    const servers: RunningServer[] = [];
    let drop: (() => Promise<void>) | undefined;
    afterAll(async () => {
      await Promise.allSettled(servers.map((s) => s.close()));
      await drop?.();
    });

    const bootstrap = "sk_live_replica_bootstrap_key_0001";

    it("both come up, answer /ready and serve the same data; migrations ran once", async () => {
      const scratch = await createScratchPostgres();
      drop = scratch.drop;
      const config = loadConfig({
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: scratch.url,
        LOG_LEVEL: "silent",
        STOCKROOM_BOOTSTRAP_KEY: bootstrap,
        STOCKROOM_DB_POOL_SIZE: "4",
      });
      const started = await Promise.allSettled([startServer(config), startServer(config)]);
      for (const s of started) if (s.status === "fulfilled") servers.push(s.value);
      expect(started.map((s) => (s.status === "rejected" ? String(s.reason) : "up"))).toEqual(["up", "up"]);
      const [a, b] = servers as [RunningServer, RunningServer];
      expect(a.port).not.toBe(b.port);

      const auth = { authorization: `Bearer ${bootstrap}` };
      for (const s of servers) {
        const ready = await fetch(`${s.url}/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ database: "postgres" });
        const list = await fetch(`${s.url}/api/products`, { headers: auth });
        expect(list.status).toBe(200);
        // No demo data on PostgreSQL: it is production.
        expect(await list.json()).toMatchObject({ items: [], total: 0 });
      }

      const created = await fetch(`${a.url}/api/stores`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ id: "replica", name: "Made on A" }),
      });
      expect(created.status).toBe(201);
      const seen = await fetch(`${b.url}/api/stores/replica`, { headers: auth });
      expect(seen.status).toBe(200);

      const migrations = rowsOf<{ n: number }>(
        await a.runtime.database.db.execute("select count(*)::int as n from drizzle.__drizzle_migrations"),
      );
      expect(migrations[0]!.n).toBe(journal.entries.length);
      const keys = rowsOf<{ n: number }>(
        await b.runtime.database.db.execute("select count(*)::int as n from api_keys where role = 'admin'"),
      );
      expect(keys[0]!.n).toBe(1);
    });
  },
);
