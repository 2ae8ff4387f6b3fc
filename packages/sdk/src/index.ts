export type { AppRouter } from "@stockroom/api";
export { createStockroomClient, type StockroomClient, type StockroomClientOptions } from "./client";
export {
  isStockroomError,
  StockroomError,
  type StockroomErrorCode,
  type StockroomErrorInit,
  type StockroomIssue,
} from "./errors";
export {
  type EventStreamOptions,
  type EventStreamQuery,
  type StockroomEvent,
  type StockroomEventOf,
  type StockroomEventType,
  streamEvents,
} from "./events";
export type { FetchLike, ProcedureKind } from "./options";
export { PROCEDURES } from "./procedures";
export type { CallOptions, MutationOptions, RouterInputs, RouterOutputs } from "./types";
export { type VerifyWebhookOptions, verifyWebhook, WebhookVerificationError } from "./webhooks";
