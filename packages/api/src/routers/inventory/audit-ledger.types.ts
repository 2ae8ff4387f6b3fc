import { z } from "zod";
import type { Meta } from "../../operation";

export const ZAuditInput = z.strictObject({}).optional();
export const ZAuditOutput = z.object({
  checkedLevels: z.number().int(),
  discrepancies: z.array(
    z.object({
      productId: z.string(),
      storeId: z.string(),
      quantity: z.number().int(),
      ledgerSum: z.number().int(),
    }),
  ),
});
export const auditLedgerMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/inventory/audit",
    tags: ["inventory"],
    summary: "Recompute every level from the ledger",
    description:
      "Role admin. A discrepancy is a level whose quantity differs from the sum of its ledger deltas.",
  },
  errors: [],
};
