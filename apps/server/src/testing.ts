import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BackendName, createScratchPostgres } from "@stockroom/db/testing";
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

export { type BackendName, testBackends } from "@stockroom/db/testing";
export { type Cluster, createPrivateCluster, privateClusterUnavailableReason } from "./pg-cluster";

/**
 * A real server in this process on a fresh embedded database (with demo data), on a free
 * port, for other packages' end-to-end tests. DATABASE_URL is blanked so a developer's or
 * CI's Postgres is never touched. With `backend: "postgres"` it runs on a scratch
 * PostgreSQL database of its own instead (no demo data), dropped by close().
 */
export async function startTestServer(
  extraEnv: Record<string, string> = {},
  options: { backend?: BackendName } = {},
): Promise<TestServer> {
  const scratch = options.backend === "postgres" ? await createScratchPostgres() : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), "stockroom-test-server-"));
  const apiKey = `sr_test_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const server = await startServer(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: scratch?.url ?? "",
      STOCKROOM_DATA_DIR: dataDir,
      STOCKROOM_BOOTSTRAP_KEY: apiKey,
      LOG_LEVEL: "silent",
      ...extraEnv,
    }),
  ).catch(async (err) => {
    await scratch?.drop();
    throw err;
  });
  return {
    url: server.url,
    apiKey,
    dataDir,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
      await scratch?.drop();
    },
  };
}
