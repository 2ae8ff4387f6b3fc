export * from "./context";
export * from "./errors";
export { coerceQuery } from "./lib/coerce-query";
export {
  buildOpenApiDocument,
  EVENT_STREAM_PATH,
  operationErrorCodes,
  SERVER_ROUTES,
} from "./openapi";
export {
  type AnyOperation,
  defineOperation,
  type Meta,
  type Operation,
  type OperationKind,
} from "./operation";
export { operations } from "./operations";
export { READ_AFTER_HEADER, ReadRouting, WRITE_POSITION_HEADER } from "./read-routing";
export { type RestRoute, restRoutes } from "./rest-routes";
export { type AppRouter, appRouter } from "./router";
export {
  EVENT_TYPES,
  type TEvent,
  type TEventType,
  ZEvent,
} from "./routers/events/event.types";
export { runOperation } from "./runner";
export { createFirstKeyIfNone, ensureBootstrapKey, generateSecret, KeyAuthenticator } from "./services/auth";
export { type EventFeedInput, listEvents, readEvents, toEvent } from "./services/events";
export { purgeExpiredIdempotencyKeys } from "./services/idempotency";
export {
  commitOperation,
  type Placeholder,
  RESERVATION_SQL,
  takeOperation,
} from "./services/reservation-sql";
export { expireDueReservations } from "./services/reservations";
export { DEFAULT_WRITE_BATCHING, type WriteBatching } from "./services/stock";
export {
  ATTEMPT_TIMEOUT_MS,
  DEFAULT_LEASE_MS,
  type DeliveryOptions,
  deliverWebhooks,
  INTERRUPTED_ATTEMPT,
  MIN_LEASE_MS,
  outboxStatus,
  RETRY_SCHEDULE_S,
  retryDelayMs,
  signWebhook,
} from "./services/webhook-delivery";
export { createCallerFactory } from "./trpc";
