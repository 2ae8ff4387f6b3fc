import { z } from "zod";
import { ZStoreId, ZTimestamp, ZUuid, zText } from "../../schemas/common";

export const SHIPMENT_STATUSES = [
  "draft",
  "in_transit",
  "partially_received",
  "received",
  "cancelled",
  "closed",
] as const;
export const ZShipmentStatus = z.enum(SHIPMENT_STATUSES).meta({
  description:
    "draft → in_transit → partially_received → received; draft → cancelled; in_transit | partially_received → closed (what is still in transit is written off as lost).",
});

export const SHIPMENT_ID = "3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53";
const PRODUCT_ID = "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10";

export const SHIPMENT_EXAMPLE = {
  id: SHIPMENT_ID,
  sourceStoreId: "warehouse",
  targetStoreId: "store1",
  status: "partially_received",
  lines: [{ productId: PRODUCT_ID, quantity: 24, received: 20, rejected: 1, lost: 0, inTransit: 3 }],
  receipts: [
    {
      receiptId: "dock-2026-01-06-07",
      lines: [{ productId: PRODUCT_ID, accepted: 20, rejected: 1, reason: "damaged" }],
      createdAt: "2026-01-06T07:30:00.000Z",
    },
  ],
  reference: "truck 17",
  closeReason: null,
  createdAt: "2026-01-05T10:00:00.000Z",
  shippedAt: "2026-01-05T16:00:00.000Z",
  closedAt: null,
  updatedAt: "2026-01-06T07:30:00.000Z",
};

const units = (description: string) => z.number().int().meta({ description });

export const ZShipmentLine = z.object({
  productId: ZUuid,
  quantity: units("Units shipped"),
  received: units("Units accepted into the target's on hand"),
  rejected: units("Units refused at the dock; they left the system (see the receipts for the reasons)"),
  lost: units("Units written off when the shipment was closed with them still in transit"),
  inTransit: units(
    "quantity − received − rejected − lost once shipped (0 for a draft or cancelled shipment); they count in the target level's incoming",
  ),
});

export const ZReceiptLine = z.object({
  productId: ZUuid,
  accepted: z.number().int(),
  rejected: z.number().int(),
  reason: z.string().nullable(),
});

export const ZShipmentReceipt = z.object({
  receiptId: z.string(),
  lines: z.array(ZReceiptLine),
  createdAt: ZTimestamp,
});

export const ZShipment = z
  .object({
    id: ZUuid,
    sourceStoreId: z.string(),
    targetStoreId: z.string(),
    status: ZShipmentStatus,
    lines: z.array(ZShipmentLine),
    receipts: z.array(ZShipmentReceipt).meta({ description: "The receipts recorded, oldest first" }),
    reference: z.string().nullable(),
    closeReason: z
      .string()
      .nullable()
      .meta({ description: "Why the shipment was closed; null unless closed" }),
    createdAt: ZTimestamp,
    shippedAt: ZTimestamp.nullable(),
    closedAt: ZTimestamp.nullable().meta({ description: "When it was closed or cancelled" }),
    updatedAt: ZTimestamp,
  })
  .meta({ id: "Shipment", example: SHIPMENT_EXAMPLE });

export const ZShipmentId = z.strictObject({ id: ZUuid });

/** Reasons and references: printable text. */
export const ZShipmentText = zText(1, 255);

export { ZStoreId };
export type TShipment = z.infer<typeof ZShipment>;
export type TShipmentStatus = z.infer<typeof ZShipmentStatus>;
export type TReceiptLine = z.infer<typeof ZReceiptLine>;

/**
 * Lines naming each product once: a duplicate is refused naming its path (JSON Schema cannot
 * say "distinct by productId", so the description says it).
 */
export const distinctProducts = <T extends { productId: string }>(lines: T[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    if (seen.has(l.productId))
      ctx.addIssue({
        code: "custom",
        path: [i, "productId"],
        message: `Product ${l.productId} is named twice; give each product one line`,
      });
    seen.add(l.productId);
  });
};
