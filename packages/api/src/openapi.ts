import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";
import { z } from "zod";
import { roleRank } from "./context";
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode } from "./errors";
import type { AnyOperation } from "./operation";
import { operations } from "./operations";
import { restRoutes } from "./rest-routes";
import { createDocumentRouter } from "./trpc";

type Json = Record<string, unknown>;

const PROBLEM_SCHEMA = {
  type: "object",
  description: "RFC 9457 problem details. `code` is stable and machine-readable; `detail` is for people.",
  required: ["type", "title", "status", "detail", "code", "requestId"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string", enum: Object.keys(ERROR_CATALOGUE) },
    requestId: { type: "string" },
    issues: {
      type: "array",
      items: {
        type: "object",
        required: ["path", "message"],
        properties: { path: { type: "string" }, message: { type: "string" } },
      },
    },
  },
};

const EXAMPLE_DETAIL: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: "price: Must be at least 0",
  UNAUTHORIZED: "The API key is unknown or revoked",
  FORBIDDEN: "This needs role manager or higher; the key has role viewer",
  NOT_FOUND: "Product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10 not found",
  SKU_TAKEN: "SKU HAM-16 is already used by another product",
  INSUFFICIENT_STOCK: "Insufficient stock in store store1. Available: 10, Required: 15",
  IDEMPOTENCY_KEY_REUSED: "Idempotency-Key 'abc' was already used with a different request",
  PAYLOAD_TOO_LARGE: "The request body is over 1 MiB",
  REQUEST_TIMEOUT: "The request was not received within 20 s",
  URI_TOO_LONG: "The URL is over 8192 characters",
  HEADERS_TOO_LARGE: "The request headers are over 16 KiB",
  RATE_LIMITED: "Too many requests for this API key; retry after 1 s",
  UNAVAILABLE: "The database is unreachable; retry shortly",
  INTERNAL: "An unexpected error occurred; it has been logged",
};

/**
 * Every code an operation can answer: its own (meta.errors) and the runner's, by role,
 * method and body. The rate limiter keys on the Authorization header, so only operations
 * that take a key can be rate limited; idempotency keys are honoured on every mutation.
 */
export function operationErrorCodes(op: AnyOperation): ErrorCode[] {
  const method = op.meta.openapi?.method ?? "GET";
  const codes = new Set<ErrorCode>(["VALIDATION_FAILED", ...(op.meta.errors ?? [])]);
  if (op.minRole !== null) {
    codes.add("UNAUTHORIZED");
    if (roleRank(op.minRole) > roleRank("viewer")) codes.add("FORBIDDEN");
    codes.add("RATE_LIMITED");
  }
  // The body cap applies to every method but GET; only a body's media type is checked.
  if (method !== "GET") codes.add("PAYLOAD_TOO_LARGE");
  if (method === "POST" || method === "PUT" || method === "PATCH") codes.add("UNSUPPORTED_MEDIA_TYPE");
  if (op.kind !== "read") codes.add("IDEMPOTENCY_KEY_REUSED");
  // Any request can be too slow, or too long in its URL or headers.
  codes.add("REQUEST_TIMEOUT");
  codes.add("URI_TOO_LONG");
  codes.add("HEADERS_TOO_LARGE");
  codes.add("INTERNAL");
  codes.add("UNAVAILABLE");
  return ERROR_CODES.filter((c) => codes.has(c));
}

/** Response headers the server sends, referenced from every response that carries them. */
/** A PostgreSQL WAL position as text, e.g. 16/B374D848 (Write-Position, Read-After). */
const LSN_PATTERN = "^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$";

