import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStoreId } from "../../schemas/common";
import { ZReference, ZReservation, ZTtlSeconds, ZUnitsLine } from "./reservation.types";

export const ZCreateReservationInput = z
  .strictObject({
    storeId: ZStoreId,
    lines: z
      .array(ZUnitsLine)
      .min(1, "Must have at least 1 line")
      .max(100, "Must have at most 100 lines")
      .meta({ description: "Lines naming the same product are summed before the check." }),
    ttlSeconds: ZTtlSeconds.default(900),
    reference: ZReference.meta({ description: "Your cart or order id", example: "cart 8812" }).optional(),
  })
  .meta({
    example: {
      storeId: "store1",
      lines: [{ productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10", quantity: 2 }],
      ttlSeconds: 900,
      reference: "cart 8812",
    },
  });
export const ZCreateReservationOutput = ZReservation;
export const createReservationMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/reservations",
    tags: ["reservations"],
    summary: "Hold stock for a cart or an order",
    description:
      "Role clerk. Holds every line's units in one store, or none: a line short of available units (on hand less reserved) is 409 INSUFFICIENT_STOCK naming the store and product. The units stay on hand but stop being available until the reservation is committed, released or expires (`ttlSeconds`, default 900).",
  },
  errors: ["NOT_FOUND", "INSUFFICIENT_STOCK"],
  errorExamples: {
    VALIDATION_FAILED: "lines: Must have at least 1 line",
    NOT_FOUND: "Store store1 not found",
    INSUFFICIENT_STOCK:
      "Insufficient stock in store store1. Available: 1, Required: 2 (product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10)",
  },
  successStatus: 201,
};
