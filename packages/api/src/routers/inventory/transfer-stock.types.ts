import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStoreId, ZTimestamp, ZUuid, zText } from "../../schemas/common";
import { ZMovement, ZStockLevel } from "./level.types";

export const ZTransferInput = z
  .strictObject({
    productId: ZUuid,
    sourceStoreId: ZStoreId,
    targetStoreId: ZStoreId,
    quantity: z
      .number()
      .int("Must be an integer")
      .min(1, "Must be at least 1")
      .max(1_000_000, "Must be at most 1000000"),
    reference: zText(1, 255).optional(),
  })
  .refine((v) => v.sourceStoreId !== v.targetStoreId, {
    message: "Must differ from sourceStoreId",
    path: ["targetStoreId"],
  });
export const ZTransferOutput = z
  .object({
    transferId: ZUuid,
    productId: ZUuid,
    sourceStoreId: z.string(),
    targetStoreId: z.string(),
    quantity: z.number().int(),
    reference: z.string().nullable(),
    createdAt: ZTimestamp,
    source: ZStockLevel,
    target: ZStockLevel,
    movements: z.array(ZMovement).meta({ description: "The two ledger legs: transfer_out, transfer_in" }),
  })
  .meta({ id: "Transfer" });
export const transferStockMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/inventory/transfer",
    tags: ["inventory"],
    summary: "Move stock between stores",
    description:
      "Role clerk. Atomic: both ledger legs commit or neither. Creates the target level if missing. Not enough stock at the source is 409 INSUFFICIENT_STOCK.",
  },
  errors: ["NOT_FOUND", "INSUFFICIENT_STOCK"],
  successStatus: 201,
};
