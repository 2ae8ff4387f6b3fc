import {
  AppError,
  appRouter,
  coerceQuery,
  createCallerFactory,
  type RestRoute,
  type RootContext,
  restRoutes,
  toAppError,
} from "@stockroom/api";
import type { Context, Hono } from "hono";
import type { Logger } from "pino";
import type { AppEnv } from "./env";
import { problem } from "./problem";

const createCaller = createCallerFactory(appRouter);
type Caller = ReturnType<typeof createCaller>;
type CallFn = (input: unknown) => Promise<unknown>;

function procedureOf(caller: Caller, path: string): CallFn {
  let cur: unknown = caller;
  for (const part of path.split(".")) cur = (cur as Record<string, unknown>)[part];
  return cur as CallFn;
}

const toHonoPath = (path: string) => `/api${path.replace(/\{(\w+)\}/g, ":$1")}`;
const toMatcher = (path: string) => new RegExp(`^/api${path.replace(/\{\w+\}/g, "[^/]+")}/?$`);

async function readInput(c: Context<AppEnv>, route: RestRoute): Promise<unknown> {
  const params = c.req.param() as Record<string, string>;
  if (route.method === "GET" || route.method === "DELETE") {
    const query = c.req.queries();
    return { ...coerceQuery(route.input!, query), ...params };
  }
  const type = c.req.header("content-type") ?? "";
  const text = await c.req.text();
  if (text.trim() === "" && Object.keys(params).length > 0) return params;
  if (!/^application\/(.+\+)?json\b/i.test(type))
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("VALIDATION_FAILED", "The body is not valid JSON", {
      issues: [{ path: "(body)", message: "Invalid JSON" }],
    });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new AppError("VALIDATION_FAILED", "The body must be a JSON object", {
      issues: [{ path: "(body)", message: "Expected an object" }],
    });
  return { ...body, ...params };
}

/**
 * REST over the same procedures: one Hono route per procedure with OpenAPI meta. Input is
 * path params + query (GET/DELETE) or path params + JSON body, and goes through the very
 * same zod parsing as tRPC. Answers carry the procedure's success status; errors become
 * problem+json from the error catalogue.
 */
export function mountRest(
  app: Hono<AppEnv>,
  makeContext: (c: Context<AppEnv>) => RootContext,
  logger: Logger,
) {
  const routes = restRoutes();
  for (const route of routes) {
    app.on(route.method, toHonoPath(route.path), async (c) => {
      c.set("route", `${route.method} /api${route.path}`);
      const ctx = makeContext(c);
      try {
        const input = await readInput(c, route);
        const data = await procedureOf(createCaller(ctx), route.procedure)(input);
        const headers = Object.fromEntries(ctx.responseHeaders.entries());
        if (route.successStatus === 204) return c.body(null, 204, headers);
        return c.json(data ?? null, route.successStatus as 200 | 201, headers);
      } catch (err) {
        const app = toAppError(err);
        if (app.appCode === "INTERNAL")
          logger.error({ err, requestId: ctx.requestId, route: route.procedure }, "unhandled error");
        return problem(c, app);
      }
    });
  }
  const matchers = routes.map((r) => ({ method: r.method, re: toMatcher(r.path) }));
  app.all("/api/*", (c) => {
    const allowed = matchers.filter((m) => m.re.test(c.req.path)).map((m) => m.method);
    if (allowed.length > 0) {
      const res = problem(
        c,
        new AppError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed here; use ${allowed.join(", ")}`),
      );
      res.headers.set("allow", allowed.join(", "));
      return res;
    }
    return problem(c, new AppError("NOT_FOUND", `No route ${c.req.method} ${c.req.path}`));
  });
}
