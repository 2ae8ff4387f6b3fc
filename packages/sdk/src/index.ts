export type { AppRouter } from "@stockroom/api";
export { createStockroomClient, type StockroomClient, type StockroomClientOptions } from "./client";
export {
  isStockroomError,
  StockroomError,
  type StockroomErrorCode,
  type StockroomErrorInit,
  type StockroomIssue,
} from "./errors";
export type { FetchLike, ProcedureKind } from "./options";
export { PROCEDURES } from "./procedures";
export type { CallOptions, MutationOptions, RouterInputs, RouterOutputs } from "./types";
