import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, startServer } from "@stockroom/server";

export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../bin/stockroom.mjs");

export interface TestServer {
  url: string;
  /** The admin key the server was started with. */
  apiKey: string;
  close(): Promise<void>;
}

/**
 * A real server in this process on a fresh embedded database with the demo data, on a
 * free port. DATABASE_URL is blanked so a developer's or CI's Postgres is never touched.
 */
export async function startTestServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "stockroom-cli-test-"));
  const apiKey = `sr_cli_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
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
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not). */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read the CLI's JSON freely
  json<T = any>(): T;
}

/** Spawns the real binary (asynchronously: the server answering it lives in this process). */
export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...options.env };
  delete env.FORCE_COLOR;
  if (options.env && "FORCE_COLOR" in options.env) env.FORCE_COLOR = options.env.FORCE_COLOR;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: env as NodeJS.ProcessEnv,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.stdin.end(options.stdin ?? "");
    child.on("close", (code) =>
      resolvePromise({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`stdout is not JSON (exit ${code}).\nstdout: ${stdout}\nstderr: ${stderr}`);
          }
        },
      }),
    );
  });
}

/** A port nothing listens on (closed right after the OS picked it). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}
