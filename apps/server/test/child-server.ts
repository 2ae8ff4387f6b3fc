import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";

// Real server processes for the tests that kill, stop or starve them, and a plain node:http
// client that tells a refused connection from a reset one and a cut-off response.

const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface ChildServer {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/**
 * Starts `src/main.ts` as its own process, with only the environment given here (never the
 * test runner's DATABASE_URL), and resolves once it listens. Node runs the TypeScript
 * through tsx's loader in ONE process, so a signal sent to `pid` reaches the server itself
 * (the tsx CLI would put a parent in between that SIGKILL cannot get past).
 */
export async function spawnServer(
  env: Record<string, string>,
  options: { port?: number; startTimeoutMs?: number } = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      HOST: "127.0.0.1",
      PORT: String(options.port ?? 0),
      LOG_LEVEL: "warn",
      STOCKROOM_DEMO: "false",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>(
    (resolve) =>
      child.once("exit", (code, signal) => {
        live.delete(child);
        resolve({ code, signal, atMs: performance.now() });
      }),
  );
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not listen within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      resolve(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, child, output: () => out, exited };
}

export type HttpResult =
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body of whatever shape the route answers
  | { ok: true; status: number; headers: http.IncomingHttpHeaders; text: string; body: any; ms: number }
  | { ok: false; error: string; ms: number };

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The client gives up after this long and reports TIMEOUT (a hang, for the tests). */
  timeoutMs?: number;
  agent?: http.Agent;
}

/**
 * One request. Never throws: a refused connection is `ECONNREFUSED`, a reset or a hang-up
 * is `ECONNRESET`, a response cut off before its end is `INCOMPLETE`, a hang is `TIMEOUT`.
 */
export function httpRequest(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = http.request(url, {
      method: options.method ?? "GET",
      agent: options.agent,
      headers: {
        ...(payload === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers,
      },
    });
    const timer = setTimeout(() => {
      done({ ok: false, error: "TIMEOUT", ms: ms() });
      req.destroy();
    }, options.timeoutMs ?? 30_000);
    req.on("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      done({
        ok: false,
        error:
          code === "ECONNREFUSED"
            ? code
            : code === "ECONNRESET" || /hang up/.test(err.message)
              ? "ECONNRESET"
              : code,
        ms: ms(),
      });
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", () => {});
      res.on("close", () => {
        if (!res.complete) return done({ ok: false, error: "INCOMPLETE", ms: ms() });
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {}
        done({ ok: true, status: res.statusCode ?? 0, headers: res.headers, text, body, ms: ms() });
      });
    });
    req.end(payload);
  });
}

/** A port nothing listens on right now (the OS picks it). */
export { freePort } from "../src/pg-cluster";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` is true or the time is up; returns how long it took, or null. */
export async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Math.round(performance.now() - started);
    await sleep(everyMs);
  }
  return null;
}
