import { type ChildProcessByStdio, spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { BackupError } from "./errors";

export type PgTool = "pg_dump" | "psql";

/** Where pg_dump/psql come from: STOCKROOM_PG_BIN_DIR if set, else PATH. */
export function toolPath(tool: PgTool, env: Record<string, string | undefined> = process.env): string {
  const dir = env.STOCKROOM_PG_BIN_DIR?.trim();
  return dir ? join(dir, tool) : tool;
}

export const TOOL_ADVICE =
  "Install the PostgreSQL client tools, version >= the server's: on Debian/Ubuntu `apt-get install postgresql-client` " +
  "(postgresql-client-15 for a PostgreSQL 15 server; the Stockroom container image ships it). " +
  "Or point STOCKROOM_PG_BIN_DIR at the directory that holds pg_dump and psql.";

export interface RunningTool {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Resolves with the exit code once the process has exited; stderr is kept (bounded). */
  exit: Promise<{ code: number; stderr: string }>;
}

/**
 * Starts a PostgreSQL client tool. A missing binary is a TOOL_MISSING error naming the
 * package to install, never a bare ENOENT.
 */
export async function startTool(
  tool: PgTool,
  args: string[],
  extraEnv: Record<string, string>,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningTool> {
  const path = toolPath(tool, env);
  const child = spawn(path, args, {
    env: { ...process.env, ...extraEnv, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? "10" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT")
        reject(new BackupError("TOOL_MISSING", `${tool} was not found (looked for "${path}")`, TOOL_ADVICE));
      else reject(err);
    });
  });
  // Writing to a tool that died early must not crash the process with EPIPE.
  child.stdin.on("error", () => {});
  const exit = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.once("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stderr: stderr.trim() }),
    );
  });
  return { child, exit };
}

/** The first lines of a tool's stderr, for an error message. */
export const firstLines = (text: string, n = 6) => text.split("\n").slice(0, n).join("\n");
