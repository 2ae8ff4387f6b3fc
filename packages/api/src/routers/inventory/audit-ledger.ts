import { auditLedger } from "../../services/stock-queries";
import { adminProcedure } from "../../trpc";
import { auditLedgerMeta, ZAuditInput, ZAuditOutput } from "./audit-ledger.types";

export const auditLedgerRoute = adminProcedure
  .meta(auditLedgerMeta)
  .input(ZAuditInput)
  .output(ZAuditOutput)
  .query(({ ctx }) => auditLedger(ctx.db));