const HEADERS: Json = {
  "X-Request-Id": {
    description:
      "The request's id: the client's own X-Request-Id when it sent a sane one, else a generated one. Also `requestId` in problem bodies and in the server log.",
    schema: { type: "string" },
    example: "7d1c2e9a-4b3f-4e21-9c6d-2a8f5b0e4d17",
  },
  "Idempotent-Replayed": {
    description:
      "`true` when this is the stored answer to an earlier request with the same Idempotency-Key and body; absent otherwise.",
    schema: { type: "string", enum: ["true"] },
  },
  "Write-Position": {
    description:
      "Only from a server with a read replica (DATABASE_REPLICA_URL): the primary database's WAL position after this change committed. Send it back as `Read-After` on later reads, through any server process, to read this change (docs/scaling.md). Opaque to clients except for its order: the SDK keeps the highest one it was answered. Absent on PGlite, without a replica, and (rarely) when the position could not be read.",
    schema: { type: "string", pattern: LSN_PATTERN },
    example: "16/B374D848",
  },
  "Retry-After": {
    description: "Seconds to wait before retrying.",
    schema: { type: "integer", minimum: 1 },
    example: 1,
  },
  "RateLimit-Limit": {
    description: "The burst size of this API key's token bucket.",
    schema: { type: "integer", minimum: 0 },
    example: 200,
  },
  "RateLimit-Remaining": {
    description: "Requests left in the bucket now.",
    schema: { type: "integer", minimum: 0 },
    example: 0,
  },
  "RateLimit-Reset": {
    description: "Seconds until the bucket is full again.",
    schema: { type: "integer", minimum: 0 },
    example: 1,
  },
};

const headerRefs = (...names: string[]): Json =>
  Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));

function exampleDetail(code: ErrorCode, op: AnyOperation): string {
  const own = op.meta.errorExamples?.[code];
  if (own) return own;
  if (code === "FORBIDDEN" && op.minRole)
    return `This needs role ${op.minRole} or higher; the key has role viewer`;
  return EXAMPLE_DETAIL[code] ?? ERROR_CATALOGUE[code].title;
}

/** The issue a one-issue VALIDATION_FAILED detail (`path: message`) stands for. */
function exampleIssue(detail: string): Json {
  const at = detail.indexOf(": ");
  return at > 0
    ? { path: detail.slice(0, at), message: detail.slice(at + 2) }
    : { path: "(root)", message: detail };
}

