export type { AppRouter } from "@stockroom/api";
export { createStockroomClient, type StockroomClient, type StockroomClientOptions } from "./client";
export {
  isStockroomError,
  StockroomError,
  type StockroomErrorCode,
  type StockroomErrorInit,
  type StockroomIssue,
} from "./errors";
export { PROCEDURES } from "./procedures";
export type { FetchLike, ProcedureKind } from "./request-sender";
export type { CallOptions, MutationOptions, RouterInputs, RouterOutputs } from "./types";
