import type { Meta } from "../../operation";
import { ZShipment, ZShipmentId } from "./shipment.types";

export const ZShipShipmentInput = ZShipmentId;
export const ZShipShipmentOutput = ZShipment;
export const shipShipmentMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/shipments/{id}/ship",
    tags: ["shipments"],
    summary: "Send a draft shipment",
    description:
      "Role clerk. Every line leaves the source's available stock (ledger transfer_out with shipmentId) and becomes the target's incoming, or none does: a short line is 409 INSUFFICIENT_STOCK naming the product.",
  },
  errors: ["NOT_FOUND", "INVALID_STATE", "INSUFFICIENT_STOCK"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 not found",
    INVALID_STATE:
      "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 is in_transit; ship needs a shipment that is draft",
    INSUFFICIENT_STOCK:
      "Insufficient stock in store warehouse. Available: 10, Required: 24 (product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10)",
  },
};
