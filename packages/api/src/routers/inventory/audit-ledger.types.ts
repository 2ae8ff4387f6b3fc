import { z } from "zod";
import type { Meta } from "../../operation";

export const ZAuditInput = z.strictObject({}).optional();
export const ZAuditOutput = z.object({
  checkedLevels: z.number().int().meta({ example: 60 }),
  discrepancies: z.array(
    z.object({
      productId: z.string().meta({ example: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10" }),
      storeId: z.string().meta({ example: "store1" }),
      quantity: z.number().int().meta({ example: 42 }),
      ledgerSum: z.number().int().meta({ example: 40 }),
    }),
  ),
  reservedDiscrepancies: z
    .array(
      z.object({
        productId: z.string().meta({ example: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10" }),
        storeId: z.string().meta({ example: "store1" }),
        reserved: z.number().int().meta({ example: 3 }),
        held: z.number().int().meta({ example: 2 }),
      }),
    )
    .meta({ description: "Levels whose reserved units differ from what their open reservation lines hold" }),
});
export const auditLedgerMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/inventory/audit",
    tags: ["inventory"],
    summary: "Recompute every level from the ledger",
    description:
      "Role admin. A discrepancy is a level whose quantity differs from the sum of its ledger deltas; a reserved discrepancy is a level whose reserved units differ from the sum of its open reservation lines.",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: '(root): Unrecognized key: "since"' },
};
