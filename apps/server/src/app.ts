import { randomUUID } from "node:crypto";
import { trpcServer } from "@hono/trpc-server";
import {
  AppError,
  appRouter,
  buildOpenApiDocument,
  READ_AFTER_HEADER,
  type RootContext,
  type Runtime,
  toHandle,
} from "@stockroom/api";
import { lsnOrNull } from "@stockroom/db";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { timeout } from "hono/timeout";
import type { Logger } from "pino";
import { mountDocs } from "./docs";
import type { AppEnv } from "./env";
import { type EventStreamOptions, mountEventStream } from "./event-stream";
import { fromNode, header, MAX_BODY_BYTES, SECURITY_HEADERS } from "./headers";
import { MAX_URL_CHARS } from "./http-errors";
import { type RequestObserver, routeTemplate, trpcRoute } from "./metrics";
import { createErrorExit, problem } from "./problem";
import { rateLimit } from "./rate-limit";
import { mountRest } from "./rest";

export { MAX_BODY_BYTES, MAX_URL_CHARS };

const VERSION = "0.1.0";
const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Paths the server serves itself (not operations), all GET-only. */
const OWN_PAGES = /^\/(?:health|ready|openapi\.json|metrics|docs(?:\/[^/]*)?)?\/?$/;
const OWN_ALLOW = "GET, HEAD, OPTIONS";

/** The Consistency request header: undefined when absent, null when not a known value. */
function consistencyOf(value: string | undefined): "strong" | "eventual" | undefined | null {
  if (value === undefined) return undefined;
  return value === "strong" || value === "eventual" ? value : null;
}

/** The Read-After request header: undefined when absent, null when not a WAL position. */
function readAfterOf(value: string | undefined): bigint | undefined | null {
  return value === undefined ? undefined : lsnOrNull(value);
}

export interface AppOptions {
  runtime: Runtime;
  logger: Logger;
  metricsPublic?: boolean;
  /** Requests per second per API key; 0 turns limiting off. */
  rateLimit?: number;
  rateLimitBurst?: number;
  corsOrigins?: string[];
  requestTimeoutMs?: number;
  /** Extra operational routes (metrics) mounted by the caller. */
  extend?: (app: Hono<AppEnv>) => void;
  /** Sees every request with its route template and status (request metrics). */
  observe?: RequestObserver;
  /** GET /api/events/stream: how often the server reads the feed's frontier, and the heartbeat. */
  eventStream?: EventStreamOptions;
}

