import type { Meta } from "../../operation";
import { ZReservation, ZReservationId } from "./reservation.types";

export const ZReleaseReservationInput = ZReservationId;
export const ZReleaseReservationOutput = ZReservation;
export const releaseReservationMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/reservations/{id}/release",
    tags: ["reservations"],
    summary: "Give a reservation's units back",
    description: "Role clerk. The held units become available again.",
  },
  errors: ["NOT_FOUND", "RESERVATION_NOT_ACTIVE"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d not found",
    RESERVATION_NOT_ACTIVE: "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d is committed",
  },
};
