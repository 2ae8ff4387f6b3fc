import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";
import { ZReservation, ZTtlSeconds } from "./reservation.types";

export const ZExtendReservationInput = z
  .strictObject({ id: ZUuid, ttlSeconds: ZTtlSeconds })
  .meta({ example: { ttlSeconds: 900 } });
export const ZExtendReservationOutput = ZReservation;
export const extendReservationMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/reservations/{id}/extend",
    tags: ["reservations"],
    summary: "Keep a reservation longer",
    description:
      "Role clerk. The reservation now expires `ttlSeconds` from now. An expired one cannot be extended.",
  },
  errors: ["NOT_FOUND", "RESERVATION_NOT_ACTIVE"],
  errorExamples: {
    VALIDATION_FAILED: "ttlSeconds: Must be at most 86400",
    NOT_FOUND: "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d not found",
    RESERVATION_NOT_ACTIVE:
      "Reservation 7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d expired at 2026-01-05T10:15:00.000Z; it holds nothing",
  },
};
