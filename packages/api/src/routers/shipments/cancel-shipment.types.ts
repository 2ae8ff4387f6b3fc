import type { Meta } from "../../operation";
import { ZShipment, ZShipmentId } from "./shipment.types";

export const ZCancelShipmentInput = ZShipmentId;
export const ZCancelShipmentOutput = ZShipment;
export const cancelShipmentMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/shipments/{id}/cancel",
    tags: ["shipments"],
    summary: "Cancel a draft shipment",
    description:
      "Role clerk. Only a draft can be cancelled (nothing has moved); a shipment on its way is closed instead.",
  },
  errors: ["NOT_FOUND", "INVALID_STATE"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 not found",
    INVALID_STATE:
      "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 is in_transit; cancel needs a shipment that is draft",
  },
};
