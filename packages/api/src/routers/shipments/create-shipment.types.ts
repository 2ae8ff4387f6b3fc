import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUnitsLine } from "../reservations/reservation.types";
import { distinctProducts, ZShipment, ZShipmentText, ZStoreId } from "./shipment.types";

export const ZCreateShipmentInput = z
  .strictObject({
    sourceStoreId: ZStoreId,
    targetStoreId: ZStoreId.meta({ description: "Must differ from sourceStoreId", example: "store1" }),
    lines: z
      .array(ZUnitsLine)
      .min(1, "Must have at least 1 line")
      .max(500, "Must have at most 500 lines")
      .superRefine(distinctProducts)
      .meta({ description: "One line per product (a product named twice is 400)." }),
    reference: ZShipmentText.meta({
      description: "Your delivery note or truck",
      example: "truck 17",
    }).optional(),
  })
  .meta({
    example: {
      sourceStoreId: "warehouse",
      targetStoreId: "store1",
      lines: [{ productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10", quantity: 24 }],
      reference: "truck 17",
    },
  });
export const ZCreateShipmentOutput = ZShipment;
export const createShipmentMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/shipments",
    tags: ["shipments"],
    summary: "Draft a shipment between two stores",
    description:
      "Role clerk. A draft names what will leave; it holds nothing until it is shipped. For a move that is done in one step, POST /inventory/transfer.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "lines: Must have at least 1 line",
    NOT_FOUND: "Store warehouse not found",
  },
  successStatus: 201,
};