function problemResponse(status: number, codes: ErrorCode[], op: AnyOperation): Json {
  const examples = Object.fromEntries(
    codes.map((code) => [
      code,
      {
        value: {
          type: `https://stockroom.dev/errors/${code.toLowerCase().replaceAll("_", "-")}`,
          title: ERROR_CATALOGUE[code].title,
          status,
          detail: exampleDetail(code, op),
          code,
          requestId: "7d1c2e9a-4b3f-4e21-9c6d-2a8f5b0e4d17",
          ...(code === "VALIDATION_FAILED" ? { issues: [exampleIssue(exampleDetail(code, op))] } : {}),
        },
      },
    ]),
  );
  const headers =
    status === 429
      ? headerRefs("X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
      : status === 503
        ? headerRefs("X-Request-Id", "Retry-After")
        : headerRefs("X-Request-Id");
  return {
    description: `${codes.map((c) => `${c} (${ERROR_CATALOGUE[c].title.toLowerCase()})`).join(", ")}`,
    headers,
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" }, examples } },
  };
}

/**
 * Rules of a body schema that trpc-to-openapi loses when it takes the path parameters out:
 * it rebuilds a refined object as a plain z.object, dropping strictness and metadata.
 */
function bodyRules(input: z.ZodType): Json {
  const rules: Json = {};
  const def = (
    input as { _zod?: { def?: { type?: string; catchall?: { _zod?: { def?: { type?: string } } } } } }
  )._zod?.def;
  if (def?.type === "object" && def.catchall?._zod?.def?.type === "never") rules.additionalProperties = false;
  const meta = z.globalRegistry.get(input) as Json | undefined;
  if (meta?.anyOf) rules.anyOf = meta.anyOf;
  if (meta?.example) rules.example = meta.example;
  return rules;
}

/**
 * zod gives every integer the safe-integer range as bounds. In what the server answers they
 * say nothing a client can use (a total is never near 2^53) and read as noise in the docs.
 */
function dropSafeIntegerBounds(node: unknown): void {
  if (!node || typeof node !== "object") return;
  const o = node as Json;
  if (o.minimum === Number.MIN_SAFE_INTEGER) delete o.minimum;
  if (o.maximum === Number.MAX_SAFE_INTEGER) delete o.maximum;
  for (const v of Object.values(o)) dropSafeIntegerBounds(v);
}

/** The feed as Server-Sent Events, under /api (served by apps/server/src/event-stream.ts). */
export const EVENT_STREAM_PATH = "/events/stream";

/**
 * The routes of the API (under /api) that the server serves itself rather than through a
 * procedure's REST route, each documented below by what it shares with a procedure. (/health,
 * /ready, /metrics, /openapi.json and /docs sit outside /api: they are not API operations.)
 */
export const SERVER_ROUTES = [
  { method: "GET", path: EVENT_STREAM_PATH, operationId: "events.stream", procedure: "events.list" },
] as const;

const STREAM_EXAMPLE = [
  "retry: 2000",
  "",
  "id: 1042",
  `data: {"id":"3f2b8c1d-9e4a-4b7c-8d6e-5f4a3b2c1d0e","sequence":1042,"type":"stock.low","createdAt":"2026-01-05T10:15:00.000Z","data":{"productId":"0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10","storeId":"store1","quantity":4,"reserved":1,"available":3,"minStock":5,"movementId":"5c0e8a2f-7b41-4f6d-8e93-1a2b3c4d5e6f"}}`,
  "",
  ": heartbeat",
  "",
  "",
].join("\n");

/**
 * GET /events/stream: the feed read again and again, so it takes the feed's query parameters
 * and answers the feed's errors (its first read is a feed read, refused before the stream
 * starts); what it adds is the Last-Event-ID header and the text/event-stream answer.
 */
function documentEventStream(paths: Record<string, Record<string, Json>>): void {
  const feed = paths["/events"]?.get;
  if (!feed) throw new Error("The event stream is documented from GET /events, which is missing");
  const parameters = structuredClone((feed.parameters ?? []) as Json[]);
  const limit = parameters.find((p) => p.in === "query" && p.name === "limit");
  if (limit) limit.description = "The most events the stream takes from the feed per read";
  parameters.push({
    name: "Last-Event-ID",
    in: "header",
    required: false,
    description:
      "The `id:` of the last frame received: resume after it. Browsers' EventSource sends it by itself when it reconnects. Takes the place of `after`, with the same rules.",
    schema: { type: "string", pattern: "^[0-9]{1,18}$" },
    example: "1041",
  });
  const responses = structuredClone(feed.responses as Record<string, Json>);
  for (const status of Object.keys(responses)) if (Number(status) < 400) delete responses[status];
  responses["200"] = {
    description:
      "The stream, open until the client closes it. It starts with `retry: 2000` (the milliseconds an EventSource waits before reconnecting), then sends each event as one frame: `id: <sequence>` on one line, `data: <the event as one line of JSON>` (an `Event`, as `GET /events` lists it) on the next, then a blank line. After STOCKROOM_EVENT_HEARTBEAT_MS (15 s) without events it sends the comment frame `: heartbeat`. New events are picked up every STOCKROOM_EVENT_STREAM_POLL_MS (250 ms). The server ends the stream when the key is revoked or loses its role, and when it shuts down: reconnect with Last-Event-ID to resume.",
    headers: headerRefs("X-Request-Id"),
    content: {
      "text/event-stream": {
        schema: { type: "string", description: "Server-Sent Events frames, UTF-8" },
        example: STREAM_EXAMPLE,
      },
    },
  };
  paths[EVENT_STREAM_PATH] = {
    get: {
      operationId: "events.stream",
      tags: feed.tags,
      summary: "The event feed, live (Server-Sent Events)",
      description:
        "Role viewer. The events of `GET /events` as Server-Sent Events, in the same order, with the same filters: from `after` (or Last-Event-ID), or from the oldest kept event. Bad parameters, a missing key or too low a role are refused with problem+json before the stream starts, as the feed refuses them.",
      security: feed.security,
      parameters,
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

/**
 * The OpenAPI 3.1 document, generated once at start from the procedures and then made
 * true to what the REST adapter really sends: 201/204 success codes, problem+json errors
 * from the error catalogue, the bearer scheme and the Idempotency-Key header.
 */
export function buildOpenApiDocument(options: { baseUrl: string; version: string }): OpenAPIObject {
  const doc = generateOpenApiDocument(createDocumentRouter(operations) as unknown as OpenApiRouter, {
    title: "Stockroom API",
    version: options.version,
    description:
      'Multi-store retail inventory. Every route needs `Authorization: Bearer <api key>`. Errors are RFC 9457 problem+json with a stable `code`.\n\nPaths are relative to the server URL `/api` (`servers: [{ url: "/api" }]`): `GET /products` is `GET http://localhost:8000/api/products` on a default local server. Every response carries `X-Request-Id`; every change (POST, PUT, DELETE) takes an optional `Idempotency-Key`.',
    baseUrl: options.baseUrl,
    securitySchemes: {
      bearerAuth: { type: "http", scheme: "bearer", description: "An API key, e.g. sk_live_…" },
    },
    tags: ["products", "stores", "inventory", "movements", "keys"],
  }) as unknown as Json;

  doc.components ??= {};
  const components = doc.components as Json;
  components.schemas ??= {};
  const schemas = components.schemas as Json;
  // trpc-to-openapi's own error schemas describe a JSON shape the REST layer never sends.
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  schemas.Problem = PROBLEM_SCHEMA;
  // Component schemas are answers (Product, StockLevel, …); request bodies are inline.
  dropSafeIntegerBounds(schemas);
  components.headers = HEADERS;

  const paths = doc.paths as Record<string, Record<string, Json>>;
  for (const route of restRoutes()) {
    const op = paths[route.path]?.[route.method.toLowerCase()];
    if (!op) continue;
    op.operationId = route.procedure;
    const body = (op.requestBody as Json | undefined)?.content as
      | Record<string, { schema?: Json }>
      | undefined;
    const bodySchema = body?.["application/json"]?.schema;
    if (bodySchema && !("$ref" in bodySchema)) {
      const rules = bodyRules(route.input);
      // The example of the whole input, less what travels in the path.
      if (rules.example)
        rules.example = Object.fromEntries(
          Object.entries(rules.example as Json).filter(([k]) => k in ((bodySchema.properties as Json) ?? {})),
        );
      Object.assign(bodySchema, rules);
    }
    const responses = op.responses as Record<string, Json>;
    const ok = responses["200"];
    for (const status of Object.keys(responses)) if (status !== "200") delete responses[status];
    if (ok && route.successStatus !== 200) {
      delete responses["200"];
      responses[String(route.successStatus)] =
        route.successStatus === 204 ? { description: "Done; no content" } : { ...ok, description: "Created" };
    }
    const success = responses[String(route.successStatus)];
    if (success)
      success.headers = headerRefs(
        "X-Request-Id",
        ...(route.type === "mutation" ? ["Idempotent-Replayed", "Write-Position"] : []),
      );
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of operationErrorCodes(route.operation)) {
      const status = ERROR_CATALOGUE[code].status;
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of byStatus)
      responses[String(status)] = problemResponse(status, codes, route.operation);
    dropSafeIntegerBounds(responses);
    op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    if (route.type === "query") {
      op.parameters ??= [];
      (op.parameters as Json[]).push({
        name: "Consistency",
        in: "header",
        required: false,
        description:
          route.operation.consistency === "strong"
            ? "This read always runs on the primary database, whatever the value. Any value other than `strong` or `eventual`: 400 VALIDATION_FAILED."
            : "`strong` reads the primary database. Without it (or with `eventual`), when the server has a read replica, this read may be served there, a little behind the latest changes (at most STOCKROOM_REPLICA_MAX_LAG_MS); a key that made a change on this server within STOCKROOM_READ_YOUR_WRITES_MS reads the primary anyway. Any other value: 400 VALIDATION_FAILED.",
        schema: { type: "string", enum: ["strong", "eventual"] },
        example: "strong",
      });
      (op.parameters as Json[]).push({
        name: "Read-After",
        in: "header",
        required: false,
        description:
          route.operation.consistency === "strong"
            ? "A `Write-Position` a change answered. This read always runs on the primary, which holds every committed change, so it is accepted and has no effect. Not a WAL position: 400 VALIDATION_FAILED."
            : "A `Write-Position` a change answered (the highest the client has seen). With a read replica, this read is served there only if the replica has replayed at least that far, else by the primary: it sees that change, whichever server process answers. Without a replica (or on PGlite) it is accepted and has no effect. Not a WAL position such as `16/B374D848`: 400 VALIDATION_FAILED.",
        schema: { type: "string", pattern: LSN_PATTERN },
        example: "16/B374D848",
      });
    }
    // The key is honoured on every change, PUT and DELETE as well as POST.
    if (route.type === "mutation") {
      op.parameters ??= [];
      const params = op.parameters as Json[];
      params.push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        description:
          "1..255 characters. The same key with the same request within 24 h answers the stored response again (header Idempotent-Replayed: true); with another request, 422 IDEMPOTENCY_KEY_REUSED.",
        schema: { type: "string", minLength: 1, maxLength: 255 },
        example: "import-2026-01-05-0001",
      });
    }
  }
  documentEventStream(paths);
  return doc as unknown as OpenAPIObject;
}
