import { defineOperation } from "../../operation";
import { auditLedger } from "../../services/stock-queries";
import { auditLedgerMeta, ZAuditInput, ZAuditOutput } from "./audit-ledger.types";

export const auditLedgerOperation = defineOperation({
  name: "inventory.audit",
  meta: auditLedgerMeta,
  input: ZAuditInput,
  output: ZAuditOutput,
  minRole: "admin",
  kind: "read",
  consistency: "strong",
  handler: (ctx, input) => auditLedger(ctx.db, input ?? {}),
});
