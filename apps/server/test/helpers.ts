import { generateSecret, KeyAuthenticator, type Role, type Runtime } from "@stockroom/api";
import { apiKeys, type Database, LAST_SEQ_SQL, publishEvents, rowsOf, sql } from "@stockroom/db";
import { type BackendName, createTestDatabase } from "@stockroom/db/testing";
import pino from "pino";
import { createApp } from "../src/app";
import type { EventStreamOptions } from "../src/event-stream";

export { testBackends } from "@stockroom/db/testing";

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding body. */
  raw?: string;
  headers?: Record<string, string>;
}

export type Keys = Record<Role, string>;

export interface TestApp {
  backend: BackendName;
  app: ReturnType<typeof createApp>;
  runtime: Runtime;
  database: Database;
  keys: Keys;
  /** Postgres only: the scratch database URL. */
  url?: string;
  rest<T = any>(method: string, path: string, options?: RequestOptions): Promise<Reply<T>>;
  trpc<T = any>(
    type: "query" | "mutation",
    path: string,
    input?: unknown,
    options?: RequestOptions,
  ): Promise<Reply<T>>;
  close(): Promise<void>;
}

export async function addKey(
  database: Database,
  role: Role,
  name = `${role} key`,
): Promise<{ id: string; secret: string }> {
  const { secret, prefix, hash } = generateSecret();
  const [row] = await database.db
    .insert(apiKeys)
    .values({ name, role, prefix, hash })
    .returning({ id: apiKeys.id });
  return { id: row!.id, secret };
}

async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, headers: res.headers, body, text };
}

/** An in-process app on a fresh, migrated database, with one key per role. */
export async function createTestApp(
  backend: BackendName,
  options: { keyCacheTtlMs?: number; eventStream?: EventStreamOptions; webhooksAllowPrivate?: boolean } = {},
): Promise<TestApp> {
  const scratch = await createTestDatabase(backend);
  const runtime: Runtime = {
    database: scratch.database,
    keys: new KeyAuthenticator(scratch.database.db, { cacheTtlMs: options.keyCacheTtlMs ?? 5000 }),
    hooks: {},
    webhooksAllowPrivate: options.webhooksAllowPrivate ?? false,
  };
  const app = createApp({ runtime, logger: pino({ level: "silent" }), eventStream: options.eventStream });
  const keys = {} as Keys;
  for (const role of ["viewer", "clerk", "manager", "admin"] as const)
    keys[role] = (await addKey(scratch.database, role)).secret;

  const send = async (method: string, path: string, options: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? keys.admin : options.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    return toReply(await app.request(path, { method, headers, body }));
  };

  return {
    backend,
    app,
    runtime,
    database: scratch.database,
    keys,
    url: scratch.url,
    rest: (method, path, options) => send(method, path.startsWith("/") ? path : `/${path}`, options),
    trpc: (type, path, input, options = {}) =>
      type === "query"
        ? send(
            "GET",
            `/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
            options,
          )
        : send("POST", `/trpc/${path}`, { ...options, body: input ?? {} }),
    close: () => scratch.drop(),
  };
}

/** Asserts an RFC 9457 body with the given status and code. */
export function expectProblem(reply: Reply, status: number, code: string) {
  const ok =
    reply.status === status &&
    reply.headers.get("content-type")?.startsWith("application/problem+json") &&
    reply.body?.code === code &&
    reply.body?.status === status &&
    typeof reply.body?.detail === "string" &&
    typeof reply.body?.requestId === "string" &&
    !reply.text.includes("    at ");
  if (!ok)
    throw new Error(
      `expected ${status} ${code} problem+json, got ${reply.status} ${reply.headers.get("content-type")}: ${reply.text.slice(0, 500)}`,
    );
}

/** The tRPC error envelope's domain code. */
export const trpcCode = (reply: Reply) => reply.body?.error?.data?.code as string | undefined;

/**
 * Publishes every event written so far (what the server's publisher does on its timer): on
 * PostgreSQL the frontier also waits for transactions running meanwhile (autovacuum's, say).
 */
export async function publishAll(database: Database) {
  for (;;) {
    await publishEvents(database.db);
    const [w] = rowsOf<{ behind: boolean }>(
      await database.db.execute(
        sql.raw(`select (select published from event_watermark) < ${LAST_SEQ_SQL} as behind`),
      ),
    );
    if (!w!.behind) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
