import { z } from "zod";
import { ZStoreId, ZTimestamp, ZUuid, zText } from "../../schemas/common";

export const RESERVATION_STATUSES = ["active", "committed", "released", "expired"] as const;
export const ZReservationStatus = z.enum(RESERVATION_STATUSES);

export const RESERVATION_EXAMPLE = {
  id: "7a1c9e4b-2d3f-4a5b-8c6d-9e0f1a2b3c4d",
  storeId: "store1",
  status: "active",
  lines: [{ productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10", quantity: 2, committed: null }],
  reference: "cart 8812",
  expiresAt: "2026-01-05T10:15:00.000Z",
  createdAt: "2026-01-05T10:00:00.000Z",
  updatedAt: "2026-01-05T10:00:00.000Z",
};

export const ZReservationLine = z.object({
  productId: ZUuid,
  quantity: z
    .number()
    .int()
    .meta({ description: "Units held (summed over the request's lines naming this product)" }),
  committed: z
    .number()
    .int()
    .nullable()
    .meta({ description: "Units sold by the commit; null until the reservation is committed" }),
});

export const ZReservation = z
  .object({
    id: ZUuid,
    storeId: z.string(),
    status: ZReservationStatus.meta({
      description:
        "active → committed | released | expired. From expiresAt on a reservation reads as expired and holds nothing.",
    }),
    lines: z.array(ZReservationLine),
    reference: z.string().nullable(),
    expiresAt: ZTimestamp,
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .meta({ id: "Reservation", example: RESERVATION_EXAMPLE });

/** Units of one product in a request (lines naming the same product are summed). */
export const ZUnitsLine = z.strictObject({
  productId: ZUuid,
  quantity: z
    .number()
    .int("Must be an integer")
    .min(1, "Must be at least 1")
    .max(1_000_000, "Must be at most 1000000"),
});

export const ZTtlSeconds = z
  .number()
  .int("Must be an integer")
  .min(1, "Must be at least 1")
  .max(86_400, "Must be at most 86400")
  .meta({ description: "Seconds from now until the reservation expires", example: 900 });

export const ZReservationId = z.strictObject({ id: ZUuid });

export const ZReference = zText(1, 255);

export { ZStoreId };
export type TReservation = z.infer<typeof ZReservation>;
export type TReservationStatus = z.infer<typeof ZReservationStatus>;
