import { z } from "zod";
import type { Meta } from "../../operation";
import { ZTimestamp } from "../../schemas/common";

export const ZAuditInput = z
  .strictObject({
    full: z
      .boolean()
      .meta({
        description:
          "true: recheck every level against its ledger. Default: only the levels with movements since the watermark",
        example: false,
      })
      .optional(),
  })
  .optional();
export const ZAuditOutput = z.object({
  mode: z.enum(["incremental", "full"]).meta({ description: "Which check ran", example: "incremental" }),
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
  incomingDiscrepancies: z
    .array(
      z.object({
        productId: z.string().meta({ example: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10" }),
        storeId: z.string().meta({ example: "store1" }),
        incoming: z.number().int().meta({ example: 24 }),
        inTransit: z.number().int().meta({ example: 20 }),
      }),
    )
    .meta({
      description:
        "Levels whose incoming units differ from what their shipments have in transit towards them",
    }),
  checkedFromSeq: z.number().int().meta({
    description:
      "Ledger seq after which movements were considered (the watermark before this run; 0 for full)",
    example: 1200,
  }),
  checkedToSeq: z.number().int().meta({
    description: "The ledger's frontier this run checked up to: every seq up to it was committed",
    example: 1260,
  }),
  watermark: z.number().int().meta({
    description:
      "The verified point after this run: checkedToSeq when nothing was wrong, else unchanged (the next run reports the discrepancies again)",
    example: 1260,
  }),
  verifiedAt: ZTimestamp.nullable().meta({
    description: "When the watermark was last moved; null before the first clean run",
  }),
});
export const auditLedgerMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/inventory/audit",
    tags: ["inventory"],
    summary: "Check the levels against the ledger",
    description:
      "Role admin. A discrepancy is a level whose quantity differs from the sum of its ledger deltas. By default the audit is incremental: it rechecks only the levels with movements after the watermark (the ledger seq up to which every level was found right), so its cost follows what changed since the last audit. `full=true` rechecks every level, including ones changed without a movement. A clean run moves the watermark to the frontier it checked; a run with discrepancies leaves it. Every run also checks every level's reserved units against its open reservation lines (`reservedDiscrepancies`) and its incoming units against the shipments in transit towards it (`incomingDiscrepancies`). The checks may run for STOCKROOM_AUDIT_TIMEOUT_MS (25 s by default), not the statement timeout of other requests; past it the answer is 503 UNAVAILABLE naming the setting.",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: '(root): Unrecognized key: "since"' },
};
