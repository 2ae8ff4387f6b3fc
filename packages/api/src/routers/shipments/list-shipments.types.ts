import { z } from "zod";
import type { Meta } from "../../operation";
import { ZOffsetPage, ZPaging, ZUuid } from "../../schemas/common";
import { ZShipment, ZShipmentStatus, ZShipmentText, ZStoreId } from "./shipment.types";

export const ZListShipmentsInput = z
  .strictObject({
    sourceStoreId: ZStoreId.meta({ example: "warehouse" }).optional(),
    targetStoreId: ZStoreId.optional(),
    status: ZShipmentStatus.optional(),
    productId: ZUuid.meta({ description: "Shipments with a line of this product" }).optional(),
    reference: ZShipmentText.meta({ example: "truck 17" }).optional(),
    ...ZPaging,
  })
  .default({ limit: 20, offset: 0 });
export const ZListShipmentsOutput = ZOffsetPage(ZShipment);
export const listShipmentsMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/shipments",
    tags: ["shipments"],
    summary: "List shipments",
    description: "Newest first.",
  },
  errors: [],
  errorExamples: {
    VALIDATION_FAILED:
      'status: Invalid option: expected one of "draft"|"in_transit"|"partially_received"|"received"|"cancelled"|"closed"',
  },
};
