import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";
import { distinctProducts, ZShipment, ZShipmentText } from "./shipment.types";

const units = (description: string) =>
  z
    .number()
    .int("Must be an integer")
    .min(0, "Must be at least 0")
    .max(1_000_000, "Must be at most 1000000")
    .meta({ description });

export const ZReceiveLine = z.strictObject({
  productId: ZUuid,
  accepted: units("Units that join the target's on hand (ledger transfer_in)"),
  rejected: units("Units refused at the dock: they leave the system, recorded with the reason").default(0),
  reason: ZShipmentText.meta({ description: "Why units were rejected", example: "damaged" }).optional(),
});

export const ZReceiveShipmentInput = z
  .strictObject({
    id: ZUuid,
    receiptId: ZShipmentText.meta({
      description:
        "Your id of this delivery (dock scan, delivery note). The same receiptId again answers what the first receipt answered and changes nothing; with different lines it is 422 IDEMPOTENCY_KEY_REUSED.",
      example: "dock-2026-01-06-07",
    }),
    lines: z
      .array(ZReceiveLine)
      .min(1, "Must have at least 1 line")
      .max(500, "Must have at most 500 lines")
      .superRefine(distinctProducts)
      .meta({
        description:
          "One line per product (a product named twice is 400); products left out receive nothing.",
      }),
  })
  .meta({
    example: {
      receiptId: "dock-2026-01-06-07",
      lines: [
        { productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10", accepted: 20, rejected: 1, reason: "damaged" },
      ],
    },
  });
export const ZReceiveShipmentOutput = ZShipment;
export const receiveShipmentMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/shipments/{id}/receive",
    tags: ["shipments"],
    summary: "Book a delivery of a shipment",
    description:
      "Role clerk. Accepted units join the target's on hand (ledger transfer_in with shipmentId); rejected ones leave the system and are recorded on the line and the receipt with the reason; both leave the target's incoming. accepted + rejected may not exceed what is still in transit on the line (422 OVER_RECEIPT), even when receipts race. The shipment turns partially_received, then received when nothing is left in transit.",
  },
  errors: ["NOT_FOUND", "INVALID_STATE", "OVER_RECEIPT"],
  errorExamples: {
    VALIDATION_FAILED: "receiptId: Must not be empty",
    NOT_FOUND: "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 not found",
    INVALID_STATE:
      "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 is draft; receive needs a shipment that is in_transit, partially_received or received",
    OVER_RECEIPT:
      "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 has 3 units of product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10 in transit; cannot accept 4 and reject 0",
  },
};
