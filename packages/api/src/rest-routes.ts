import type { z } from "zod";
import type { AnyOperation } from "./operation";
import { operations } from "./operations";

export interface RestRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI path under /api, e.g. /products/{id} */
  path: string;
  /** Operation name (the tRPC path), e.g. products.get */
  procedure: string;
  type: "query" | "mutation";
  operation: AnyOperation;
  successStatus: number;
  input: z.ZodType;
}

/** Every operation that has a REST route, static paths before parameterised ones. */
export function restRoutes(): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const op of operations as readonly AnyOperation[]) {
    const openapi = op.meta.openapi;
    if (!openapi) continue;
    routes.push({
      method: openapi.method,
      path: openapi.path,
      procedure: op.name,
      type: op.kind === "read" ? "query" : "mutation",
      operation: op,
      successStatus: op.meta.successStatus ?? 200,
      input: op.input,
    });
  }
  const dynamic = (p: string) => (p.match(/\{/g) ?? []).length;
  return routes.sort((a, b) => dynamic(a.path) - dynamic(b.path) || a.path.localeCompare(b.path));
}
