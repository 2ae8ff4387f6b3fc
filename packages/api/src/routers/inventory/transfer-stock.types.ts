import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStoreId, ZTimestamp, ZUuid, zText } from "../../schemas/common";
import { LEVEL_EXAMPLE, ZMovement, ZStockLevel } from "./level.types";

const TRANSFER_LEG = {
  productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
  reason: null,
  reference: "restock 2026-W02",
  transferId: "3e7a1b2c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
  actor: "9d4b2c1a-6e5f-4a3b-8c7d-0e1f2a3b4c5d",
  createdAt: "2026-01-05T10:20:00.000Z",
};

export const ZTransferInput = z
  .strictObject({
    productId: ZUuid,
    sourceStoreId: ZStoreId,
    targetStoreId: ZStoreId.meta({ description: "Must differ from sourceStoreId", example: "store2" }),
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
  })
  .meta({
    example: {
      productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
      sourceStoreId: "store1",
      targetStoreId: "store2",
      quantity: 5,
      reference: "restock 2026-W02",
    },
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
  .meta({
    id: "Transfer",
    example: {
      transferId: "3e7a1b2c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
      productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
      sourceStoreId: "store1",
      targetStoreId: "store2",
      quantity: 5,
      reference: "restock 2026-W02",
      createdAt: "2026-01-05T10:20:00.000Z",
      source: { ...LEVEL_EXAMPLE, storeId: "store1", quantity: 37, updatedAt: "2026-01-05T10:20:00.000Z" },
      target: { ...LEVEL_EXAMPLE, storeId: "store2", quantity: 12, updatedAt: "2026-01-05T10:20:00.000Z" },
      movements: [
        {
          ...TRANSFER_LEG,
          id: "6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
          storeId: "store1",
          kind: "transfer_out",
          delta: -5,
          quantityAfter: 37,
        },
        {
          ...TRANSFER_LEG,
          id: "7b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e",
          storeId: "store2",
          kind: "transfer_in",
          delta: 5,
          quantityAfter: 12,
        },
      ],
    },
  });
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
  errorExamples: {
    VALIDATION_FAILED: "targetStoreId: Must differ from sourceStoreId",
    NOT_FOUND: "Store store2 not found",
  },
  successStatus: 201,
};
