import type { Meta } from "../../operation";
import { ZReservation, ZReservationId } from "./reservation.types";

export const ZGetReservationInput = ZReservationId;
export const ZGetReservationOutput = ZReservation;
export const getReservationMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/reservations/{id}",
    tags: ["reservations"],
    summary: "Get a reservation",
    description: "An active reservation whose expiresAt has passed reads as expired.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d not found",
  },
};
