import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStoreId, ZUuid } from "../../schemas/common";
import { ZStockLevel } from "./level.types";

const count = z.number().int("Must be an integer").min(0, "Must be at least 0").max(1_000_000_000);

export const ZSetLevelInput = z
  .strictObject({
    storeId: ZStoreId,
    productId: ZUuid,
    minStock: count.optional(),
    quantity: count.optional().meta({
      description:
        "A stock count: the ledger records the difference (kind `count`). Below the units reserved it is 409 BELOW_RESERVED.",
    }),
    expectedQuantity: count
      .optional()
      .meta({ description: "Compare-and-swap: refused with STALE_QUANTITY if the level is not this." }),
  })
  .refine((v) => v.minStock !== undefined || v.quantity !== undefined, {
    message: "Give minStock, quantity or both",
    path: ["quantity"],
  })
  .meta({
    anyOf: [{ required: ["minStock"] }, { required: ["quantity"] }],
    example: {
      storeId: "store1",
      productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
      minStock: 10,
      quantity: 42,
    },
  });
export const ZSetLevelOutput = ZStockLevel;
export const setLevelMeta: Meta = {
  openapi: {
    method: "PUT",
    path: "/stores/{storeId}/inventory/{productId}",
    tags: ["inventory"],
    summary: "Set a minimum and/or record a stock count",
    description:
      "Role manager. Creates the level if missing. Setting `quantity` writes a ledger row of kind `count` with the computed delta.",
  },
  errors: ["NOT_FOUND", "STALE_QUANTITY", "BELOW_RESERVED"],
  errorExamples: {
    BELOW_RESERVED:
      "Cannot count 3 units in store store1: 5 are reserved. Release or commit reservations first.",
    VALIDATION_FAILED: "quantity: Give minStock, quantity or both",
    NOT_FOUND: "Product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10 not found",
  },
};
