import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStoreId, ZUuid, zText } from "../../schemas/common";
import { ZMovement, ZReason, ZStockLevel } from "./level.types";

export const ZAdjustInput = z
  .strictObject({
    productId: ZUuid,
    storeId: ZStoreId,
    delta: z
      .number()
      .int("Must be an integer")
      .min(-1_000_000, "Must be at least -1000000")
      .max(1_000_000, "Must be at most 1000000")
      .refine((d) => d !== 0, "Must not be zero")
      .meta({ not: { const: 0 }, example: -3 }),
    reason: ZReason,
    reference: zText(1, 255).optional(),
    expectedQuantity: z
      .number()
      .int()
      .min(0)
      .max(1_000_000_000)
      .optional()
      .meta({ description: "Compare-and-swap: refused with STALE_QUANTITY if the level is not this." }),
  })
  .meta({
    example: {
      productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
      storeId: "store1",
      delta: -3,
      reason: "sold",
      reference: "receipt 2026-0142",
    },
  });
export const ZAdjustOutput = z.object({ movement: ZMovement, level: ZStockLevel });
export const adjustStockMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/inventory/adjustments",
    tags: ["inventory"],
    summary: "Adjust a stock level",
    description:
      "Role clerk. A signed delta with a reason. Going below zero is 409 INSUFFICIENT_STOCK; a moved level with `expectedQuantity` is 409 STALE_QUANTITY.",
  },
  errors: ["NOT_FOUND", "INSUFFICIENT_STOCK", "STALE_QUANTITY"],
  errorExamples: {
    VALIDATION_FAILED: "delta: Must not be zero",
    NOT_FOUND: "Product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10 not found",
  },
  successStatus: 201,
};
