import { z } from "zod";
import type { Meta } from "../../operation";
import { ZOffsetPage, ZPaging, ZStoreId } from "../../schemas/common";
import { ZReference, ZReservation, ZReservationStatus } from "./reservation.types";

export const ZListReservationsInput = z
  .strictObject({
    storeId: ZStoreId.optional(),
    status: ZReservationStatus.optional(),
    reference: ZReference.meta({ example: "cart 8812" }).optional(),
    ...ZPaging,
  })
  .default({ limit: 20, offset: 0 });
export const ZListReservationsOutput = ZOffsetPage(ZReservation);
export const listReservationsMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/reservations",
    tags: ["reservations"],
    summary: "List reservations",
    description: "Newest first. `status=expired` includes active reservations whose expiry has passed.",
  },
  errors: [],
  errorExamples: {
    VALIDATION_FAILED: 'status: Invalid option: expected one of "active"|"committed"|"released"|"expired"',
  },
};
