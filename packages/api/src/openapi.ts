import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";
import { ERROR_CATALOGUE, type ErrorCode } from "./errors";
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
  RATE_LIMITED: "Too many requests for this API key; retry after 1 s",
  UNAVAILABLE: "The database is unreachable; retry shortly",
  INTERNAL: "An unexpected error occurred; it has been logged",
};

function problemResponse(status: number): Json {
  const codes = (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter(
    (c) => ERROR_CATALOGUE[c].status === status,
  );
  const examples = Object.fromEntries(
    codes.map((code) => [
      code,
      {
        value: {
          type: `https://stockroom.dev/errors/${code.toLowerCase().replaceAll("_", "-")}`,
          title: ERROR_CATALOGUE[code].title,
          status,
          detail: EXAMPLE_DETAIL[code] ?? ERROR_CATALOGUE[code].title,
          code,
          requestId: "req_5f2c9a",
        },
      },
    ]),
  );
  return {
    description: `${codes.join(", ")}`,
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" }, examples } },
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
      "Multi-store retail inventory. Every route needs `Authorization: Bearer <api key>`. Errors are RFC 9457 problem+json with a stable `code`.",
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

  const paths = doc.paths as Record<string, Record<string, Json>>;
  for (const route of restRoutes()) {
    const op = paths[route.path]?.[route.method.toLowerCase()];
    if (!op) continue;
    op.operationId = route.procedure;
    const responses = op.responses as Record<string, Json>;
    const ok = responses["200"];
    if (ok && route.successStatus !== 200) {
      delete responses["200"];
      responses[String(route.successStatus)] =
        route.successStatus === 204 ? { description: "Done; no content" } : { ...ok, description: "Created" };
    }
    // A body that is not JSON is refused with 415 before the procedure sees it.
    if (route.method === "POST" || route.method === "PUT" || route.method === "PATCH") responses["415"] = {};
    for (const status of Object.keys(responses)) {
      if (Number(status) >= 400) responses[status] = problemResponse(Number(status));
    }
    op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    if (route.method === "POST") {
      op.parameters ??= [];
      const params = op.parameters as Json[];
      params.push({
        name: "Idempotency-Key",
        in: "header",
        required: false,
        description:
          "1..255 characters. The same key with the same body within 24 h answers the stored response again (header Idempotent-Replayed: true); with another body, 422 IDEMPOTENCY_KEY_REUSED.",
        schema: { type: "string", minLength: 1, maxLength: 255 },
      });
    }
  }
  return doc as unknown as OpenAPIObject;
}
