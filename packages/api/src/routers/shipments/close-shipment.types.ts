import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";
import { ZShipment, ZShipmentText } from "./shipment.types";

export const ZCloseShipmentInput = z
  .strictObject({
    id: ZUuid,
    reason: ZShipmentText.meta({
      description: "Why it is closed (recorded on the shipment)",
      example: "lost in transit",
    }),
  })
  .meta({ example: { reason: "lost in transit" } });
export const ZCloseShipmentOutput = ZShipment;
export const closeShipmentMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/shipments/{id}/close",
    tags: ["shipments"],
    summary: "Close a shipment, writing off what is still in transit",
    description:
      "Role clerk. Units still in transit are written off as lost (recorded on each line); they leave the target's incoming. Received units stay received.",
  },
  errors: ["NOT_FOUND", "INVALID_STATE"],
  errorExamples: {
    VALIDATION_FAILED: "reason: Must not be empty",
    NOT_FOUND: "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 not found",
    INVALID_STATE:
      "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 is draft; close needs a shipment that is in_transit or partially_received",
  },
};
