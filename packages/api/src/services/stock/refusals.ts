import type { OperationOutcome } from "@stockroom/db";
import { AppError, notFound } from "../../errors";

export const insufficient = (storeId: string, available: number, required: number) =>
  new AppError(
    "INSUFFICIENT_STOCK",
    `Insufficient stock in store ${storeId}. Available: ${available}, Required: ${required}`,
  );

export const stale = (storeId: string, expected: number, actual: number) =>
  new AppError(
    "STALE_QUANTITY",
    `The level in store ${storeId} is ${actual}, not the expected ${expected}; it changed meanwhile. Re-read and retry.`,
  );

/** The error a client sees for an operation stockroom_apply refused. */
export function refusalError(outcome: Extract<OperationOutcome, { applied: false }>): AppError {
  const { change, found } = outcome;
  switch (outcome.refusal) {
    case "no_product":
      return notFound("Product", change.productId);
    case "no_store":
      return notFound("Store", change.storeId);
    case "stale":
      return stale(change.storeId, change.expected ?? 0, found ?? 0);
    // Only a change that takes units can find too few (a count never goes below zero).
    case "insufficient":
      return insufficient(change.storeId, found ?? 0, -(change.delta ?? 0));
  }
}
