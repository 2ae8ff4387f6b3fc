import type { AnyProcedure } from "@trpc/server";
import type { z } from "zod";
import { appRouter } from "./router";
import type { Meta } from "./trpc";

export interface RestRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** OpenAPI path under /api, e.g. /products/{id} */
  path: string;
  /** tRPC path, e.g. products.get */
  procedure: string;
  type: "query" | "mutation";
  successStatus: number;
  input: z.ZodType | undefined;
}

/** Every procedure that has a REST route, static paths before parameterised ones. */
export function restRoutes(): RestRoute[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  const routes: RestRoute[] = [];
  for (const [name, proc] of Object.entries(procedures)) {
    const def = proc._def as unknown as { meta?: Meta; inputs: z.ZodType[]; type: "query" | "mutation" };
    const openapi = def.meta?.openapi;
    if (!openapi) continue;
    routes.push({
      method: openapi.method,
      path: openapi.path,
      procedure: name,
      type: def.type,
      successStatus: def.meta?.successStatus ?? 200,
      input: def.inputs[0],
    });
  }
  const dynamic = (p: string) => (p.match(/\{/g) ?? []).length;
  return routes.sort((a, b) => dynamic(a.path) - dynamic(b.path) || a.path.localeCompare(b.path));
}
