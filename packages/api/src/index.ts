export * from "./context";
export * from "./errors";
export { coerceQuery } from "./lib/coerce-query";
export { buildOpenApiDocument } from "./openapi";
export { type RestRoute, restRoutes } from "./rest-routes";
export { type AppRouter, appRouter } from "./router";
export { createFirstKeyIfNone, ensureBootstrapKey, generateSecret, KeyAuthenticator } from "./services/auth";
export { purgeExpiredIdempotencyKeys } from "./services/idempotency";
export { createCallerFactory, type DirectProcedure, directProcedure, type Meta } from "./trpc";
