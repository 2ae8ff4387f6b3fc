import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface ServerOptions {
  databaseUrl: string;
  apiKey: string;
  /** STOCKROOM_WORKERS: processes sharing the port (node:cluster). */
  workers?: number;
  poolSize?: number;
  logLevel?: string;
  /** Directory for `node --cpu-prof` output; no profile when unset. */
  cpuProfDir?: string;
  env?: Record<string, string>;
  /** Another checkout to run instead of this one (e.g. a baseline), with its dependencies installed. */
  serverRoot?: string;
}

export interface BenchServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** The server's stderr and stdout tail, for error reports. */
  output(): string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `apps/server/src/main.ts` as its own process (as `pnpm start` does) and waits for /ready. */
export async function startBenchServer(options: ServerOptions): Promise<BenchServer> {
  const port = await freePort();
  const root = options.serverRoot ? `${options.serverRoot.replace(/\/$/, "")}/` : repoRoot;
  const serverMain = `${root}apps/server/src/main.ts`;
  const nodeArgs = ["--import", import.meta.resolve("tsx")];
  if (options.cpuProfDir) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: "production",
    DATABASE_URL: options.databaseUrl,
    STOCKROOM_BOOTSTRAP_KEY: options.apiKey,
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: options.logLevel ?? "warn",
    ...(options.workers ? { STOCKROOM_WORKERS: String(options.workers) } : {}),
    ...(options.poolSize ? { STOCKROOM_DB_POOL_SIZE: String(options.poolSize) } : {}),
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, serverMain], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`The server exited during start (code ${child.exitCode}):\n${tail}`);
    try {
      const res = await fetch(`${url}/ready`);
      if (res.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The server did not become ready within 60 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    pid: child.pid!,
    output: () => tail,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
