import { z } from "zod";
import { ZTimestamp, ZUuid } from "../../schemas/common";

export const ZReason = z.enum(["received", "sold", "returned", "damaged", "lost", "correction", "other"]);
export const ZMovementKind = z.enum(["adjustment", "transfer_out", "transfer_in", "count"]);

export const LEVEL_EXAMPLE = {
  productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
  sku: "HAM-16",
  name: "Claw hammer 16 oz",
  category: "tools",
  price: 18.99,
  storeId: "store1",
  quantity: 42,
  reserved: 2,
  available: 40,
  minStock: 10,
  belowMin: false,
  incoming: 0,
  updatedAt: "2026-01-05T10:00:00.000Z",
};

export const ZStockLevel = z
  .object({
    productId: ZUuid,
    sku: z.string(),
    name: z.string(),
    category: z.string(),
    price: z.number(),
    storeId: z.string(),
    quantity: z.number().int().meta({ description: "Units on hand" }),
    reserved: z
      .number()
      .int()
      .meta({ description: "Units held by active, unexpired reservations (0 ≤ reserved ≤ quantity)" }),
    available: z.number().int().meta({
      description: "quantity − reserved: what adjustments, transfers and new reservations may take",
    }),
    minStock: z.number().int(),
    belowMin: z.boolean().meta({ description: "available < minStock" }),
    incoming: z.number().int().meta({
      description:
        "Units shipped towards this store and not yet received, rejected or written off (shipments in transit). Not on hand: not available, not in quantity.",
    }),
    updatedAt: ZTimestamp,
  })
  .meta({ id: "StockLevel", example: LEVEL_EXAMPLE });

export const ZMovement = z
  .object({
    id: ZUuid,
    productId: ZUuid,
    storeId: z.string(),
    kind: ZMovementKind,
    delta: z.number().int(),
    quantityAfter: z.number().int(),
    reason: z.string().nullable(),
    reference: z.string().nullable(),
    transferId: ZUuid.nullable(),
    reservationId: ZUuid.nullable().meta({ description: "The reservation a sale committed" }),
    shipmentId: ZUuid.nullable().meta({
      description:
        "The shipment that moved these units (transfer_out when shipped, transfer_in when received)",
    }),
    actor: z
      .string()
      .nullable()
      .meta({ description: "Id of the API key that made the change; null for seed data" }),
    createdAt: ZTimestamp,
  })
  .meta({
    id: "Movement",
    example: {
      id: "5c0e8a2f-7b41-4f6d-8e93-1a2b3c4d5e6f",
      productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
      storeId: "store1",
      kind: "adjustment",
      delta: -3,
      quantityAfter: 39,
      reason: "sold",
      reference: "receipt 2026-0142",
      transferId: null,
      reservationId: null,
      shipmentId: null,
      actor: "9d4b2c1a-6e5f-4a3b-8c7d-0e1f2a3b4c5d",
      createdAt: "2026-01-05T10:15:00.000Z",
    },
  });

export type TStockLevel = z.infer<typeof ZStockLevel>;
export type TMovement = z.infer<typeof ZMovement>;
export type TReason = z.infer<typeof ZReason>;
