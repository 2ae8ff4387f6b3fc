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

export const belowReserved = (storeId: string, reserved: number, counted: number) =>
  new AppError(
    "BELOW_RESERVED",
    `Cannot count ${counted} units in store ${storeId}: ${reserved} are reserved. Release or commit reservations first.`,
  );

/** Moves between stores (transfers, shipments) name two different stores. */
export function assertDistinctStores(sourceStoreId: string, targetStoreId: string) {
  if (sourceStoreId === targetStoreId)
    throw new AppError("VALIDATION_FAILED", "sourceStoreId and targetStoreId must differ", {
      issues: [{ path: "targetStoreId", message: "Must differ from sourceStoreId" }],
    });
}

export const overReceipt = (storeId: string, productId: string, inTransit: number, asked: number) =>
  new AppError(
    "OVER_RECEIPT",
    `Only ${inTransit} units of product ${productId} are in transit to store ${storeId}; cannot take ${asked} out of transit`,
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
    case "reserved":
      return belowReserved(change.storeId, found ?? 0, change.count ?? 0);
    // A change that takes units, or holds them (a reservation), can find too few available.
    // Operations of many products (reservations, shipments) name the product that was short.
    case "insufficient": {
      const required = change.hold === "take" ? (change.units ?? 0) : -(change.delta ?? 0);
      const error = insufficient(change.storeId, found ?? 0, required);
      return change.hold === "take" || change.shipmentId
        ? new AppError("INSUFFICIENT_STOCK", `${error.detail} (product ${change.productId})`)
        : error;
    }
    // Units leaving transit that are not on their way (the shipment checks its lines first,
    // under its row lock, so this is the level's own guard).
    case "transit":
      return overReceipt(change.storeId, change.productId, found ?? 0, -(change.transit ?? 0));
    // A transition found its line closed: a write on the level saw the reservation expire.
    case "not_held":
      return new AppError(
        "RESERVATION_NOT_ACTIVE",
        `Reservation ${change.reservationId} expired; it holds nothing`,
      );
  }
}
