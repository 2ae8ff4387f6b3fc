import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "./config";
import { startServer } from "./server";

export interface TestServer {
  url: string;
  /** The admin key the server was started with. */
  apiKey: string;
  /** Its PGlite data directory (held by this process while the server runs). */
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A real server in this process on a fresh embedded database (with demo data), on a free
 * port, for other packages' end-to-end tests. DATABASE_URL is blanked so a developer's or
 * CI's Postgres is never touched.
 */
export async function startTestServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "stockroom-test-server-"));
  const apiKey = `sr_test_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const server = await startServer(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: "",
      STOCKROOM_DATA_DIR: dataDir,
      STOCKROOM_BOOTSTRAP_KEY: apiKey,
      LOG_LEVEL: "silent",
      ...extraEnv,
    }),
  );
  return {
    url: server.url,
    apiKey,
    dataDir,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