export function createApp({
  runtime,
  logger,
  extend,
  observe,
  rateLimit: perSecond = 0,
  rateLimitBurst,
  corsOrigins = [],
  requestTimeoutMs = 30_000,
  eventStream = { pollMs: 250, heartbeatMs: 15_000 },
}: AppOptions) {
  // strict: false serves /api/products/ as /api/products instead of refusing it.
  const app = new Hono<AppEnv>({ strict: false });
  const handle = toHandle(runtime);
  const openapi = JSON.stringify(buildOpenApiDocument({ baseUrl: "/api", version: VERSION }));
  const errorExit = createErrorExit(logger);

  app.use(async (c, next) => {
    const started = performance.now();
    const done = observe?.begin();
    const incoming = header(c, "x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    c.set("responseHeaders", new Map());
    c.set("log", { keyId: null });
    // A template, never the raw path: REST handlers set theirs, the rest is found after routing.
    c.set("route", c.req.path.startsWith("/trpc/") ? trpcRoute(c.req.path.slice(6)) : "");
    try {
      await next();
    } finally {
      if (!c.get("route")) c.set("route", routeTemplate(c));
      if (!c.get("headersDone")) {
        // Answers built elsewhere (Hono, tRPC, docs, errors) get the shell headers here.
        const headers = c.res.headers;
        for (const k in SECURITY_HEADERS) headers.set(k, SECURITY_HEADERS[k]!);
        headers.set("x-request-id", requestId);
        for (const [k, v] of c.get("responseHeaders")) headers.set(k, v);
        // RFC 9110: a 401 names the scheme that would be accepted.
        if (c.res.status === 401) headers.set("www-authenticate", 'Bearer realm="stockroom"');
      }
      logger.info({
        method: c.req.method,
        route: c.get("route"),
        ...(c.get("route") === "unmatched" ? { path: c.req.path.slice(0, 200) } : {}),
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        requestId,
        keyId: c.get("log").keyId,
      });
      done?.(c.get("route"), c.res.status);
    }
  });

  if (corsOrigins.length > 0)
    app.use(
      cors({
        origin: corsOrigins.includes("*") ? "*" : corsOrigins,
        allowHeaders: [
          "Authorization",
          "Content-Type",
          "Idempotency-Key",
          "Consistency",
          "Read-After",
          "X-Request-Id",
        ],
        allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        exposeHeaders: [
          "X-Request-Id",
          "Idempotent-Replayed",
          "Write-Position",
          "Retry-After",
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
        ],
        maxAge: 600,
      }),
    );
  app.use(async (c, next) => {
    const url = c.req.url;
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    if (url.length - pathStart > MAX_URL_CHARS)
      return problem(
        c,
        new AppError("URI_TOO_LONG", `The URL is over ${MAX_URL_CHARS} characters`, {
          issues: [{ path: "(url)", message: `Must be at most ${MAX_URL_CHARS} characters` }],
        }),
      );
    await next();
  });

  app.onError((err, c) => problem(c, errorExit(err, c.get("requestId"), c.get("route") || undefined)));
  app.notFound((c) => {
    // The server's own pages take GET (and HEAD) only; anything else there is a 405, not a 404.
    if (c.req.method === "GET" || !OWN_PAGES.test(c.req.path))
      return problem(c, new AppError("NOT_FOUND", `No route ${c.req.method} ${c.req.path}`));
    if (c.req.method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: OWN_ALLOW } });
    const res = problem(
      c,
      new AppError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed here; use GET`),
    );
    res.headers.set("allow", OWN_ALLOW);
    return res;
  });

  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", "The request body is over 1 MiB");
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => problem(c, tooLarge()),
  });
  const deadline = timeout(
    requestTimeoutMs,
    () =>
      new AppError("UNAVAILABLE", `The request took longer than ${requestTimeoutMs} ms`, {
        retryAfter: 1,
      }) as never,
  );
  for (const prefix of ["/api/*", "/trpc/*"]) {
    if (perSecond > 0) app.use(prefix, rateLimit(perSecond, rateLimitBurst || perSecond * 2));
    app.use(prefix, deadline);
    app.use(prefix, async (c, next) => {
      // A GET carries no body to measure: asking for one would build a full Web Request.
      if (c.req.method === "GET" || c.req.method === "HEAD") return next();
      // Under Node, the REST adapter reads the body itself (bodyText) and enforces the cap
      // while reading; a declared length over it is refused here, before anything else.
      if (prefix === "/api/*" && fromNode(c)) {
        if (Number(header(c, "content-length") ?? 0) > MAX_BODY_BYTES) return problem(c, tooLarge());
        return next();
      }
      return limit(c, next);
    });
  }

  const makeContext = (c: Context<AppEnv>): RootContext => ({
    requestId: c.get("requestId"),
    authorization: header(c, "authorization") ?? null,
    idempotencyKey: header(c, "idempotency-key") ?? null,
    consistency: consistencyOf(header(c, "consistency")) ?? undefined,
    readAfter: readAfterOf(header(c, READ_AFTER_HEADER)) ?? undefined,
    responseHeaders: c.get("responseHeaders"),
    runtime: handle,
    log: c.get("log"),
  });

  const checkRequestHeaders = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const key = header(c, "idempotency-key");
    if (key !== undefined && (key.length < 1 || key.length > 255))
      return problem(
        c,
        new AppError("VALIDATION_FAILED", "Idempotency-Key must be 1 to 255 characters", {
          issues: [{ path: "Idempotency-Key", message: "Must be 1 to 255 characters" }],
        }),
      );
    // Reads only (GET): a change always runs on the primary, so these mean nothing there.
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      if (consistencyOf(header(c, "consistency")) === null)
        return problem(
          c,
          new AppError("VALIDATION_FAILED", "Consistency must be 'strong' or 'eventual'", {
            issues: [{ path: "Consistency", message: "Must be strong or eventual" }],
          }),
        );
      if (readAfterOf(header(c, READ_AFTER_HEADER)) === null)
        return problem(
          c,
          new AppError(
            "VALIDATION_FAILED",
            "Read-After must be a Write-Position header value as a change answered it, e.g. 16/B374D848",
            { issues: [{ path: "Read-After", message: "Must be a WAL position such as 16/B374D848" }] },
          ),
        );
    }
    await next();
  };
  app.use("/api/*", checkRequestHeaders);
  app.use("/trpc/*", checkRequestHeaders);

  app.get("/", (c) => c.redirect("/docs", 302));
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/ready", async (c) => {
    try {
      await Promise.race([
        runtime.database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("ping timeout")), 2000).unref()),
      ]);
      // A replica down or behind degrades reads to the primary: still ready.
      const replica = runtime.reads?.replica.status();
      return c.json({ status: "ready", database: runtime.database.kind, ...(replica ? { replica } : {}) });
    } catch {
      return problem(c, new AppError("UNAVAILABLE", "The database is not answering", { retryAfter: 2 }));
    }
  });
  app.get("/openapi.json", (c) => c.body(openapi, 200, { "content-type": "application/json" }));
  mountDocs(app);
  extend?.(app);

  app.use(
    "/trpc/*",
    trpcServer({
      router: appRouter,
      endpoint: "/trpc",
      createContext: (_opts, c) => makeContext(c as Context<AppEnv>) as unknown as Record<string, unknown>,
      // The answer itself is tRPC's envelope, written by the errorFormatter.
      onError: ({ error, ctx, path }) => {
        errorExit(error, (ctx as RootContext | undefined)?.requestId, path);
      },
    }),
  );
  mountEventStream(app, makeContext, errorExit, eventStream, runtime);
  mountRest(app, makeContext, errorExit);
  return app;
}
