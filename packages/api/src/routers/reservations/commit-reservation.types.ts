import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";
import { ZReservation, ZUnitsLine } from "./reservation.types";

export const ZCommitReservationInput = z
  .strictObject({
    id: ZUuid,
    lines: z
      .array(ZUnitsLine)
      .min(1, "Must have at least 1 line")
      .max(100, "Must have at most 100 lines")
      .optional()
      .meta({
        description:
          "Units to sell per product, at most what is held (422 OVER_COMMIT otherwise); products left out sell none. Omitted: sell everything held. What is not sold is released.",
      }),
  })
  .meta({ example: { lines: [{ productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10", quantity: 1 }] } });
export const ZCommitReservationOutput = ZReservation;
export const commitReservationMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/reservations/{id}/commit",
    tags: ["reservations"],
    summary: "Sell what a reservation holds",
    description:
      "Role clerk. Each line leaves on hand with a ledger row (kind adjustment, reason sold, reservationId set). Exactly one of commit, release and expiry wins; the others answer 409 RESERVATION_NOT_ACTIVE.",
  },
  errors: ["NOT_FOUND", "RESERVATION_NOT_ACTIVE", "OVER_COMMIT"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d not found",
    RESERVATION_NOT_ACTIVE: "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d is committed",
    OVER_COMMIT:
      "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d holds 2 units of product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10; cannot commit 3",
  },
};
