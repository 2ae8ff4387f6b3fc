import {
  AppError,
  coerceQuery,
  type RestRoute,
  type RootContext,
  restRoutes,
  runOperation,
} from "@stockroom/api";
import type { Context, Hono } from "hono";
import type { AppEnv } from "./env";
import { bodyText, header, MAX_BODY_BYTES, shellHeaders } from "./headers";
import { type ErrorExit, problem } from "./problem";

const toHonoPath = (path: string) => `/api${path.replace(/\{(\w+)\}/g, ":$1")}`;
const toMatcher = (path: string) => new RegExp(`^/api${path.replace(/\{\w*\}/g, "[^/]+")}/?$`);
/** The same resource whatever its parameters are called. */
const shapeOf = (path: string) => path.replace(/\{\w+\}/g, "{}");

/**
 * The methods a path takes, from the one resource it names: where a static path and a
 * parameterised one both match (/products/batch and /products/{id}), the static one is the
 * resource, so PUT /products/batch is a 405 and not an update of a product called "batch".
 * HEAD comes with GET (Hono answers it from the GET route) and OPTIONS with every path.
 */
function resourceMethods(routes: RestRoute[]) {
  // restRoutes() lists static paths before parameterised ones: the first match is the resource.
  const shapes = [...new Set(routes.map((r) => shapeOf(r.path)))].map((shape) => {
    const methods = routes.filter((r) => shapeOf(r.path) === shape).map((r) => r.method);
    return {
      re: toMatcher(shape),
      allow: [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"],
    };
  });
  return (path: string): string[] | undefined => shapes.find((s) => s.re.test(path))?.allow;
}

/** A query parameter with an empty name (`?=1`) is refused like an unknown one. */
function refuseEmptyNames(url: string) {
  const query = url.indexOf("?");
  if (query === -1 || !/(?:^|&)=/.test(url.slice(query + 1))) return;
  throw new AppError("VALIDATION_FAILED", "(root): A query parameter has an empty name", {
    issues: [{ path: "(root)", message: "A query parameter has an empty name" }],
  });
}

async function readInput(c: Context<AppEnv>, route: RestRoute): Promise<unknown> {
  const params = c.req.param() as Record<string, string>;
  if (route.method === "GET" || route.method === "DELETE") {
    refuseEmptyNames(c.req.url);
    const query = c.req.queries();
    return withParams(coerceQuery(route.input, query), params);
  }
  const type = header(c, "content-type") ?? "";
  const text = await bodyText(c, MAX_BODY_BYTES);
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
  return withParams(body as Record<string, unknown>, params);
}

/** Path params win nothing silently: the same name in the body or query is refused. */
function withParams(input: Record<string, unknown>, params: Record<string, string>) {
  const clashes = Object.keys(params).filter((k) => Object.hasOwn(input, k));
  if (clashes.length > 0)
    throw new AppError("VALIDATION_FAILED", `${clashes.join(", ")}: Given by the path; leave it out`, {
      issues: clashes.map((k) => ({ path: k, message: "Given by the path; leave it out" })),
    });
  return { ...input, ...params };
}

/**
 * REST over the same operations: one Hono route per operation with OpenAPI meta, run by the
 * same runner as tRPC. Input is path params + query (GET/DELETE) or path params + JSON body,
 * parsed by the same zod schema. Answers carry the operation's success status; errors
 * become problem+json from the error catalogue.
 */
export function mountRest(
  app: Hono<AppEnv>,
  makeContext: (c: Context<AppEnv>) => RootContext,
  errorExit: ErrorExit,
) {
  const routes = restRoutes();
  const methodsAt = resourceMethods(routes);
  /** The answer where no operation takes this method on this path. */
  const noOperation = (c: Context<AppEnv>) => {
    const allow = methodsAt(c.req.path);
    if (!allow) return problem(c, new AppError("NOT_FOUND", `No route ${c.req.method} ${c.req.path}`));
    if (c.req.method === "OPTIONS")
      return new Response(null, { status: 204, headers: { allow: allow.join(", ") } });
    const res = problem(
      c,
      new AppError(
        "METHOD_NOT_ALLOWED",
        `${c.req.method} is not allowed here; use ${allow.filter((m) => m !== "HEAD" && m !== "OPTIONS").join(", ")}`,
      ),
    );
    res.headers.set("allow", allow.join(", "));
    return res;
  };
  for (const route of routes) {
    const { operation } = route;
    const template = `${route.method} /api${route.path}`;
    const shape = shapeOf(route.path);
    // This route's pattern also matches another resource's path: that path is not ours.
    const shadowed = routes.some(
      (r) => shapeOf(r.path) !== shape && toMatcher(route.path).test(`/api${r.path}`),
    );
    app.on(route.method, toHonoPath(route.path), async (c) => {
      if (shadowed && methodsAt(c.req.path) !== methodsAt(`/api${route.path}`)) return noOperation(c);
      c.set("route", template);
      const ctx = makeContext(c);
      // The body is read now, so no transaction waits on a slow upload, but a bad one is
      // reported only when the runner asks for the input, i.e. after the key check: a
      // request without a key gets 401 whatever its body, as over tRPC.
      const input = readInput(c, route);
      await input.catch(() => {});
      try {
        const data = await runOperation(operation, ctx, () => input);
        // Built here with every header in one plain object: @hono/node-server writes that
        // straight to the socket, where c.json() and later header edits go through Headers.
        if (route.successStatus === 204)
          return new Response(null, { status: 204, headers: shellHeaders(c, null) });
        return new Response(JSON.stringify(data ?? null), {
          status: route.successStatus ?? 200,
          headers: shellHeaders(c, "application/json"),
        });
      } catch (err) {
        return problem(c, errorExit(err, ctx.requestId, route.procedure));
      }
    });
  }
  app.all("/api/*", noOperation);
}
