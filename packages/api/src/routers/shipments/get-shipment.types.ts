import type { Meta } from "../../operation";
import { ZShipment, ZShipmentId } from "./shipment.types";

export const ZGetShipmentInput = ZShipmentId;
export const ZGetShipmentOutput = ZShipment;
export const getShipmentMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/shipments/{id}",
    tags: ["shipments"],
    summary: "Get a shipment",
    description: "With its lines (shipped, received, rejected, lost, in transit) and its receipts.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Shipment 3e9d2c7a-5b1f-4c8e-a6d0-7f2b9c4e1a53 not found",
  },
};
