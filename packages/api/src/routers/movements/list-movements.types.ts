import { z } from "zod";
import type { Meta } from "../../operation";
import { ZCursorPage, ZStoreId, ZTimestamp, ZUuid } from "../../schemas/common";
import { ZMovement, ZMovementKind } from "../inventory/level.types";

export const ZMovementListInput = z
  .strictObject({
    productId: ZUuid.optional(),
    storeId: ZStoreId.optional(),
    kind: ZMovementKind.optional(),
    transferId: ZUuid.optional(),
    reservationId: ZUuid.optional(),
    shipmentId: ZUuid.optional(),
    since: ZTimestamp.optional(),
    until: ZTimestamp.optional(),
    cursor: z
      .string()
      .max(64)
      .meta({ description: "`nextCursor` of the previous page", example: "bTo0Mg" })
      .optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .default({ limit: 20 });
export const ZMovementListOutput = ZCursorPage(ZMovement);
export const listMovementsMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/movements",
    tags: ["movements"],
    summary: "The movement ledger",
    description:
      "Newest first. Pass `nextCursor` back as `cursor` for the next page; pages stay stable while new movements arrive.",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: "limit: Too big: expected number to be <=100" },
};
